using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Aws.Rds;
using DrTools.Core.Backup;
using DrTools.Core.Diagnostics;
using DrTools.Core.RecoveryPoints;
using DrTools.Core.Tests.Recovery;
using Xunit;

namespace DrTools.Core.Tests.RecoveryPoints
{
    /// <summary>Turning on the replication of a DB instance's automated backups to the DR region (Enable-DrBackupReplication).</summary>
    public sealed class BackupReplicationTests
    {
        const string Home = "us-east-1", Dr = "us-west-2";
        static readonly CancellationToken None = CancellationToken.None;
        readonly FakeCloud _cloud = new();
        readonly RecordingReporter _reporter = new();
        readonly List<string> _asked = new();

        AutomatedBackupReplicator Replicator => new(_cloud, _reporter);
        Task<bool> Yes(string what) { _asked.Add(what); return Task.FromResult(true); }
        static BackupReplicationRequest Request(string? kms = null, int? days = null) => new()
            { DBInstanceIdentifier = "orders-db", SourceRegion = Home, Region = Dr, KmsKeyId = kms, BackupRetentionPeriod = days };

        [Fact]
        public async Task Replication_starts_in_the_DR_region_from_the_source_ARN_and_returns_the_replicated_backups()
        {
            _cloud.AddDb("orders-db");
            var rp = await Replicator.EnableAsync(Request(days: 7), Yes, None);

            Assert.Equal(1, _cloud.Count("StartDBInstanceAutomatedBackupsReplication", Dr));
            var started = Assert.Single(_cloud.RdsFor(Dr).AutomatedBackups);
            Assert.Equal(("arn:aws:rds:us-east-1:123456789012:db:orders-db", 7), (started.DBInstanceArn, started.BackupRetentionPeriod));
            Assert.Equal((RecoveryPointKind.DBAutomatedBackup, "orders-db", Dr, "us-east-1:orders-db", "pending"), (rp!.Kind, rp.SourceId, rp.Region, rp.CopyOf, rp.State));
            Assert.Equal(new[] { "Replicate the automated backups of DB instance orders-db (us-east-1) to us-west-2, kept 7 days" }, _asked);
        }

        [Fact]
        public async Task Already_replicating_is_not_an_error_it_says_so_and_returns_the_existing_backups()
        {
            _cloud.AddDb("orders-db");
            var first = await Replicator.EnableAsync(Request(), Yes, None);
            var again = await Replicator.EnableAsync(Request(kms: "arn:aws:kms:us-west-2:123456789012:key/k"), Yes, None);

            Assert.Equal(1, _cloud.Count("StartDBInstanceAutomatedBackupsReplication", Dr));
            Assert.Equal(first!.Id, again!.Id);
            var warning = Assert.Single(_reporter.Warnings);
            Assert.Contains("already replicated to us-west-2", warning);
            Assert.Contains("-KmsKeyId and -BackupRetentionPeriod apply only when a replication starts", warning);
            Assert.Single(_asked); // nothing to confirm the second time: nothing changes
        }

        [Fact]
        public async Task An_encrypted_source_without_a_KMS_key_fails_with_what_to_do_and_starts_nothing()
        {
            var db = _cloud.AddDb("orders-db");
            _cloud.RdsFor(Home).Instances["orders-db"] = db with { StorageEncrypted = true, KmsKeyId = "arn:aws:kms:us-east-1:123456789012:key/src" };
            var ex = await Assert.ThrowsAsync<DrToolsException>(() => Replicator.EnableAsync(Request(), Yes, None));
            Assert.Equal((RecoveryPointErrorIds.KmsKeyNotUsable, DrErrorCategory.InvalidArgument), (ex.ErrorId, ex.Category));
            Assert.Contains("pass -KmsKeyId with the ARN of a key in us-west-2", ex.RecommendedAction);
            Assert.Equal(0, _cloud.Count("StartDBInstanceAutomatedBackupsReplication", Dr));

            await Replicator.EnableAsync(Request(kms: "arn:aws:kms:us-west-2:123456789012:key/dr"), Yes, None);
            Assert.Equal("arn:aws:kms:us-west-2:123456789012:key/dr", Assert.Single(_cloud.RdsFor(Dr).AutomatedBackups).KmsKeyId);
        }

        [Fact]
        public async Task A_KMS_refusal_by_AWS_becomes_KmsKeyNotUsable()
        {
            _cloud.AddDb("orders-db");
            _cloud.Fail("StartDBInstanceAutomatedBackupsReplication", Dr, FakeCloud.Aws("KMSKeyNotAccessibleFault"));
            var ex = await Assert.ThrowsAsync<DrToolsException>(() => Replicator.EnableAsync(Request(kms: "alias/dr"), Yes, None));
            Assert.Equal(RecoveryPointErrorIds.KmsKeyNotUsable, ex.ErrorId);
        }

        [Fact]
        public async Task Bad_input_a_missing_source_or_backups_turned_off_fail_before_any_change()
        {
            var missing = await Assert.ThrowsAsync<DrToolsException>(() => Replicator.EnableAsync(Request(), Yes, None));
            Assert.Equal(BackupErrorIds.SourceNotFound, missing.ErrorId);

            _cloud.RdsFor(Home).Instances["orders-db"] = _cloud.AddDb("orders-db") with { BackupRetentionPeriod = 0 };
            var off = await Assert.ThrowsAsync<DrToolsException>(() => Replicator.EnableAsync(Request(), Yes, None));
            Assert.Equal(RecoveryPointErrorIds.NoAutomatedBackups, off.ErrorId);
            Assert.Contains("--backup-retention-period", off.RecommendedAction);

            var same = await Assert.ThrowsAsync<DrToolsException>(() => Replicator.EnableAsync(new BackupReplicationRequest
                { DBInstanceIdentifier = "orders-db", SourceRegion = Dr, Region = Dr }, Yes, None));
            Assert.Equal(ErrorIds.InvalidParameter, same.ErrorId);
            var days = await Assert.ThrowsAsync<DrToolsException>(() => Replicator.EnableAsync(Request(days: 36), Yes, None));
            Assert.Equal(ErrorIds.InvalidParameter, days.ErrorId);

            Assert.Equal(0, _cloud.Count("StartDBInstanceAutomatedBackupsReplication", Dr));
            Assert.Empty(_asked);
        }

        [Fact]
        public async Task Declining_the_confirmation_changes_nothing()
        {
            _cloud.AddDb("orders-db");
            Assert.Null(await Replicator.EnableAsync(Request(), _ => Task.FromResult(false), None));
            Assert.Equal(0, _cloud.Count("StartDBInstanceAutomatedBackupsReplication", Dr));
        }
    }
}
