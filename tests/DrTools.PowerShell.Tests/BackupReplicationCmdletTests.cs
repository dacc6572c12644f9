using System;
using System.IO;
using System.Linq;
using DrTools.Core.Plans;
using DrTools.Core.RecoveryPoints;
using DrTools.TestSupport;
using Xunit;
using static DrTools.TestSupport.PsHarness;

namespace DrTools.PowerShell.Tests
{
    /// <summary>Enable-DrBackupReplication against a fake RDS endpoint (wire format of the RDS Query API).</summary>
    public sealed class BackupReplicationCmdletTests : IDisposable
    {
        const string Keys = "-AccessKey AKIDTEST -SecretKey TopSecretValue42";
        const string SourceArn = "arn:aws:rds:us-east-1:123456789012:db:orders-db";
        readonly string _dir = Path.Combine(Path.GetTempPath(), "drtools-repl-" + Guid.NewGuid().ToString("N"));

        public BackupReplicationCmdletTests() => Directory.CreateDirectory(_dir);

        public void Dispose()
        {
            try { Directory.Delete(_dir, true); } catch (IOException) { }
        }

        static FakeResponse Rds(string action, string inner) =>
            new(200, $"<{action}Response xmlns=\"http://rds.amazonaws.com/doc/2014-10-31/\"><{action}Result>{inner}</{action}Result>" +
                     $"<ResponseMetadata><RequestId>req-{action}</RequestId></ResponseMetadata></{action}Response>");

        static string Instance(bool encrypted = false) =>
            "<DBInstances><DBInstance><DBInstanceIdentifier>orders-db</DBInstanceIdentifier>" +
            $"<DBInstanceArn>{SourceArn}</DBInstanceArn><DBInstanceStatus>available</DBInstanceStatus>" +
            $"<BackupRetentionPeriod>7</BackupRetentionPeriod><StorageEncrypted>{(encrypted ? "true" : "false")}</StorageEncrypted></DBInstance></DBInstances>";

        const string Replicated =
            "<DBInstanceAutomatedBackup><DBInstanceIdentifier>orders-db</DBInstanceIdentifier><Region>us-east-1</Region><Status>{0}</Status>" +
            "<DBInstanceAutomatedBackupsArn>arn:aws:rds:us-west-2:123456789012:auto-backup:ab-1</DBInstanceAutomatedBackupsArn></DBInstanceAutomatedBackup>";

        static FakeAwsServer Server(bool replicating = false, bool encrypted = false) => new(r => r.Action switch
        {
            "DescribeDBInstances" => Rds(r.Action, Instance(encrypted)),
            "DescribeDBInstanceAutomatedBackups" => Rds(r.Action, "<DBInstanceAutomatedBackups>" + (replicating ? string.Format(Replicated, "replicating") : "") + "</DBInstanceAutomatedBackups>"),
            "StartDBInstanceAutomatedBackupsReplication" => Rds(r.Action, string.Format(Replicated, "pending")),
            _ => throw new InvalidOperationException("unexpected " + r.Action),
        });

        [Fact]
        public void Enable_DrBackupReplication_starts_the_replication_in_the_DR_region_and_emits_the_replicated_backups()
        {
            using var aws = Server();
            var r = Run($"Enable-DrBackupReplication -DBInstanceIdentifier orders-db -SourceRegion us-east-1 -Region us-west-2 -BackupRetentionPeriod 7 -Force -EndpointUrl {aws.Url} {Keys}");
            Assert.True(r.Terminating == null && r.Errors.Count == 0, r.Describe());
            var point = (RecoveryPoint)Assert.Single(r.Output).BaseObject;
            Assert.Equal((RecoveryPointKind.DBAutomatedBackup, "orders-db", "us-west-2", "pending", "us-east-1:orders-db"),
                (point.Kind, point.SourceId, point.Region, point.State, point.CopyOf));
            Assert.Equal("us-east-1", aws.Requests.Single(q => q.Action == "DescribeDBInstances").Region);
            var start = aws.Requests.Single(q => q.Action == "StartDBInstanceAutomatedBackupsReplication");
            Assert.Equal(("us-west-2", SourceArn, "7"), (start.Region, start.Form["SourceDBInstanceArn"], start.Form["BackupRetentionPeriod"]));
            Assert.Contains("X-Amz-Signature", start.Form["PreSignedUrl"]);
        }

        [Fact]
        public void Already_replicating_is_a_warning_and_emits_the_existing_backups()
        {
            using var aws = Server(replicating: true);
            var r = Run($"Enable-DrBackupReplication -DBInstanceIdentifier orders-db -SourceRegion us-east-1 -Region us-west-2 -Force -EndpointUrl {aws.Url} {Keys}");
            Assert.True(r.Terminating == null && r.Errors.Count == 0, r.Describe());
            Assert.Equal("replicating", ((RecoveryPoint)Assert.Single(r.Output).BaseObject).State);
            Assert.Contains(r.Warnings, w => w.Contains("already replicated to us-west-2") && w.Contains("nothing was changed"));
            Assert.DoesNotContain(aws.Requests, q => q.Action == "StartDBInstanceAutomatedBackupsReplication");
        }

        [Fact]
        public void An_encrypted_instance_without_KmsKeyId_is_an_error_that_says_what_to_do()
        {
            using var aws = Server(encrypted: true);
            var r = Run($"Enable-DrBackupReplication -DBInstanceIdentifier orders-db -SourceRegion us-east-1 -Region us-west-2 -Force -EndpointUrl {aws.Url} {Keys}");
            var e = Assert.Single(r.AllErrors);
            Assert.StartsWith(RecoveryPointErrorIds.KmsKeyNotUsable, e.FullyQualifiedErrorId);
            Assert.Contains("-KmsKeyId", e.ErrorDetails?.RecommendedAction ?? e.ToString());
            Assert.DoesNotContain(aws.Requests, q => q.Action == "StartDBInstanceAutomatedBackupsReplication");
        }

        [Fact]
        public void Plan_WhatIf_takes_instance_and_regions_from_the_plan_and_changes_nothing()
        {
            var plan = Path.Combine(_dir, "orders.json");
            File.WriteAllText(plan, DrPlanWriter.ToJson(DrPlanTemplates.Create(DrStrategy.BackupAndRestore)));
            using var aws = Server();
            var r = Run($"Enable-DrBackupReplication -Plan '{plan}' -WhatIf -EndpointUrl {aws.Url} {Keys}");
            Assert.True(r.Terminating == null && r.Errors.Count == 0, r.Describe());
            Assert.Contains("Replicate the automated backups of DB instance orders-db (us-east-1) to us-west-2", r.HostText);
            Assert.Empty(r.Output);
            Assert.DoesNotContain(aws.Requests, q => q.Action == "StartDBInstanceAutomatedBackupsReplication");
            Assert.Contains(aws.Requests, q => q.Action == "DescribeDBInstanceAutomatedBackups" && q.Region == "us-west-2");
        }

        [Fact]
        public void A_plan_without_a_primary_database_is_a_non_terminating_error()
        {
            var plan = Path.Combine(_dir, "ws.json");
            File.WriteAllText(plan, DrPlanWriter.ToJson(DrPlanTemplates.Create(DrStrategy.WarmStandby)).Replace("\"primaryInstanceId\": \"orders-db\",", ""));
            var r = Run($"Enable-DrBackupReplication -Plan '{plan}' -WhatIf -EndpointUrl http://127.0.0.1:9 {Keys}");
            var e = Assert.Single(r.AllErrors);
            Assert.StartsWith("DrTools.InvalidParameter", e.FullyQualifiedErrorId);
            Assert.Null(r.Terminating);
        }
    }
}
