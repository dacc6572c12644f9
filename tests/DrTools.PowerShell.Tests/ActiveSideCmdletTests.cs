using System;
using System.IO;
using System.Linq;
using System.Threading;
using DrTools.Core.Recovery.Engine;
using DrTools.Core.Reprotect;
using DrTools.Core.Status;
using DrTools.TestSupport;
using Xunit;

namespace DrTools.PowerShell.Tests
{
    /// <summary>
    /// The cmdlets that take -Plan read the active side record a failover leaves in -JournalPath: a second failover or
    /// a drill is refused, Get-DrStatus says to re-protect, and the plan-driven backup follows the active writer.
    /// </summary>
    public sealed class ActiveSideCmdletTests : IDisposable
    {
        const string Keys = "-AccessKey AKIDEXAMPLE -SecretKey secret";
        const string RunId = "20250601-031200-ab12cd";
        readonly string _journals = Path.Combine(Path.GetTempPath(), "drtools-sides-ps-" + Guid.NewGuid().ToString("N"));

        public void Dispose()
        {
            try { Directory.Delete(_journals, true); } catch (IOException) { }
        }

        static string Example(string name) => PsHarness.Quote(Path.Combine(PsHarness.RepoRoot, "docs", "examples", "plans", name + ".json"));
        string Journals => PsHarness.Quote(_journals);

        /// <summary>What a failover of plan 'orders' leaves: the promoted replica writes in the DR region, nothing protects it.</summary>
        void RecordFailover(DatabaseLocation? replica = null) =>
            new ActiveSideStore(new RecoveryJournalStore(_journals)).SaveAsync(new ActiveSide
            {
                Plan = "orders", Active = PlanSide.Dr, Writer = new DatabaseLocation { Id = "orders-db-dr", Region = "us-west-2" }, Replica = replica,
                ChangedAt = new DateTimeOffset(2025, 6, 1, 3, 12, 0, TimeSpan.Zero), Operation = "Failover", RunId = RunId,
            }, CancellationToken.None).GetAwaiter().GetResult();

        [Fact]
        public void Cmdlets_run_without_JournalPath_use_a_per_run_folder_not_the_machines_default_journals()
        {
            if (OperatingSystem.IsWindows()) return; // LocalApplicationData comes from the shell there (see TestEnvironment.DataHome)
            var folder = RecoveryJournalStore.DefaultDirectory; // what the in-process cmdlets use without -JournalPath
            Assert.StartsWith(TestEnvironment.DataHome + Path.DirectorySeparatorChar, folder);
            Assert.StartsWith(Path.GetTempPath(), folder);
        }

        [Theory]
        [InlineData("Invoke-DrFailover", "pilot-light")]
        [InlineData("Start-DrPilotLight", "pilot-light")]
        [InlineData("Start-DrWarmStandby", "warm-standby")]
        [InlineData("Invoke-DrDrill", "pilot-light")]
        public void A_failover_or_drill_of_a_plan_that_already_failed_over_is_refused_before_anything_happens(string cmdlet, string plan)
        {
            RecordFailover();
            using var aws = new FakeAwsServer(FakeAws.Healthy);
            var r = PsHarness.Run($"{cmdlet} -Plan {Example(plan)} -Confirm:$false -EndpointUrl {aws.Url} {Keys} -JournalPath {Journals}");

            var e = Assert.Single(r.AllErrors);
            Assert.StartsWith("DrTools.WrongSide", e.FullyQualifiedErrorId);
            Assert.Contains($"failed over at 2025-06-01 03:12Z by run {RunId}", e.Exception.Message);
            Assert.Contains("Invoke-DrFailback", e.ErrorDetails?.RecommendedAction ?? e.Exception.Message + r.Describe());
            Assert.Empty(aws.Requests);
            Assert.Equal(new[] { "orders.json" }, Directory.GetFiles(Path.Combine(_journals, "active")).Select(Path.GetFileName)); // no run started
        }

        [Fact]
        public void Resume_of_a_failover_is_not_refused_by_the_record()
        {
            RecordFailover();
            using var aws = new FakeAwsServer(FakeAws.Healthy);
            var r = PsHarness.Run($"Invoke-DrFailover -Plan {Example("pilot-light")} -Resume -Confirm:$false -EndpointUrl {aws.Url} {Keys} -JournalPath {Journals}");
            // It gets as far as the journal: there is no unfinished run to resume here.
            var e = Assert.Single(r.AllErrors);
            Assert.StartsWith("DrTools.NotFound", e.FullyQualifiedErrorId);
            Assert.Contains("no unfinished recovery run", e.Exception.Message);
        }

        [Fact]
        public void Without_a_record_the_failover_is_not_refused()
        {
            using var aws = new FakeAwsServer(FakeAws.Healthy);
            var r = PsHarness.Run($"Invoke-DrFailover -Plan {Example("pilot-light")} -WhatIf -EndpointUrl {aws.Url} {Keys} -JournalPath {Journals}");
            Assert.True(r.Terminating == null && r.Errors.Count == 0, r.Describe());
            Assert.Contains(". promote-db [", r.HostText);
        }

        [Fact]
        public void The_plan_driven_backup_WhatIf_backs_up_the_primary_before_a_failover_and_the_promoted_writer_after_it()
        {
            using var aws = new FakeAwsServer(FakeAws.Healthy);
            var before = PsHarness.Run($"Invoke-DrBackup -Plan {Example("pilot-light")} -RetainDays 14 -WhatIf -EndpointUrl {aws.Url} {Keys} -JournalPath {Journals}");
            Assert.True(before.Terminating == null && before.Errors.Count == 0, before.Describe());
            Assert.Contains("Create a DB snapshot and copy it to us-west-2; plan orders, primary side active (never failed over)", before.HostText);
            Assert.Contains("orders-db in us-east-1", before.HostText);

            RecordFailover();
            var after = PsHarness.Run($"Invoke-DrBackup -Plan {Example("pilot-light")} -RetainDays 14 -WhatIf -EndpointUrl {aws.Url} {Keys} -JournalPath {Journals}");
            Assert.True(after.Terminating == null && after.Errors.Count == 0, after.Describe());
            Assert.Contains($"Create a DB snapshot and copy it to us-east-1; plan orders, DR side active (failed over at 2025-06-01 03:12Z by run {RunId})", after.HostText);
            Assert.Contains("orders-db-dr in us-west-2", after.HostText);
            Assert.Empty(aws.Requests);
        }

        [Fact]
        public void Invoke_DrBackup_Plan_alone_needs_a_plan_and_with_an_instance_a_plain_name_stays_a_tag()
        {
            using var aws = new FakeAwsServer(FakeAws.Healthy);
            var missing = PsHarness.Run($"Invoke-DrBackup -Plan nightly -WhatIf -EndpointUrl {aws.Url} {Keys} -JournalPath {Journals}");
            Assert.StartsWith("DrTools.NotFound", Assert.Single(missing.AllErrors).FullyQualifiedErrorId);

            // Without -JournalPath (the local journal folder) the plan alone still selects the plan-driven backup.
            var alone = PsHarness.Run($"Invoke-DrBackup -Plan {Example("pilot-light")} -WhatIf -EndpointUrl {aws.Url} {Keys}");
            Assert.True(alone.Terminating == null && alone.Errors.Count == 0, alone.Describe());
            Assert.Contains("Create a DB snapshot and copy it to", alone.HostText);

            var tagged = PsHarness.Run($"Invoke-DrBackup -DBInstanceIdentifier orders-db -Region us-east-1 -Plan nightly -WhatIf -EndpointUrl {aws.Url} {Keys}");
            Assert.True(tagged.Terminating == null && tagged.Errors.Count == 0, tagged.Describe());
            Assert.Contains("Create a DB snapshot", tagged.HostText);
        }

        [Fact]
        public void Enable_DrBackupReplication_Plan_after_a_failover_reads_the_promoted_writer_in_the_DR_region()
        {
            RecordFailover();
            using var aws = new FakeAwsServer(FakeAws.Healthy); // knows no DB instance: the source is read, then reported missing
            var r = PsHarness.Run($"Enable-DrBackupReplication -Plan {Example("pilot-light")} -WhatIf -EndpointUrl {aws.Url} {Keys} -JournalPath {Journals}");
            Assert.StartsWith("DrTools.SourceNotFound", Assert.Single(r.AllErrors).FullyQualifiedErrorId);
            var read = Assert.Single(aws.Requests, q => q.Action == "DescribeDBInstances");
            Assert.Equal(("us-west-2", "orders-db-dr"), (read.Region, read.Form["DBInstanceIdentifier"]));
        }

        const string Plan = "@{ name = 'orders'; strategy = 'PILOT_LIGHT'; primaryRegion = 'us-east-1'; drRegion = 'us-west-2'; rto = 'PT1H'; rpo = 'PT15M'; " +
            "resources = @{ appServers = @{ name = 'web'; ami = 'ami-0123456789abcdef0'; instanceType = 't3.large' }; " +
            "database = @{ primaryInstanceId = 'orders-db'; replicaInstanceId = 'orders-db-dr' } } }";

        [Fact]
        public void Get_DrStatus_of_a_failed_over_plan_without_a_replica_is_failing_with_the_reprotect_step()
        {
            RecordFailover();
            using var aws = new FakeAwsServer(FakeAws.Healthy);
            var r = PsHarness.Run($"Get-DrStatus -Plan {Plan} -JournalPath {Journals} -EndpointUrl {aws.Url} {Keys}");
            Assert.True(r.Terminating == null && r.Errors.Count == 0, r.Describe());

            var rows = r.Output.Take(r.Output.Count - 1).Select(o => Assert.IsType<DrStatusRow>(o.BaseObject)).ToList();
            var summary = Assert.IsType<DrStatusSummary>(r.Output.Last().BaseObject);
            var protection = rows.Single(x => x.Kind == "Protection");
            Assert.Equal(("orders-db-dr", "us-west-2", DrStatusLevel.Failing), (protection.Component, protection.Region, protection.Status));
            Assert.Equal(DrStatusLevel.Failing, summary.Status);
            Assert.StartsWith("Protection orders-db-dr:", summary.NextStep);
            Assert.EndsWith("Next step: Invoke-DrReprotect -Plan orders", summary.NextStep);
            Assert.Contains(r.Warnings, w => w.StartsWith("Plan 'orders' is FAILING", StringComparison.Ordinal) && w.Contains("Invoke-DrReprotect -Plan orders"));
            // The old replica is the writer: its lag is not read, and no replica check is about it.
            Assert.DoesNotContain(rows, x => x.Kind is "DbReplica" or "ReplicaLag");
        }
    }
}
