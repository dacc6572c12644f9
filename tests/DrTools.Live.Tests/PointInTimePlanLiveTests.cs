using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Aws.Rds;
using DrTools.Core.Connection;
using DrTools.Core.Plans;
using DrTools.Core.Recovery.Engine;
using DrTools.Core.Recovery.Steps;
using DrTools.Core.Recovery.Strategies;
using DrTools.Core.RecoveryPoints;
using DrTools.TestSupport;
using Xunit;

namespace DrTools.LiveTests
{
    /// <summary>
    /// A backup-and-restore plan with restore.latestRestorable recovers through the failover core (RecoveryService), and
    /// Enable-DrBackupReplication against the endpoint. The database lives in the DR region (database.primaryRegion), so
    /// the restore uses the instance's own automated backups: emulators cannot replicate backups across regions.
    /// </summary>
    public sealed class PointInTimePlanLiveTests : IDisposable
    {
        static readonly TimeSpan Long = TimeSpan.FromMinutes(Live.IsMoto ? 2 : 40);
        readonly string _journals = Path.Combine(Path.GetTempPath(), "drtools-live-pitr-" + Guid.NewGuid().ToString("N"));
        readonly Site _site = new();
        readonly AwsClientFactory _dr = new(Live.Connection(Live.DrRegion));
        readonly string _db = Live.Name("pitrsrc");

        public void Dispose()
        {
            try { _site.DrRds.DeleteDBInstanceAsync(_db, DbFinalSnapshot.None, true).GetAwaiter().GetResult(); } catch (Exception) { /* not created, or gone */ }
            var problems = _site.CleanUpAsync().GetAwaiter().GetResult();
            try { Directory.Delete(_journals, true); } catch (IOException) { }
            Assert.True(problems.Count == 0, "Cleanup failed: " + string.Join("; ", problems));
        }

        async Task CreateSourceAsync()
        {
            using (var client = _dr.Rds())
                await client.SendAsync("CreateDBInstance", new Dictionary<string, string>
                {
                    ["DBInstanceIdentifier"] = _db, ["DBInstanceClass"] = "db.t3.micro", ["Engine"] = "postgres", ["MasterUsername"] = "drtools",
                    ["MasterUserPassword"] = "Dr-" + Guid.NewGuid().ToString("N").Substring(0, 20), ["AllocatedStorage"] = "20", ["BackupRetentionPeriod"] = "1",
                });
            await _site.DrRds.WaitForDBInstanceAvailableAsync(_db, Long);
            if (!Live.IsMoto) await Task.Delay(TimeSpan.FromMinutes(10)); // AWS needs the first backup before a restorable time exists
        }

        [LiveFact]
        public async Task A_backup_and_restore_plan_with_latestRestorable_recovers_the_database_to_its_latest_restorable_time()
        {
            await CreateSourceAsync();
            var json = $$"""
                { "name": "{{_site.PlanName}}", "strategy": "BACKUP_AND_RESTORE", "primaryRegion": "{{Live.Region}}", "drRegion": "{{Live.DrRegion}}",
                  "rto": "PT4H", "rpo": "PT1H",
                  "resources": { "database": { "primaryInstanceId": "{{_db}}", "primaryRegion": "{{Live.DrRegion}}",
                                               "restore": { "latestRestorable": true, "instanceId": "{{_site.RestoredDb}}" }, "targetInstanceClass": "db.t3.small" } } }
                """;
            var load = DrPlanLoader.Parse(json);
            Assert.True(load.IsValid, string.Join("\n", load.Issues));
            var plan = load.Plan!;

            using var services = RecoveryServices.Create(_dr, plan);
            ((RdsService)services.Rds).PollInterval = TimeSpan.FromSeconds(Live.IsMoto ? 0.2 : 30);
            var recovery = new RecoveryService(services, new RecoveryJournalStore(_journals));
            var result = await recovery.RunAsync(plan, RecoveryOperation.Failover, new RecoveryOptions(), CancellationToken.None);

            var step = Assert.Single(result.Steps, s => s.StepId == "restore-db");
            Assert.Equal(new[] { "restore-db", "record-active-side" }, result.Steps.Select(s => s.StepId)); // a failover ends by recording the DR side
            Assert.True(result.Succeeded, $"{step.StepId}: {step.Status} {step.Message} {step.ErrorId}");
            Assert.Contains($"Restored {_site.RestoredDb} to its latest restorable point in time from the automated backups of {_db}", step.Message);
            Assert.True(step.Outputs.ContainsKey(RestoreDatabaseStep.PointInTimeOutput), "the step reports the time its data is as of");
            var restored = (await _site.DrRds.FindDBInstanceAsync(_site.RestoredDb))!;
            Assert.Equal(("available", "db.t3.small"), (restored.Status, restored.InstanceClass));
            var tags = await _site.DrRds.ListTagsForResourceAsync(restored.Arn!);
            Assert.Equal(($"{Live.DrRegion}:{_db}", "latest", plan.Name), (tags[RecoveryPointTags.RestoredFrom], tags[RecoveryPointTags.PointInTime], tags["DrTools:Plan"]));
            Assert.Equal("available", (await _site.DrRds.FindDBInstanceAsync(_db))!.Status); // the source is untouched

            // A second run finds the restored instance and restores nothing again.
            var again = await recovery.RunAsync(plan, RecoveryOperation.Failover, new RecoveryOptions(), CancellationToken.None);
            Assert.True(again.Succeeded);
            Assert.Contains("already exists", Assert.Single(again.Steps, s => s.StepId == "restore-db").Message);
        }

        [LiveFact]
        public void Enable_DrBackupReplication_of_a_missing_instance_is_SourceNotFound_and_WhatIf_changes_nothing()
        {
            var missing = PsHarness.Run($"Enable-DrBackupReplication -DBInstanceIdentifier {_db} -SourceRegion {Live.Region} -Force {Live.Params(Live.DrRegion)}");
            Assert.StartsWith("DrTools.SourceNotFound", Assert.Single(missing.AllErrors).FullyQualifiedErrorId);
        }

        /// <summary>
        /// moto implements no StartDBInstanceAutomatedBackupsReplication: the cmdlet must still end with a DrTools error
        /// (not a raw exception) and leave nothing behind. Against real AWS this path is the real replication.
        /// </summary>
        [MotoFact]
        public async Task Enable_DrBackupReplication_against_moto_fails_with_a_DrTools_error_because_moto_lacks_the_operation()
        {
            var primary = Live.Name("pitrrep");
            var factory = new AwsClientFactory(Live.Connection(Live.Region));
            using var rds = RdsService.Create(factory);
            rds.PollInterval = TimeSpan.FromSeconds(0.2);
            try
            {
                using (var client = factory.Rds())
                    await client.SendAsync("CreateDBInstance", new Dictionary<string, string>
                    {
                        ["DBInstanceIdentifier"] = primary, ["DBInstanceClass"] = "db.t3.micro", ["Engine"] = "postgres", ["MasterUsername"] = "drtools",
                        ["MasterUserPassword"] = "Dr-" + Guid.NewGuid().ToString("N").Substring(0, 20), ["AllocatedStorage"] = "20", ["BackupRetentionPeriod"] = "1",
                    });
                await rds.WaitForDBInstanceAvailableAsync(primary, Long);
                var whatIf = PsHarness.Run($"Enable-DrBackupReplication -DBInstanceIdentifier {primary} -SourceRegion {Live.Region} -WhatIf {Live.Params(Live.DrRegion)}");
                Assert.True(whatIf.Terminating == null && whatIf.Errors.Count == 0, whatIf.Describe());
                Assert.Contains($"Replicate the automated backups of DB instance {primary} ({Live.Region}) to {Live.DrRegion}", whatIf.HostText);

                var r = PsHarness.Run($"Enable-DrBackupReplication -DBInstanceIdentifier {primary} -SourceRegion {Live.Region} -Force {Live.Params(Live.DrRegion)}");
                var e = Assert.Single(r.AllErrors);
                Assert.StartsWith("DrTools.ServiceError", e.FullyQualifiedErrorId); // moto answers HTTP 500 NotImplementedError
                Assert.Empty(r.Output);
            }
            finally
            {
                try { await rds.DeleteDBInstanceAsync(primary, DbFinalSnapshot.None, true); } catch (Exception) { }
            }
        }
    }
}
