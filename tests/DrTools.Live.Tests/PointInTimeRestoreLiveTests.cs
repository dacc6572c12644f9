using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using DrTools.Core.Aws.Rds;
using DrTools.Core.Connection;
using DrTools.Core.RecoveryPoints;
using DrTools.TestSupport;
using Xunit;

namespace DrTools.LiveTests
{
    /// <summary>Point-in-time restore of a DB instance and the automated backups listing, through the cmdlets (issue 12).</summary>
    public class PointInTimeRestoreLiveTests
    {
        [LiveFact]
        public async Task A_DB_instance_is_restored_to_a_point_in_time_and_to_the_latest_restorable_time_next_to_the_source()
        {
            var factory = new AwsClientFactory(Live.Connection(Live.Region));
            using var rds = RdsService.Create(factory);
            rds.PollInterval = TimeSpan.FromSeconds(Live.IsMoto ? 0.2 : 30);
            var name = Live.Name("pitr");
            var p = Live.Params(Live.Region);
            var targets = new[] { name + "-t", name + "-l" };
            try
            {
                using (var client = factory.Rds())
                    await client.SendAsync("CreateDBInstance", new Dictionary<string, string>
                    {
                        ["DBInstanceIdentifier"] = name, ["DBInstanceClass"] = "db.t3.micro", ["Engine"] = "postgres", ["MasterUsername"] = "drtools",
                        ["MasterUserPassword"] = "Dr-" + Guid.NewGuid().ToString("N").Substring(0, 20), ["AllocatedStorage"] = "20", ["BackupRetentionPeriod"] = "1",
                    });
                await rds.WaitForDBInstanceAvailableAsync(name, TimeSpan.FromMinutes(30));
                if (!Live.IsMoto) await Task.Delay(TimeSpan.FromMinutes(10)); // AWS needs the first backup before a window exists

                var listed = PsHarness.Run($"Get-DrBackup -Kind DBAutomatedBackup -SourceId {name} {p}");
                Assert.True(listed.Terminating == null && listed.Errors.Count == 0, listed.Describe());
                var backup = Assert.Single(listed.Output.Select(o => o.BaseObject).OfType<RecoveryPoint>());
                Assert.Equal((RecoveryPointKind.DBAutomatedBackup, name, Live.Region), (backup.Kind, backup.SourceId, backup.Region));

                // -WhatIf shows the whole plan and creates nothing.
                var whatIf = PsHarness.Run($"Restore-DrBackup -DBInstanceIdentifier {name} -UseLatestRestorableTime -TargetDBInstanceIdentifier {targets[1]} -WhatIf {p}");
                Assert.True(whatIf.Terminating == null && whatIf.Errors.Count == 0, whatIf.Describe());
                Assert.Contains($"Create DB instance {targets[1]} in {Live.Region} with the data of DB instance {name}", whatIf.HostText);
                Assert.Null(await rds.FindDBInstanceAsync(targets[1]));

                var time = (backup.LatestRestorableTime ?? DateTime.UtcNow.AddMinutes(-1)).AddSeconds(-30).ToString("o");
                var restore = PsHarness.Run($@"
Restore-DrBackup -DBInstanceIdentifier {name} -PointInTime '{time}' -TargetDBInstanceIdentifier {targets[0]} -DBInstanceClass db.t3.small -Force {p}
Restore-DrBackup -DBInstanceIdentifier {name} -UseLatestRestorableTime -TargetDBInstanceIdentifier {targets[1]} -Force {p}");
                Assert.True(restore.Terminating == null && restore.Errors.Count == 0, restore.Describe());
                var restored = restore.Output.Select(o => o.BaseObject).OfType<RestoredResource>().ToList();
                Assert.Equal(targets, restored.Select(r => r.Id));
                Assert.All(restored, r => Assert.Equal(("DBInstance", "available", Live.Region), (r.ResourceType, r.State, r.Region)));
                var first = await rds.FindDBInstanceAsync(targets[0]);
                Assert.Equal("db.t3.small", first!.InstanceClass);
                var tags = await rds.ListTagsForResourceAsync(first.Arn!);
                Assert.Equal(($"{Live.Region}:{name}", name), (tags[RecoveryPointTags.RestoredFrom], tags[RecoveryPointTags.Source]));
                Assert.Equal("available", (await rds.FindDBInstanceAsync(name))!.Status); // the source is untouched

                // Restoring over the source is refused before any call.
                var over = PsHarness.Run($"Restore-DrBackup -DBInstanceIdentifier {name} -UseLatestRestorableTime -TargetDBInstanceIdentifier {name} -Force {p}");
                Assert.StartsWith("DrTools.InvalidParameter", Assert.Single(over.AllErrors).FullyQualifiedErrorId);
            }
            finally
            {
                foreach (var id in targets.Append(name))
                    try { await rds.DeleteDBInstanceAsync(id, DbFinalSnapshot.None, true); } catch (Exception) { }
            }
        }
    }
}
