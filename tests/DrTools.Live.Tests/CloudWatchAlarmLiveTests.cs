using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Aws.CloudWatch;
using DrTools.Core.Connection;
using DrTools.Core.Diagnostics;
using DrTools.Core.Drills;
using DrTools.TestSupport;
using Xunit;

namespace DrTools.LiveTests
{
    /// <summary>A drill's CloudWatch alarm stop condition against a real alarm in the DR region.</summary>
    public class CloudWatchAlarmLiveTests
    {
        static readonly CancellationToken None = CancellationToken.None;

        [LiveFact]
        public async Task An_alarm_set_to_ALARM_stops_the_drill_and_a_misspelt_alarm_fails_validation()
        {
            var name = Live.Name("alarm");
            var clients = new AwsClientFactory(Live.Connection(Live.DrRegion));
            using var wire = clients.CloudWatch();
            using var cloudWatch = CloudWatchService.Create(clients);
            try
            {
                // The test's own alarm: any metric will do, its state is set by hand below.
                await wire.SendAsync("PutMetricAlarm", new Dictionary<string, string>
                {
                    ["AlarmName"] = name, ["Namespace"] = "DrTools/LiveTest", ["MetricName"] = "Errors", ["Statistic"] = "Sum",
                    ["Period"] = "60", ["EvaluationPeriods"] = "1", ["Threshold"] = "1", ["ComparisonOperator"] = "GreaterThanOrEqualToThreshold",
                }, None);

                var read = Assert.Single(await cloudWatch.DescribeAlarmsAsync(new[] { name, name + "-missing" }, None));
                Assert.Equal((name, CloudWatchAlarmStates.MetricAlarm), (read.Name, read.AlarmType));
                Assert.Contains(read.StateValue, new[] { CloudWatchAlarmStates.Ok, CloudWatchAlarmStates.InsufficientData });

                var typo = new AlarmStopCondition(cloudWatch, new[] { name, name + "x" });
                var ex = await Assert.ThrowsAsync<DrToolsException>(() => typo.ValidateAsync(None));
                Assert.Equal(ErrorIds.NotFound, ex.ErrorId);
                Assert.Contains($"'{name}x'", ex.Message);

                var condition = new AlarmStopCondition(cloudWatch, new[] { name });
                await condition.ValidateAsync(None);
                Assert.Null(await condition.CheckAsync(None));

                await wire.SendAsync("SetAlarmState", new Dictionary<string, string>
                {
                    ["AlarmName"] = name, ["StateValue"] = "ALARM", ["StateReason"] = "DrTools live test: error rate above 5%",
                }, None);

                var expected = $"CloudWatch alarm '{name}' is in ALARM: DrTools live test: error rate above 5%";
                Assert.Equal(expected, await condition.CheckAsync(None));
                var reason = await DrillStopWatcher.WatchAsync(new IDrillStopCondition[] { condition }, TimeSpan.FromSeconds(1), None)
                    .WaitAsync(TimeSpan.FromMinutes(2));
                Assert.Equal(expected, reason);
            }
            finally
            {
                try { await wire.SendAsync("DeleteAlarms", new Dictionary<string, string> { ["AlarmNames.member.1"] = name }, None); }
                catch (Exception) { /* best effort: the alarm costs nothing and has a recognisable name */ }
            }
        }
    }
}
