using System;
using DrTools.Core.Drills;
using DrTools.Core.Recovery.Engine;
using DrTools.Core.Reports;
using DrTools.TestSupport;
using Xunit;

namespace DrTools.Core.Tests.Reports
{
    /// <summary>A drill result as Invoke-DrDrill and Get-DrDrill emit it, piped into Export-DrReport.</summary>
    public class ReportDrillAdapterTests
    {
        static readonly DateTimeOffset T0 = new(2026, 3, 14, 3, 0, 0, TimeSpan.Zero);

        static DrillResult FailedDrill() => new()
        {
            Plan = "orders", RunId = "d-7f3a", Scenario = DrillScenario.Ransomware, Passed = false,
            Started = T0, Finished = T0.AddMinutes(42), RtoTarget = TimeSpan.FromMinutes(30), RpoTarget = TimeSpan.FromHours(1),
            AchievedRpo = TimeSpan.FromMinutes(75),
            Rpo = new[]
            {
                new DrillRpoComponent("database", "snapshot orders-db-0245", T0.AddMinutes(-75), TimeSpan.FromMinutes(75)),
                new DrillRpoComponent("web", "ami (creation time unknown)", null, null),
            },
            Steps = new[] { new StepResult { StepId = "restore-db", Kind = StepKind.RestoreDatabase, Status = StepStatus.Succeeded, Started = T0, Finished = T0.AddMinutes(40) } },
            Validation = new[] { new DrillValidationResult("web-health", false, "HTTP 503 after 12 attempts", T0.AddMinutes(40), T0.AddMinutes(42), TimeSpan.FromMinutes(2)) },
            CleanedUp = false,
            Leftovers = new[] { new DrillLeftover("AWS::RDS::DBInstance", "orders-db-drill-d-7f3a", "us-west-2", "deleting", "d-7f3a") },
        };

        [Fact]
        public void A_piped_drill_result_becomes_the_reports_drill_with_its_validation_rpo_and_leftovers()
        {
            var inputs = new ReportInputs();
            Assert.True(inputs.Add(FailedDrill()));
            var drill = Assert.Single(inputs.Drills);
            Assert.Equal("Ransomware", drill.Scenario);
            Assert.False(drill.Passed);
            Assert.Equal(TimeSpan.FromMinutes(42), drill.AchievedRto); // ran for 42 min without passing
            Assert.False(drill.RtoMet);
            Assert.False(drill.RpoMet);
            // A component whose data time is unknown cannot be drawn against the target; the known one is.
            var rpo = Assert.Single(drill.Rpo);
            Assert.Equal("database", rpo.Component);
            Assert.Equal("orders-db-drill-d-7f3a", Assert.Single(drill.Leftovers).Id);

            var markdown = MarkdownReportRenderer.Render(ReportBuilder.Build(inputs, ReportSamples.Options()));
            Assert.Contains("d-7f3a", markdown);
            Assert.Contains("web-health", markdown);
            Assert.Contains("HTTP 503 after 12 attempts", markdown);
            Assert.Contains("orders-db-drill-d-7f3a", markdown);
        }
    }
}
