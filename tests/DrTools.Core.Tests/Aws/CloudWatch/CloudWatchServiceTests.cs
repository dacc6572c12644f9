using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Aws.CloudWatch;
using DrTools.Core.Connection;
using DrTools.Core.Diagnostics;
using DrTools.Core.Drills;
using DrTools.Core.Recovery.Steps;
using DrTools.TestSupport;
using Xunit;

namespace DrTools.Core.Tests.Aws.CloudWatch
{
    public class CloudWatchServiceTests
    {
        const string Ns = CloudWatchClient.XmlNamespace;

        static FakeResponse Ok(string action, string result) => QueryFakes.Ok(action, Ns, result);

        static FakeResponse Alarms(string metricAlarms, string compositeAlarms = "", string? nextToken = null) =>
            Ok("DescribeAlarms", $"<MetricAlarms>{metricAlarms}</MetricAlarms><CompositeAlarms>{compositeAlarms}</CompositeAlarms>" +
                                 (nextToken != null ? $"<NextToken>{nextToken}</NextToken>" : ""));

        static string Metric(string name, string state, string reason = "Threshold Crossed: 1 datapoint [12.0] was greater than the threshold (5.0).") =>
            $"<member><AlarmName>{name}</AlarmName><AlarmArn>arn:aws:cloudwatch:us-west-2:123456789012:alarm:{name}</AlarmArn>" +
            $"<StateValue>{state}</StateValue><StateReason>{reason}</StateReason><StateUpdatedTimestamp>2025-06-01T11:59:00.123Z</StateUpdatedTimestamp>" +
            "<MetricName>HTTPCode_Target_5XX_Count</MetricName><Namespace>AWS/ApplicationELB</Namespace><Threshold>5.0</Threshold></member>";

        static string Composite(string name, string state) =>
            $"<member><AlarmName>{name}</AlarmName><AlarmArn>arn:aws:cloudwatch:us-west-2:123456789012:alarm:{name}</AlarmArn>" +
            $"<AlarmRule>ALARM(orders-5xx) OR ALARM(orders-latency)</AlarmRule><StateValue>{state}</StateValue>" +
            "<StateReason>arn:aws:cloudwatch:us-west-2:123456789012:alarm:orders-5xx transitioned to ALARM at 2025-06-01T11:59:00Z</StateReason>" +
            "<StateUpdatedTimestamp>2025-06-01T11:59:01Z</StateUpdatedTimestamp></member>";

        static (FakeAwsServer Server, CloudWatchService CloudWatch) Start(Func<FakeRequest, FakeResponse> handler, int? retries = null)
        {
            var server = new FakeAwsServer(handler);
            return (server, CloudWatchService.Create(new AwsClientFactory(QueryFakes.Connection(server, "us-west-2", retries))));
        }

        [Fact]
        public async Task DescribeAlarms_asks_for_the_names_and_both_alarm_types_follows_NextToken_and_parses_metric_and_composite_alarms()
        {
            var (server, cw) = Start(r => r.Form.TryGetValue("NextToken", out var t) && t == "page-2"
                ? Alarms("", Composite("orders-site", "ALARM"))
                : Alarms(Metric("orders-5xx", "ALARM"), "", "page-2"));
            using (server)
            using (cw)
            {
                var states = await cw.DescribeAlarmsAsync(new[] { "orders-site", "orders-5xx", "orders-typo" }, CancellationToken.None);

                // In the order asked; the name that is no alarm is left out.
                Assert.Equal(new[] { "orders-site", "orders-5xx" }, states.Select(s => s.Name));
                var metric = states[1];
                Assert.Equal((CloudWatchAlarmStates.Alarm, CloudWatchAlarmStates.MetricAlarm, true), (metric.StateValue, metric.AlarmType, metric.IsInAlarm));
                Assert.Equal("Threshold Crossed: 1 datapoint [12.0] was greater than the threshold (5.0).", metric.StateReason);
                Assert.Equal(new DateTime(2025, 6, 1, 11, 59, 0, 123, DateTimeKind.Utc), metric.StateUpdated);
                Assert.Equal(DateTimeKind.Utc, metric.StateUpdated!.Value.Kind);
                Assert.Equal("arn:aws:cloudwatch:us-west-2:123456789012:alarm:orders-5xx", metric.Arn);
                Assert.Equal(CloudWatchAlarmStates.CompositeAlarm, states[0].AlarmType);

                var requests = server.Requests.ToArray();
                Assert.Equal(2, requests.Length);
                Assert.All(requests, r => Assert.Equal(("POST", "monitoring", "us-west-2"), (r.Method, r.Service, r.Region)));
                var expected = new[]
                {
                    ("Action", "DescribeAlarms"), ("Version", "2010-08-01"),
                    ("AlarmNames.member.1", "orders-site"), ("AlarmNames.member.2", "orders-5xx"), ("AlarmNames.member.3", "orders-typo"),
                    ("AlarmTypes.member.1", "MetricAlarm"), ("AlarmTypes.member.2", "CompositeAlarm"), ("MaxRecords", "100"),
                };
                QueryFakes.AssertForm(requests[0].Form, expected);
                QueryFakes.AssertForm(requests[1].Form, expected.Append(("NextToken", "page-2")).ToArray());
            }
        }

        [Fact]
        public async Task No_names_asks_nothing_instead_of_listing_every_alarm_and_duplicates_are_asked_once()
        {
            var (server, cw) = Start(_ => Alarms(Metric("a", "OK")));
            using (server)
            using (cw)
            {
                Assert.Empty(await cw.DescribeAlarmsAsync(Array.Empty<string>(), CancellationToken.None));
                Assert.Empty(server.Requests);

                var states = await cw.DescribeAlarmsAsync(new[] { "a", "a" }, CancellationToken.None);
                Assert.Equal("a", Assert.Single(states).Name);
                Assert.False(server.Requests.Single().Form.ContainsKey("AlarmNames.member.2"));
            }
        }

        [Fact]
        public async Task More_than_100_names_are_asked_100_at_a_time()
        {
            var names = Enumerable.Range(1, 150).Select(i => $"alarm-{i:000}").ToList();
            var (server, cw) = Start(r => Alarms(string.Concat(r.Form.Where(kv => kv.Key.StartsWith("AlarmNames.member.")).Select(kv => Metric(kv.Value, "OK")))));
            using (server)
            using (cw)
            {
                var states = await cw.DescribeAlarmsAsync(names, CancellationToken.None);

                Assert.Equal(names, states.Select(s => s.Name));
                var requests = server.Requests.ToArray();
                Assert.Equal(2, requests.Length);
                Assert.Equal(100, requests[0].Form.Keys.Count(k => k.StartsWith("AlarmNames.member.")));
                Assert.Equal(50, requests[1].Form.Keys.Count(k => k.StartsWith("AlarmNames.member.")));
                Assert.Equal("alarm-101", requests[1].Form["AlarmNames.member.1"]);
            }
        }

        [Fact]
        public async Task A_repeated_NextToken_stops_with_an_error_instead_of_looping()
        {
            var (server, cw) = Start(_ => Alarms(Metric("a", "OK"), "", "same"));
            using (server)
            using (cw)
            {
                var ex = await Assert.ThrowsAsync<DrToolsException>(() => cw.DescribeAlarmsAsync(new[] { "a" }, CancellationToken.None));
                Assert.Equal(ErrorIds.ServiceError, ex.ErrorId);
                Assert.Contains("same NextToken twice", ex.Message);
                Assert.Equal(2, server.Requests.Count);
            }
        }

        [Fact]
        public async Task An_AWS_error_is_a_DrTools_error_naming_the_alarm_and_the_operation()
        {
            var (server, cw) = Start(_ => QueryFakes.Error(403, "AccessDenied", "User: arn:aws:iam::123456789012:user/dr is not authorized to perform: cloudwatch:DescribeAlarms",
                "5d8c0000-0000-4000-8000-000000000403", ns: Ns), retries: 0);
            using (server)
            using (cw)
            {
                var ex = await Assert.ThrowsAsync<DrToolsException>(() => cw.DescribeAlarmsAsync(new[] { "orders-5xx" }, CancellationToken.None));
                Assert.Equal(ErrorIds.AccessDenied, ex.ErrorId);
                Assert.Equal(("CloudWatch", "AccessDenied", "5d8c0000-0000-4000-8000-000000000403"), (ex.Service, ex.AwsErrorCode, ex.RequestId));
                Assert.Contains("orders-5xx", ex.Message);
                Assert.Contains("DescribeAlarms", ex.Message);
            }
        }

        [Theory]
        [InlineData("")]
        [InlineData("  ")]
        public async Task A_blank_alarm_name_is_invalid_and_asks_nothing(string name)
        {
            var (server, cw) = Start(_ => Alarms(""));
            using (server)
            using (cw)
            {
                var ex = await Assert.ThrowsAsync<DrToolsException>(() => cw.DescribeAlarmsAsync(new[] { "orders-5xx", name }, CancellationToken.None));
                Assert.Equal(ErrorIds.InvalidParameter, ex.ErrorId);
                Assert.Empty(server.Requests);
            }
        }

        // ---- AlarmStopCondition over the wire

        [Fact]
        public async Task ValidateAsync_fails_with_NotFound_naming_every_alarm_that_does_not_exist()
        {
            var (server, cw) = Start(_ => Alarms(Metric("orders-5xx", "OK")));
            using (server)
            using (cw)
            {
                var condition = new AlarmStopCondition(cw, new[] { "orders-5xx", "orders-5xxx", "Orders-Latency" });

                var ex = await Assert.ThrowsAsync<DrToolsException>(() => condition.ValidateAsync(CancellationToken.None));

                Assert.Equal(ErrorIds.NotFound, ex.ErrorId);
                Assert.Equal(DrErrorCategory.ObjectNotFound, ex.Category);
                Assert.StartsWith("CloudWatch alarms 'orders-5xxx', 'Orders-Latency' do not exist in us-west-2", ex.Message);
                Assert.DoesNotContain("'orders-5xx',", ex.Message);
                Assert.Contains("describe-alarms --region us-west-2", ex.RecommendedAction);
            }
        }

        [Fact]
        public async Task ValidateAsync_returns_the_states_when_every_alarm_exists()
        {
            var (server, cw) = Start(_ => Alarms(Metric("orders-5xx", "OK"), Composite("orders-site", "INSUFFICIENT_DATA")));
            using (server)
            using (cw)
            {
                var condition = new AlarmStopCondition(cw, new[] { "orders-5xx", "orders-site" });
                var states = await condition.ValidateAsync(CancellationToken.None);
                Assert.Equal(new[] { "OK", "INSUFFICIENT_DATA" }, states.Select(s => s.StateValue));
                Assert.Equal("CloudWatch alarms 'orders-5xx', 'orders-site'", condition.Name);
            }
        }

        [Fact]
        public async Task CheckAsync_gives_a_reason_for_each_alarm_in_ALARM_and_none_for_OK_or_INSUFFICIENT_DATA()
        {
            var state = "OK";
            var (server, cw) = Start(_ => Alarms(Metric("orders-5xx", state, "Threshold Crossed: 12 > 5") + Metric("orders-latency", "INSUFFICIENT_DATA")));
            using (server)
            using (cw)
            {
                var condition = new AlarmStopCondition(cw, new[] { "orders-5xx", "orders-latency" });
                Assert.Null(await condition.CheckAsync(CancellationToken.None));

                state = "ALARM";
                Assert.Equal("CloudWatch alarm 'orders-5xx' is in ALARM: Threshold Crossed: 12 > 5", await condition.CheckAsync(CancellationToken.None));
            }
        }

        [Fact]
        public async Task CheckAsync_throws_NotFound_when_an_alarm_was_deleted_during_the_drill()
        {
            var deleted = false;
            var (server, cw) = Start(_ => Alarms(deleted ? "" : Metric("orders-5xx", "OK")));
            using (server)
            using (cw)
            {
                var condition = new AlarmStopCondition(cw, new[] { "orders-5xx" });
                await condition.ValidateAsync(CancellationToken.None);
                deleted = true;

                var ex = await Assert.ThrowsAsync<DrToolsException>(() => condition.CheckAsync(CancellationToken.None));
                Assert.Equal(ErrorIds.NotFound, ex.ErrorId);
                Assert.Equal("CloudWatch alarm 'orders-5xx' no longer exists in us-west-2.", ex.Message);
            }
        }

        [Fact]
        public void An_alarm_stop_condition_needs_a_name()
        {
            var (server, cw) = Start(_ => Alarms(""));
            using (server)
            using (cw)
                Assert.Throws<ArgumentException>(() => new AlarmStopCondition(cw, Array.Empty<string>()));
        }

        // ---- the replica-lag reading shares the client

        [Fact]
        public async Task Replica_lag_reads_GetMetricStatistics_through_the_same_CloudWatch_client()
        {
            using var server = new FakeAwsServer(_ => Ok("GetMetricStatistics",
                "<Label>ReplicaLag</Label><Datapoints><member><Timestamp>2025-06-01T11:58:00Z</Timestamp><Maximum>4.0</Maximum><Unit>Seconds</Unit></member>" +
                "<member><Timestamp>2025-06-01T11:59:00Z</Timestamp><Maximum>7.0</Maximum><Unit>Seconds</Unit></member></Datapoints>"));
            var lag = new CloudWatchReplicaLag(new AwsClientFactory(QueryFakes.Connection(server, "us-east-1")));

            var reading = await lag.GetLagAsync("us-west-2", "orders-db-dr", CancellationToken.None);

            Assert.Equal(TimeSpan.FromSeconds(7), reading.Lag);
            // The failback's catch-up trusts only a data point measured after the fence: the reading says when it was measured.
            Assert.Equal(new DateTimeOffset(2025, 6, 1, 11, 59, 0, TimeSpan.Zero), reading.At);
            var request = server.Requests.Single();
            Assert.Equal(("monitoring", "us-west-2", "GetMetricStatistics"), (request.Service, request.Region, request.Action));
            Assert.Equal("orders-db-dr", request.Form["Dimensions.member.1.Value"]);
        }
    }
}
