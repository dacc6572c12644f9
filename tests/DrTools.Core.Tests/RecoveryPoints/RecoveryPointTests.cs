using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Aws.Ec2;
using DrTools.Core.Backup;
using DrTools.Core.Diagnostics;
using DrTools.Core.RecoveryPoints;
using Xunit;

namespace DrTools.Core.Tests.RecoveryPoints
{
    public sealed class RecoveryPointTests
    {
        const string Home = "us-east-1", Dr = "us-west-2";
        static readonly CancellationToken None = CancellationToken.None;
        readonly FakeCloud _cloud = new();
        RecoveryPointCreator Creator => new(_cloud);

        // ------------------------------------------------------------------ create, tags, copy

        [Fact]
        public async Task Snapshot_set_covers_every_volume_is_tagged_and_copied_to_the_DR_region_with_the_KMS_key()
        {
            var vm = _cloud.AddInstance(8, 100);
            var expires = DateTime.UtcNow.AddDays(14);
            var points = await Creator.CreateAsync(new RecoveryPointRequest(RecoveryPointKind.Snapshot, vm.InstanceId)
                { CopyToRegion = Dr, KmsKeyId = "alias/dr-ebs", Plan = "nightly", ExpiresAfter = expires, ClientToken = "tok-1" }, None);

            Assert.Equal(1, _cloud.Count("CreateSnapshots"));
            Assert.Equal(vm.VolumeIds.OrderBy(v => v), points.Select(p => p.VolumeId).OrderBy(v => v));
            Assert.All(points, p =>
            {
                Assert.Equal((RecoveryPointKind.Snapshot, vm.InstanceId, Home, "completed", "nightly", "tok-1"), (p.Kind, p.SourceId, p.Region, p.State, p.Plan, p.ClientToken));
                Assert.True(p.CreatedByDrTools);
                Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", p.Tags[RecoveryPointTags.Created]);
                Assert.Equal(RecoveryPointTags.FormatTime(expires), p.Tags[RecoveryPointTags.ExpiresAfter]);
                Assert.StartsWith(Dr + ":snap-", p.CopiedTo);
            });
            Assert.Equal(new[] { 8, 100 }, points.Select(p => p.SizeGiB ?? 0).OrderBy(x => x));
            var copies = _cloud.Ec2For(Dr).Snapshots.Values.ToList();
            Assert.Equal(2, copies.Count);
            Assert.Equal(("alias/dr-ebs", true), (_cloud.Ec2For(Home).LastCopySnapshot!.KmsKeyId, _cloud.Ec2For(Home).LastCopySnapshot!.Encrypted));
            // Copies keep the original's source, time and expiry, and know their original and volume.
            Assert.All(copies, c =>
            {
                Assert.Equal((vm.InstanceId, "Snapshot", "nightly"), (c.Tags[RecoveryPointTags.Source], c.Tags[RecoveryPointTags.Kind], c.Tags[RecoveryPointTags.Plan]));
                Assert.StartsWith(Home + ":snap-", c.Tags[RecoveryPointTags.CopyOf]);
                Assert.Contains(c.Tags[RecoveryPointTags.Volume], vm.VolumeIds);
            });
        }

        [Fact]
        public async Task A_retry_with_the_same_client_token_takes_no_second_snapshot_image_or_DB_snapshot()
        {
            var vm = _cloud.AddInstance(8);
            _cloud.AddDb("orders-db");
            foreach (var kind in new[] { RecoveryPointKind.Snapshot, RecoveryPointKind.Image })
            {
                var first = await Creator.CreateAsync(new RecoveryPointRequest(kind, vm.InstanceId) { ClientToken = "t1", CopyToRegion = Dr }, None);
                var second = await Creator.CreateAsync(new RecoveryPointRequest(kind, vm.InstanceId) { ClientToken = "t1", CopyToRegion = Dr }, None);
                Assert.Equal(first.Select(p => p.Id), second.Select(p => p.Id));
                Assert.Equal(first.Select(p => p.CopiedTo), second.Select(p => p.CopiedTo));
            }
            var db1 = await Creator.CreateAsync(new RecoveryPointRequest(RecoveryPointKind.DBSnapshot, "orders-db") { ClientToken = "t1", CopyToRegion = Dr }, None);
            var db2 = await Creator.CreateAsync(new RecoveryPointRequest(RecoveryPointKind.DBSnapshot, "orders-db") { ClientToken = "t1", CopyToRegion = Dr }, None);
            Assert.Equal(db1.Single().Id, db2.Single().Id);
            Assert.Equal((1, 1, 1), (_cloud.Count("CreateSnapshots"), _cloud.Count("CreateImage"), _cloud.Count("CreateDBSnapshot")));
            Assert.Equal((1, 1, 1), (_cloud.Count("CopySnapshot", Dr), _cloud.Count("CopyImage", Dr), _cloud.Count("CopyDBSnapshot", Dr)));
            // A new token is a new recovery point.
            await Creator.CreateAsync(new RecoveryPointRequest(RecoveryPointKind.Snapshot, vm.InstanceId) { ClientToken = "t2" }, None);
            Assert.Equal(2, _cloud.Count("CreateSnapshots"));
        }

        [Fact]
        public async Task Image_does_not_reboot_by_default_records_the_instance_type_and_copies_with_a_client_token()
        {
            var vm = _cloud.AddInstance(8, 20);
            var p = (await Creator.CreateAsync(new RecoveryPointRequest(RecoveryPointKind.Image, vm.InstanceId) { ClientToken = "img-1", CopyToRegion = Dr, KmsKeyId = "alias/k" }, None)).Single();
            var ec2 = _cloud.Ec2For(Home);
            Assert.True(ec2.LastCreateImage!.NoReboot);
            Assert.Equal("m5.large", p.Tags[RecoveryPointTags.InstanceType]);
            Assert.Equal(("img-1", "alias/k", true), (ec2.LastCopyImage!.ClientToken, ec2.LastCopyImage.KmsKeyId, ec2.LastCopyImage.Encrypted));
            Assert.Equal(2, p.SnapshotIds.Count);
            // The image's own snapshots are tagged as part of the image, so they never show up as snapshot recovery points.
            Assert.All(p.SnapshotIds, s => Assert.Equal("Image", ec2.Snapshots[s].Tags[RecoveryPointTags.Kind]));
            Assert.Empty(await new RecoveryPointCatalog(_cloud).ListAsync(RecoveryPointKind.Snapshot, Home, null, None));
            var copy = _cloud.Ec2For(Dr).Images.Values.Single();
            Assert.Equal($"{Home}:{p.Id}", copy.Tags[RecoveryPointTags.CopyOf]);

            await Creator.CreateAsync(new RecoveryPointRequest(RecoveryPointKind.Image, vm.InstanceId) { Reboot = true }, None);
            Assert.False(ec2.LastCreateImage!.NoReboot);
        }

        [Fact]
        public async Task DB_snapshot_is_named_by_token_and_copied_with_the_source_ARN_and_the_DR_key()
        {
            _cloud.AddDb("orders-db");
            var p = (await Creator.CreateAsync(new RecoveryPointRequest(RecoveryPointKind.DBSnapshot, "orders-db")
                { ClientToken = "Nightly_2024", CopyToRegion = Dr, KmsKeyId = "alias/dr-rds", Plan = "nightly" }, None)).Single();
            Assert.Equal("drtools-orders-db-nightly-2024", p.Id);
            Assert.Equal($"{Dr}:{p.Id}", p.CopiedTo);
            var copy = _cloud.RdsFor(Dr).LastCopy!;
            Assert.Equal(($"arn:aws:rds:{Home}:123456789012:snapshot:{p.Id}", "alias/dr-rds"), (copy.SourceSnapshot, copy.KmsKeyId));
            Assert.Equal("nightly", copy.Tags![RecoveryPointTags.Plan]);
        }

        // ------------------------------------------------------------------ faults

        [Fact]
        public async Task A_source_that_does_not_exist_or_runs_in_another_region_says_which_region_was_searched()
        {
            var e1 = await Assert.ThrowsAsync<DrToolsException>(() => Creator.CreateAsync(new RecoveryPointRequest(RecoveryPointKind.Snapshot, "i-0123456789abcdef0"), None));
            Assert.Equal(BackupErrorIds.SourceNotFound, e1.ErrorId);
            Assert.Contains("does not exist in region us-east-1", e1.Message);
            Assert.Contains("-Region", e1.RecommendedAction);
            var e2 = await Assert.ThrowsAsync<DrToolsException>(() => Creator.CreateAsync(new RecoveryPointRequest(RecoveryPointKind.DBSnapshot, "nope-db"), None));
            Assert.Equal(BackupErrorIds.SourceNotFound, e2.ErrorId);
            Assert.Equal(0, _cloud.Count("CreateSnapshots") + _cloud.Count("CreateDBSnapshot"));
        }

        [Theory]
        [InlineData("OptInRequired")]
        [InlineData("AuthFailure")]
        [InlineData("UnrecognizedClientException")]
        public async Task A_DR_region_the_account_has_not_enabled_is_named_with_how_to_enable_it(string code)
        {
            var vm = _cloud.AddInstance(8);
            _cloud.Fail("CopySnapshot", Dr, FakeCloud.Aws(code, "You are not subscribed to this service"));
            var e = await Assert.ThrowsAsync<DrToolsException>(() => Creator.CreateAsync(new RecoveryPointRequest(RecoveryPointKind.Snapshot, vm.InstanceId) { CopyToRegion = Dr, ClientToken = "t" }, None));
            Assert.Equal(RecoveryPointErrorIds.RegionNotEnabled, e.ErrorId);
            Assert.Equal(code, e.AwsErrorCode);
            Assert.Contains("us-west-2", e.Message);
            Assert.Contains("enable-region --region-name us-west-2", e.RecommendedAction);
            Assert.Contains("-ClientToken t", e.Message);
        }

        [Fact]
        public async Task A_KMS_key_missing_in_the_DR_region_is_named_with_the_region()
        {
            _cloud.AddDb("orders-db");
            _cloud.Fail("CopyDBSnapshot", Dr, FakeCloud.Aws("KMSKeyNotAccessibleFault", "The specified KMS key does not exist"));
            var e = await Assert.ThrowsAsync<DrToolsException>(() => Creator.CreateAsync(
                new RecoveryPointRequest(RecoveryPointKind.DBSnapshot, "orders-db") { CopyToRegion = Dr, KmsKeyId = "alias/missing" }, None));
            Assert.Equal(RecoveryPointErrorIds.KmsKeyNotUsable, e.ErrorId);
            Assert.Contains("'alias/missing' cannot be used in us-west-2", e.Message);
            Assert.Contains("Exists: DB snapshot drtools-orders-db-", e.Message);

            var vm = _cloud.AddInstance(8);
            _cloud.Fail("CopyImage", Dr, FakeCloud.Aws("InvalidParameterValue", "Invalid id: alias/missing (expecting a KMS key)"));
            var e2 = await Assert.ThrowsAsync<DrToolsException>(() => Creator.CreateAsync(
                new RecoveryPointRequest(RecoveryPointKind.Image, vm.InstanceId) { CopyToRegion = Dr, KmsKeyId = "alias/missing" }, None));
            Assert.Equal(RecoveryPointErrorIds.KmsKeyNotUsable, e2.ErrorId);
        }

        [Fact]
        public async Task A_copy_that_fails_halfway_names_what_exists_and_a_rerun_completes_it_without_a_second_snapshot()
        {
            var vm = _cloud.AddInstance(8, 100);
            var ec2 = _cloud.Ec2For(Home);
            // The first copy succeeds, the second fails (e.g. the network drops).
            _cloud.FaultAt = (op, region, n) => op == "CopySnapshot" && region == Dr && n == 2 ? FakeCloud.Aws("InternalError", "We encountered an internal error") : null;
            var request = new RecoveryPointRequest(RecoveryPointKind.Snapshot, vm.InstanceId) { CopyToRegion = Dr, ClientToken = "night-1" };
            var creator = new RecoveryPointCreator(_cloud);
            var e = await Assert.ThrowsAsync<DrToolsException>(() => creator.CreateAsync(request, None));
            Assert.Equal(2, _cloud.Count("CopySnapshot", Dr));
            Assert.Equal(RecoveryPointErrorIds.CopyFailed, e.ErrorId);
            Assert.Equal("InternalError", e.AwsErrorCode);
            var source = ec2.Snapshots.Values.Where(s => s.Tags.ContainsKey(RecoveryPointTags.Token)).ToList();
            Assert.Equal(2, source.Count);
            var copied = source.Single(s => s.Tags.ContainsKey(RecoveryPointTags.CopiedTo));
            var notCopied = source.Single(s => !s.Tags.ContainsKey(RecoveryPointTags.CopiedTo));
            Assert.Contains($"Exists: snapshot(s) ", e.Message);
            Assert.Contains($"Not copied to us-west-2: {notCopied.SnapshotId}", e.Message);
            Assert.Contains(copied.SnapshotId, e.Message);
            Assert.Contains("-ClientToken night-1", e.Message);

            var points = await creator.CreateAsync(request, None);
            Assert.Equal(1, _cloud.Count("CreateSnapshots"));
            Assert.Equal(3, _cloud.Count("CopySnapshot", Dr)); // only the missing copy
            Assert.Equal(2, _cloud.Ec2For(Dr).Snapshots.Count);
            Assert.All(points, p => Assert.StartsWith(Dr + ":", p.CopiedTo));
        }

        // ------------------------------------------------------------------ list and RPO

        [Fact]
        public async Task Listing_is_newest_first_and_RPO_is_evaluated_per_source_in_the_region_asked()
        {
            var a = _cloud.AddInstance(8);
            var b = _cloud.AddInstance(8);
            await Creator.CreateAsync(new RecoveryPointRequest(RecoveryPointKind.Snapshot, a.InstanceId) { CopyToRegion = Dr }, None);
            await Creator.CreateAsync(new RecoveryPointRequest(RecoveryPointKind.Snapshot, b.InstanceId) { CopyToRegion = Dr }, None);
            // b's copy is 2 days old.
            var dr = _cloud.Ec2For(Dr);
            foreach (var s in dr.Snapshots.Values.Where(s => s.Tags[RecoveryPointTags.Source] == b.InstanceId).ToList())
                dr.Snapshots[s.SnapshotId] = s with { Tags = new Dictionary<string, string>(s.Tags.ToDictionary(kv => kv.Key, kv => kv.Value)) { [RecoveryPointTags.Created] = RecoveryPointTags.FormatTime(DateTime.UtcNow.AddDays(-2)) } };
            // An untagged snapshot in the DR region is not a recovery point.
            dr.Snapshots["snap-foreign"] = new Ec2Snapshot("snap-foreign", "completed", "100%", "vol-1", 8, null, false, null, null, DateTime.UtcNow, null, new Dictionary<string, string>());

            var points = await new RecoveryPointCatalog(_cloud).ListAsync(RecoveryPointKind.Snapshot, Dr, null, None);
            Assert.Equal(2, points.Count);
            Assert.Equal(a.InstanceId, points[0].SourceId);
            Assert.True(points[0].Age < TimeSpan.FromMinutes(1));
            var missed = RecoveryPointCatalog.EvaluateRpo(points, TimeSpan.FromDays(1), DateTime.UtcNow, new[] { a.InstanceId, b.InstanceId, "i-never" });
            Assert.Equal((true, false), (points.Single(p => p.SourceId == a.InstanceId).RpoMet, points.Single(p => p.SourceId == b.InstanceId).RpoMet));
            Assert.Equal(new[] { b.InstanceId, "i-never" }, missed);
            Assert.Single(await new RecoveryPointCatalog(_cloud).ListAsync(RecoveryPointKind.Snapshot, Dr, new[] { b.InstanceId }, None));
        }

        // ------------------------------------------------------------------ restore

        [Fact]
        public async Task Restore_makes_a_volume_an_instance_and_a_DB_instance_with_the_given_settings_and_waits()
        {
            var vm = _cloud.AddInstance(8);
            _cloud.AddDb("orders-db");
            var snap = (await Creator.CreateAsync(new RecoveryPointRequest(RecoveryPointKind.Snapshot, vm.InstanceId), None)).Single();
            var img = (await Creator.CreateAsync(new RecoveryPointRequest(RecoveryPointKind.Image, vm.InstanceId), None)).Single();
            var db = (await Creator.CreateAsync(new RecoveryPointRequest(RecoveryPointKind.DBSnapshot, "orders-db"), None)).Single();
            var restorer = new RecoveryPointRestorer(_cloud);

            var vol = await restorer.RestoreAsync(snap, new RecoveryPointRestoreRequest { AvailabilityZone = "us-east-1b", VolumeType = "io2", KmsKeyId = "alias/k" }, None);
            Assert.Equal(("Volume", "available"), (vol.ResourceType, vol.State));
            var cv = _cloud.Ec2For(Home).LastCreateVolume!;
            Assert.Equal(("us-east-1b", "io2", true, "alias/k"), (cv.AvailabilityZone, cv.VolumeType, cv.Encrypted, cv.KmsKeyId));
            Assert.Equal($"{Home}:{snap.Id}", cv.Tags[RecoveryPointTags.RestoredFrom]);
            await Assert.ThrowsAsync<DrToolsException>(() => restorer.RestoreAsync(snap, new RecoveryPointRestoreRequest(), None));

            var inst = await restorer.RestoreAsync(img, new RecoveryPointRestoreRequest { SubnetId = "subnet-9", SecurityGroupIds = { "sg-1" }, KeyName = "kp", Tags = { ["Name"] = "web01-dr" } }, None);
            Assert.Equal(("Instance", "running"), (inst.ResourceType, inst.State));
            var run = _cloud.Ec2For(Home).LastRun!;
            Assert.Equal(("m5.large", "subnet-9", "kp", "web01-dr"), (run.InstanceType, run.SubnetId, run.KeyName, run.Tags["Name"]));
            Assert.Equal(new[] { "sg-1" }, run.SecurityGroupIds);

            var dbi = await restorer.RestoreAsync(db, new RecoveryPointRestoreRequest { DBInstanceClass = "db.r6g.large", DBSubnetGroupName = "dr", MultiAZ = true, SecurityGroupIds = { "sg-db" } }, None);
            Assert.Equal(("DBInstance", "available", "orders-db"), (dbi.ResourceType, dbi.State, dbi.Id));
            var rr = _cloud.RdsFor(Home).LastRestore!;
            Assert.Equal(("db.r6g.large", "dr", true, db.Id), (rr.DBInstanceClass, rr.DBSubnetGroupName, rr.MultiAZ, rr.DBSnapshotIdentifier));
            Assert.Equal(new[] { "sg-db" }, rr.VpcSecurityGroupIds);
        }

        // ------------------------------------------------------------------ drill

        async Task<RecoveryPoint> ImagePoint() => (await Creator.CreateAsync(new RecoveryPointRequest(RecoveryPointKind.Image, _cloud.AddInstance(8).InstanceId), None)).Single();

        [Fact]
        public async Task Drill_restores_a_tagged_scratch_resource_validates_times_and_deletes_it()
        {
            _cloud.AddDb("orders-db");
            var db = (await Creator.CreateAsync(new RecoveryPointRequest(RecoveryPointKind.DBSnapshot, "orders-db"), None)).Single();
            RestoredResource? seen = null;
            var result = await new RecoveryPointDrill(_cloud).RunAsync(db, new RecoveryPointDrillOptions
            {
                RtoTarget = TimeSpan.FromMinutes(30),
                Validation = (r, _) => { seen = r; return Task.FromResult(r.Address != null); },
            }, None);
            Assert.True(result.Passed, string.Join("; ", result.Failures.Select(f => f.Message)));
            Assert.Equal(("Drill", "DBSnapshot", db.Id, true), (result.Mode, result.Kind, result.BackupSetId, result.RtoMet));
            Assert.StartsWith("drill-orders-db-", result.RestoredId);
            Assert.Equal(result.RestoredId, seen!.Id);
            Assert.Equal("true", _cloud.RdsFor(Home).LastRestore!.Tags![RecoveryPointTags.Drill]);
            Assert.Equal(new[] { result.RestoredId }, _cloud.RdsFor(Home).Deleted);
        }

        [Fact]
        public async Task Drill_fails_on_validation_false_or_throw_or_missed_RTO_and_still_cleans_up()
        {
            var img = await ImagePoint();
            var drill = new RecoveryPointDrill(_cloud);
            var r1 = await drill.RunAsync(img, new RecoveryPointDrillOptions { Validation = (_, _) => Task.FromResult(false) }, None);
            var r2 = await drill.RunAsync(img, new RecoveryPointDrillOptions { Validation = (_, _) => throw new InvalidOperationException("port 443 closed") }, None);
            var r3 = await drill.RunAsync(img, new RecoveryPointDrillOptions { RtoTarget = TimeSpan.Zero }, None);
            Assert.False(r1.Passed);
            Assert.Equal(RecoveryPointDrill.ValidationFailedId, Assert.Single(r1.Failures).ErrorId);
            Assert.Contains("port 443 closed", Assert.Single(r2.Failures).Message);
            Assert.Equal((false, false), (r3.Passed, r3.RtoMet));
            Assert.Equal(3, _cloud.Count("TerminateInstances"));
            Assert.All(_cloud.Ec2For(Home).Instances.Values.Where(i => i.Tags.ContainsKey(RecoveryPointTags.Drill)), i => Assert.Equal("terminated", i.State));
        }

        [Fact]
        public async Task Drill_cleans_up_after_a_restore_failure_and_after_cancellation_but_not_with_Keep()
        {
            var img = await ImagePoint();
            var ec2 = _cloud.Ec2For(Home);
            ec2.RunningState = "shutting-down";
            var failed = await new RecoveryPointDrill(_cloud).RunAsync(img, new RecoveryPointDrillOptions(), None);
            Assert.False(failed.Passed);
            Assert.Equal(ErrorIds.InvalidState, Assert.Single(failed.Failures).ErrorId);
            Assert.Equal(1, _cloud.Count("TerminateInstances"));

            ec2.RunningState = "running";
            ec2.HangRunning = true;
            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new RecoveryPointDrill(_cloud).RunAsync(img, new RecoveryPointDrillOptions(), cts.Token));
            Assert.Equal(2, _cloud.Count("TerminateInstances"));
            Assert.All(ec2.Instances.Values.Where(i => i.Tags.ContainsKey(RecoveryPointTags.Drill)), i => Assert.Equal("terminated", i.State));

            ec2.HangRunning = false;
            var kept = await new RecoveryPointDrill(_cloud).RunAsync(img, new RecoveryPointDrillOptions { Keep = true }, None);
            Assert.True(kept.Passed);
            Assert.Equal(kept.RestoredId, kept.ScratchPath);
            Assert.Equal("running", ec2.Instances[kept.RestoredId!].State);
            Assert.Equal(2, _cloud.Count("TerminateInstances"));
        }

        [Fact]
        public async Task Drill_of_a_snapshot_deletes_the_scratch_volume()
        {
            var snap = (await Creator.CreateAsync(new RecoveryPointRequest(RecoveryPointKind.Snapshot, _cloud.AddInstance(8).InstanceId), None)).Single();
            var r = await new RecoveryPointDrill(_cloud).RunAsync(snap, new RecoveryPointDrillOptions(), None);
            Assert.True(r.Passed);
            Assert.Equal("us-east-1a", _cloud.Ec2For(Home).LastCreateVolume!.AvailabilityZone);
            Assert.False(_cloud.Ec2For(Home).Volumes.ContainsKey(r.RestoredId!));
        }

        // ------------------------------------------------------------------ remove

        [Fact]
        public async Task Keep_policy_applies_per_source_and_expired_only_removes_expired_points()
        {
            var vm = _cloud.AddInstance(8);
            var ec2 = _cloud.Ec2For(Home);
            for (int day = 0; day < 4; day++)
                await Creator.CreateAsync(new RecoveryPointRequest(RecoveryPointKind.Snapshot, vm.InstanceId) { ClientToken = "d" + day }, None);
            // Spread them over four days, the two oldest expired.
            var ordered = ec2.Snapshots.Values.OrderBy(s => s.SnapshotId).ToList();
            for (int i = 0; i < 4; i++)
                ec2.Snapshots[ordered[i].SnapshotId] = ordered[i] with
                {
                    Tags = new Dictionary<string, string>(ordered[i].Tags.ToDictionary(kv => kv.Key, kv => kv.Value))
                    {
                        [RecoveryPointTags.Created] = RecoveryPointTags.FormatTime(DateTime.UtcNow.AddDays(i - 4)),
                        [RecoveryPointTags.ExpiresAfter] = RecoveryPointTags.FormatTime(DateTime.UtcNow.AddDays(i < 2 ? -1 : 5)),
                    },
                };
            var remover = new RecoveryPointRemover(_cloud);
            var plan = await remover.PlanAsync(RecoveryPointKind.Snapshot, Home, new RetentionPolicy { KeepLast = 1 }, false, null, DateTime.UtcNow, None);
            Assert.Equal(ordered.Take(3).Select(s => s.SnapshotId).OrderBy(x => x), plan.Remove.Select(r => r.Id).OrderBy(x => x));
            var expired = await remover.PlanAsync(RecoveryPointKind.Snapshot, Home, null, true, null, DateTime.UtcNow, None);
            Assert.Equal(ordered.Take(2).Select(s => s.SnapshotId).OrderBy(x => x), expired.Remove.Select(r => r.Id).OrderBy(x => x));
            var both = await remover.PlanAsync(RecoveryPointKind.Snapshot, Home, new RetentionPolicy { KeepLast = 3 }, true, null, DateTime.UtcNow, None);
            Assert.Equal(new[] { ordered[0].SnapshotId }, both.Remove.Select(r => r.Id));

            foreach (var r in expired.Remove) await remover.RemoveAsync(r.Kind, r.Id, r.Region, r.Reason, None);
            Assert.Equal(2, ec2.Snapshots.Count);
        }

        [Fact]
        public async Task Removing_an_untagged_snapshot_is_refused_and_removing_an_AMI_deletes_its_snapshots()
        {
            var ec2 = _cloud.Ec2For(Home);
            ec2.Snapshots["snap-manual"] = new Ec2Snapshot("snap-manual", "completed", "100%", "vol-1", 8, null, false, null, null, DateTime.UtcNow, null, new Dictionary<string, string>());
            var remover = new RecoveryPointRemover(_cloud);
            var e = await Assert.ThrowsAsync<DrToolsException>(() => remover.RemoveAsync(RecoveryPointKind.Snapshot, "snap-manual", Home, "asked", None));
            Assert.Equal(RecoveryPointErrorIds.NotCreatedByDrTools, e.ErrorId);
            Assert.True(ec2.Snapshots.ContainsKey("snap-manual"));
            Assert.Equal(0, _cloud.Count("DeleteSnapshot"));
            var missing = await Assert.ThrowsAsync<DrToolsException>(() => remover.RemoveAsync(RecoveryPointKind.Image, "ami-nope", Home, "asked", None));
            Assert.Equal(RecoveryPointErrorIds.RecoveryPointNotFound, missing.ErrorId);

            var img = await ImagePoint();
            var removal = await remover.RemoveAsync(RecoveryPointKind.Image, img.Id, Home, "asked", None);
            Assert.Equal(img.SnapshotIds, removal.DeletedSnapshotIds);
            Assert.False(ec2.Images.ContainsKey(img.Id));
            Assert.All(img.SnapshotIds, s => Assert.False(ec2.Snapshots.ContainsKey(s)));
            Assert.Contains("and its snapshots " + img.SnapshotIds[0], RecoveryPointRemover.Describe(img, "x"));
        }

        [Fact]
        public void Retention_policy_on_any_item_keeps_per_group()
        {
            var now = new DateTime(2024, 5, 10, 2, 0, 0, DateTimeKind.Utc);
            var items = Enumerable.Range(0, 10).Select(d => (Id: $"a{d}", Time: now.AddDays(-d), Group: "a"))
                .Concat(Enumerable.Range(0, 3).Select(d => (Id: $"b{d}", Time: now.AddDays(-d), Group: "b"))).ToList();
            var keep = new RetentionPolicy { KeepDaily = 2, KeepWeekly = 2 }.SelectKeep(items, i => i.Id, i => i.Time, i => i.Group);
            Assert.Equal(new[] { "a0", "a1", "a5", "b0", "b1" }, keep.OrderBy(x => x));
        }
    }
}
