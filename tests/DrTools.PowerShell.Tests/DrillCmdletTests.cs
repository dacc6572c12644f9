using System;
using System.IO;
using System.Linq;
using System.Threading;
using DrTools.Core.Drills;
using DrTools.Core.Recovery.Engine;
using DrTools.TestSupport;
using Xunit;

namespace DrTools.PowerShell.Tests
{
    /// <summary>Invoke-DrDrill -WhatIf shows the whole drill and its cleanup without a request; Get-DrDrill reads the history with its view.</summary>
    public sealed class DrillCmdletTests : IDisposable
    {
        const string Keys = "-AccessKey AKIDEXAMPLE -SecretKey secret";
        readonly string _journals = Path.Combine(Path.GetTempPath(), "drtools-drills-" + Guid.NewGuid().ToString("N"));

        public void Dispose()
        {
            try { Directory.Delete(_journals, true); } catch (IOException) { }
        }

        static string Example(string name) => PsHarness.Quote(Path.Combine(PsHarness.RepoRoot, "docs", "examples", "plans", name + ".json"));

        [Fact]
        public void WhatIf_prints_the_drill_steps_what_is_left_alone_and_the_cleanup_and_sends_no_request()
        {
            using var aws = new FakeAwsServer(FakeAws.Healthy);
            var r = PsHarness.Run($"Invoke-DrDrill -Plan {Example("pilot-light")} -RunId gameday-1 -WhatIf -EndpointUrl {aws.Url} {Keys} -JournalPath {PsHarness.Quote(_journals)}");

            Assert.True(r.Terminating == null && r.Errors.Count == 0, r.Describe());
            Assert.Empty(r.Output);
            Assert.Contains("What if:", r.HostText);
            foreach (var s in new[] { "launch-web", "snapshot-db", "restore-db" }) Assert.Contains($". {s} [", r.HostText);
            Assert.DoesNotContain("promote-db", r.HostText);
            Assert.DoesNotContain(". change-dns [", r.HostText);
            Assert.Contains("Elastic IPs are never moved", r.HostText);
            Assert.Contains("never promoted", r.HostText);
            Assert.Contains("Cleanup (always, unless -Keep):", r.HostText);
            Assert.Contains("-drill-gameday-1", r.HostText);
            Assert.Empty(aws.Requests);
            Assert.False(Directory.Exists(_journals));
        }

        [Fact]
        public void A_scenario_without_its_time_is_a_drtools_error_before_anything_happens()
        {
            using var aws = new FakeAwsServer(FakeAws.Healthy);
            var r = PsHarness.Run($"Invoke-DrDrill -Plan {Example("pilot-light")} -Scenario Ransomware -Force -EndpointUrl {aws.Url} {Keys} -JournalPath {PsHarness.Quote(_journals)}");

            var e = Assert.Single(r.AllErrors);
            Assert.StartsWith("DrTools.InvalidParameter", e.FullyQualifiedErrorId);
            Assert.Empty(aws.Requests);
        }

        [Fact]
        public async System.Threading.Tasks.Task Resume_of_a_drill_whose_cleanup_ran_is_refused_before_any_request()
        {
            var history = new DrillHistory(new RecoveryJournalStore(_journals));
            await history.SaveAsync(new DrillResult
            {
                Plan = "orders", RunId = "gameday-1", Started = DateTimeOffset.UtcNow.AddHours(-1), Finished = DateTimeOffset.UtcNow, CleanedUp = true,
            }, CancellationToken.None);
            using var aws = new FakeAwsServer(FakeAws.Healthy);

            var r = PsHarness.Run($"Invoke-DrDrill -Plan {Example("pilot-light")} -Resume -RunId gameday-1 -Force -EndpointUrl {aws.Url} {Keys} -JournalPath {PsHarness.Quote(_journals)}");

            var e = Assert.Single(r.AllErrors);
            Assert.StartsWith("DrTools.InvalidState", e.FullyQualifiedErrorId);
            Assert.Contains("Start a new drill", e.ErrorDetails.RecommendedAction);
            Assert.Empty(aws.Requests);
        }

        [Fact]
        public async System.Threading.Tasks.Task Get_DrDrill_lists_the_history_newest_first_in_its_table_view()
        {
            var history = new DrillHistory(new RecoveryJournalStore(_journals));
            var t0 = new DateTimeOffset(2026, 3, 1, 10, 0, 0, TimeSpan.Zero);
            await history.SaveAsync(new DrillResult { Plan = "orders", RunId = "old-1", Started = t0, Passed = false }, CancellationToken.None);
            await history.SaveAsync(new DrillResult
            {
                Plan = "orders", RunId = "new-2", Started = t0.AddDays(1), Passed = true, AchievedRto = TimeSpan.FromMinutes(38),
                RtoTarget = TimeSpan.FromHours(1), AchievedRpo = TimeSpan.FromSeconds(42), RpoTarget = TimeSpan.FromMinutes(15), CleanedUp = true,
            }, CancellationToken.None);

            var r = PsHarness.Run($"Get-DrDrill -Plan {Example("pilot-light")} -JournalPath {PsHarness.Quote(_journals)}");
            var last = PsHarness.Run($"Get-DrDrill -Plan {Example("pilot-light")} -JournalPath {PsHarness.Quote(_journals)} -Last 1");

            Assert.True(r.Terminating == null && r.Errors.Count == 0, r.Describe());
            Assert.Equal(new[] { "new-2", "old-1" }, r.Output.Select(o => ((DrillResult)o.BaseObject).RunId));
            var newest = (DrillResult)Assert.Single(last.Output).BaseObject;
            Assert.Equal(TimeSpan.FromSeconds(42), newest.AchievedRpo);
            Assert.True(newest.RpoMet);
            // The table view itself is rendered by tests/Pester/Format.Tests.ps1 (sample DrillResult).
        }
    }
}
