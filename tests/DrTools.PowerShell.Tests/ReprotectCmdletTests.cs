using System;
using System.IO;
using System.Linq;
using System.Threading;
using DrTools.Core.Recovery.Engine;
using DrTools.Core.Reprotect;
using DrTools.TestSupport;
using Xunit;

namespace DrTools.PowerShell.Tests
{
    /// <summary>Invoke-DrReprotect as an admin uses it: its decisions before anything changes, -WhatIf, and Invoke-DrFailover -Reprotect.</summary>
    public sealed class ReprotectCmdletTests : IDisposable
    {
        const string Keys = "-AccessKey AKIDEXAMPLE -SecretKey secret";
        readonly string _journals = Path.Combine(Path.GetTempPath(), "drtools-reprotect-journals-" + Guid.NewGuid().ToString("N"));

        public void Dispose()
        {
            try { Directory.Delete(_journals, true); } catch (IOException) { }
        }

        static string Example(string name) => PsHarness.Quote(Path.Combine(PsHarness.RepoRoot, "docs", "examples", "plans", name + ".json"));
        string Journal => "-JournalPath " + PsHarness.Quote(_journals);

        void Record(bool protectedAlready) =>
            new ActiveSideStore(new RecoveryJournalStore(_journals)).SaveAsync(new ActiveSide
            {
                Plan = "orders", Active = PlanSide.Dr, Operation = protectedAlready ? "Reprotect" : "Failover", RunId = "20261205T050000Z-aaaaaa",
                Writer = new DatabaseLocation { Id = "orders-db-dr", Region = "us-west-2" },
                Replica = protectedAlready ? new DatabaseLocation { Id = "orders-db", Region = "us-east-1" } : null,
            }, CancellationToken.None).GetAwaiter().GetResult();

        [Fact]
        public void A_plan_that_never_failed_over_is_DrTools_WrongSide_and_nothing_is_called()
        {
            using var aws = new FakeAwsServer(FakeAws.Healthy);
            var r = PsHarness.Run($"Invoke-DrReprotect -Plan {Example("pilot-light")} -Force -EndpointUrl {aws.Url} {Keys} {Journal}");
            var e = Assert.Single(r.AllErrors);
            Assert.StartsWith("DrTools.WrongSide", e.FullyQualifiedErrorId);
            Assert.Contains("has not failed over", e.Exception.Message);
            Assert.Contains("Invoke-DrFailover", e.ErrorDetails.RecommendedAction);
            Assert.Empty(aws.Requests);
        }

        [Fact]
        public void WhatIf_lists_every_step_after_a_failover_and_sends_no_request()
        {
            Record(protectedAlready: false);
            using var aws = new FakeAwsServer(FakeAws.Healthy);
            var r = PsHarness.Run($"Invoke-DrReprotect -Plan {Example("pilot-light")} -WhatIf -EndpointUrl {aws.Url} {Keys} {Journal}");
            Assert.True(r.Terminating == null && r.Errors.Count == 0, r.Describe());
            Assert.Empty(r.Output);
            Assert.Contains("What if:", r.HostText);
            Assert.Contains("REPROTECT", r.HostText);
            foreach (var s in new[] { "snapshot-db", "set-aside-db", "copy-snapshot", "create-replica", "wait-replica", "record-active-side" })
                Assert.Contains($". {s} [", r.HostText);
            Assert.Contains("create read replica of orders-db-dr (us-west-2): AWS::RDS::DBInstance orders-db (us-east-1)", r.HostText);
            Assert.Contains("rename to orders-db-old-<run start>", r.HostText);
            Assert.Empty(aws.Requests);
            Assert.False(Directory.Exists(Path.Combine(_journals, "orders.reprotect")));
        }

        [Fact]
        public void An_already_protected_plan_is_a_result_that_says_so_not_an_error()
        {
            Record(protectedAlready: true);
            using var aws = new FakeAwsServer(FakeAws.Healthy);
            var r = PsHarness.Run($"Invoke-DrReprotect -Plan {Example("pilot-light")} -Force -EndpointUrl {aws.Url} {Keys} {Journal}");
            Assert.True(r.Terminating == null && r.Errors.Count == 0, r.Describe());
            var result = Assert.IsType<RecoveryResult>(Assert.Single(r.Output).BaseObject);
            Assert.True(result.Succeeded);
            Assert.Contains("already protected", Assert.Single(result.Steps).Message);
            Assert.Empty(aws.Requests);
        }

        [Fact]
        public void A_region_that_does_not_answer_is_named_with_run_again_and_nothing_changes()
        {
            Record(protectedAlready: false);
            using var aws = new FakeAwsServer(q => q.Region == "us-east-1"
                ? new FakeResponse(503, "<ErrorResponse><Error><Code>ServiceUnavailable</Code><Message>down</Message></Error></ErrorResponse>", "text/xml")
                : FakeAws.Healthy(q));
            var r = PsHarness.Run($"Invoke-DrReprotect -Plan {Example("pilot-light")} -Force -MaximumRetryCount 0 -EndpointUrl {aws.Url} {Keys} {Journal}");
            var e = Assert.Single(r.AllErrors);
            Assert.Contains("us-east-1 is not reachable yet", e.Exception.Message);
            Assert.Contains("Run Invoke-DrReprotect again when us-east-1 is reachable", e.ErrorDetails.RecommendedAction);
            Assert.DoesNotContain(aws.Requests, q => q.Action is "CreateDBSnapshot" or "ModifyDBInstance" or "CreateDBInstanceReadReplica" or "CopyDBSnapshot");
            Assert.Empty(r.Output);
        }

        [Fact]
        public void Failover_WhatIf_with_Reprotect_says_the_reprotect_follows_as_its_own_run()
        {
            using var aws = new FakeAwsServer(FakeAws.Healthy);
            var r = PsHarness.Run($"Invoke-DrFailover -Plan {Example("pilot-light")} -Reprotect -WhatIf -EndpointUrl {aws.Url} {Keys} {Journal}");
            Assert.True(r.Terminating == null && r.Errors.Count == 0, r.Describe());
            Assert.Contains(". record-active-side [RecordActiveSide]", r.HostText);
            Assert.Contains("as its own run (orders.reprotect): Invoke-DrReprotect", r.HostText);
            Assert.Empty(aws.Requests);
        }
    }
}
