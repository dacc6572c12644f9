using System;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Drills;
using DrTools.Core.Plans;
using DrTools.Core.Plans.Readiness;
using DrTools.Core.Recovery.Engine;
using DrTools.Core.Status;
using Xunit;

namespace DrTools.Core.Tests.Plans.Readiness
{
    /// <summary>drill.maxAge: the LastDrill readiness check over a real drill history folder, and its Get-DrStatus row and metrics.</summary>
    public sealed class LastDrillReadinessTests : IDisposable
    {
        static readonly DateTimeOffset Now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);
        readonly string _dir = Path.Combine(Path.GetTempPath(), "drtools-lastdrill-" + Guid.NewGuid().ToString("N"));
        readonly DrillHistory _history;

        public LastDrillReadinessTests()
        {
            Directory.CreateDirectory(_dir);
            _history = new DrillHistory(new RecoveryJournalStore(_dir));
        }

        public void Dispose()
        {
            try { Directory.Delete(_dir, true); } catch (IOException) { }
        }

        Task Drill(string runId, TimeSpan endedAgo, bool passed) => _history.SaveAsync(new DrillResult
        {
            Plan = "orders", RunId = runId, Started = Now - endedAgo - TimeSpan.FromHours(1), Finished = Now - endedAgo, Passed = passed,
        }, CancellationToken.None);

        async Task<ReadinessCheck> LastDrill(DrStrategy strategy)
        {
            var aws = ReadinessCheckerTests.HealthyAccount();
            aws.DrillHistory = _history;
            using var services = aws.Services();
            var checks = await new ReadinessChecker(services, null, () => Now).CheckAsync(DrPlanTemplates.Create(strategy));
            Assert.Equal(ReadinessChecks.LastDrill, checks[^1].Check);
            return Assert.Single(checks, c => c.Check == ReadinessChecks.LastDrill);
        }

        [Fact]
        public async Task No_passing_drill_in_the_history_is_not_ready_and_says_where_was_looked_and_what_to_run()
        {
            await Drill("failed-1", TimeSpan.FromDays(1), passed: false);
            var check = await LastDrill(DrStrategy.PilotLight);
            Assert.False(check.Ready);
            Assert.Null(check.ErrorId);
            Assert.StartsWith($"No passing drill recorded in {_history.Location};", check.Reason);
            Assert.Contains("Invoke-DrDrill -Plan orders", check.Reason);
            Assert.Equal(((TimeSpan?)null, TimeSpan.FromDays(30)), (check.Age, check.Limit));
        }

        [Fact]
        public async Task A_passing_drill_younger_than_maxAge_is_ready_even_after_a_later_failed_one()
        {
            await Drill("good", TimeSpan.FromDays(10), passed: true);
            await Drill("bad", TimeSpan.FromDays(1), passed: false);
            var check = await LastDrill(DrStrategy.PilotLight);
            Assert.True(check.Ready, check.Reason);
            Assert.Equal("The last passing drill good (RegionLoss) ended 10d ago; the plan allows 30d (drill.maxAge).", check.Reason);
            Assert.Equal((TimeSpan.FromDays(10), TimeSpan.FromDays(30)), (check.Age, check.Limit));
        }

        [Fact]
        public async Task A_passing_drill_older_than_maxAge_is_not_ready_with_its_age_and_the_next_step()
        {
            await Drill("old", TimeSpan.FromDays(40), passed: true);
            var check = await LastDrill(DrStrategy.PilotLight);
            Assert.False(check.Ready);
            Assert.StartsWith("The last passing drill old (RegionLoss) ended 40d ago; the plan allows 30d (drill.maxAge). Run a drill: Invoke-DrDrill -Plan orders", check.Reason);
        }

        [Fact]
        public async Task Without_a_drill_history_the_check_is_left_out()
        {
            using var services = ReadinessCheckerTests.HealthyAccount().Services();
            var checks = await new ReadinessChecker(services, null, () => Now).CheckAsync(DrPlanTemplates.Create(DrStrategy.PilotLight));
            Assert.DoesNotContain(checks, c => c.Check == ReadinessChecks.LastDrill);
        }

        [Fact]
        public async Task Get_DrStatus_shows_the_last_drill_for_the_plan_and_publishes_its_age_and_whether_it_passed()
        {
            await Drill("good", TimeSpan.FromDays(25), passed: true); // 83% of 30d: a Warning
            var aws = ReadinessCheckerTests.HealthyAccount();
            aws.DrillHistory = _history;
            using var services = new StatusServices(aws.Services());
            var report = await new StatusService(services, null, () => Now).GetAsync(DrPlanTemplates.Create(DrStrategy.PilotLight));

            var row = Assert.Single(report.Rows, r => r.Kind == ReadinessChecks.LastDrill);
            Assert.Equal((DrStatusMetrics.PlanComponent, DrStatusLevel.Warning, "25d", "<= 30d"), (row.Component, row.Status, row.Value, row.Target));
            Assert.Contains("Run a drill soon", row.Reason);
            var data = StatusMetricData.From(report).Where(d => d.MetricName.StartsWith("LastDrill", StringComparison.Ordinal)).ToList();
            Assert.Equal(new[] { "LastDrillAge plan 2160000 Seconds", "LastDrillPassed plan 1 Count" },
                data.Select(d => $"{d.MetricName} {d.Dimensions.Single(x => x.Key == "Component").Value} {d.Value} {d.Unit}"));
        }
    }
}
