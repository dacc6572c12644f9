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
        public void A_drill_that_cannot_run_alerts_the_topic_with_the_plan_the_error_id_and_the_next_step()
        {
            const string topic = "arn:aws:sns:us-east-1:123456789012:dr-alerts";
            using var aws = new FakeAwsServer(q => q.Service == "sns"
                ? new FakeResponse(200, "<PublishResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><PublishResult><MessageId>m-1</MessageId></PublishResult>" +
                    "<ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata></PublishResponse>")
                : FakeAws.Healthy(q));
            var r = PsHarness.Run($"Invoke-DrDrill -Plan {Example("pilot-light")} -Scenario Ransomware -Force -NotifyTopicArn {topic} -EndpointUrl {aws.Url} {Keys} -JournalPath {PsHarness.Quote(_journals)}");

            Assert.StartsWith("DrTools.InvalidParameter", Assert.Single(r.AllErrors).FullyQualifiedErrorId);
            var publish = Assert.Single(aws.Requests);
            Assert.Equal(("sns", "Publish", topic), (publish.Service, publish.Action, publish.Form["TopicArn"]));
            Assert.StartsWith("DrTools: plan orders FAILING", publish.Form["Subject"]);
            Assert.Contains("DrTools.InvalidParameter", publish.Form["Message"]);
            Assert.Contains("-Before", publish.Form["Message"]);
        }

        [Fact]
        public void A_notify_topic_that_is_no_SNS_ARN_is_refused_before_the_drill()
        {
            using var aws = new FakeAwsServer(FakeAws.Healthy);
            var r = PsHarness.Run($"Invoke-DrDrill -Plan {Example("pilot-light")} -Force -NotifyTopicArn dr-alerts -EndpointUrl {aws.Url} {Keys} -JournalPath {PsHarness.Quote(_journals)}");
            Assert.StartsWith("ParameterArgumentValidationError,", Assert.Single(r.AllErrors).FullyQualifiedErrorId);
            Assert.Empty(r.Output);
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
