using System;
using System.Linq;
using DrTools.Core.RecoveryPoints;
using DrTools.TestSupport;
using Xunit;
using static DrTools.TestSupport.PsHarness;

namespace DrTools.PowerShell.Tests
{
    /// <summary>The recovery-point parameter sets of the backup cmdlets, against a fake EC2 endpoint (wire format of the EC2 API).</summary>
    public sealed class RecoveryPointCmdletTests
    {
        const string Keys = "-AccessKey AKIDTEST -SecretKey TopSecretValue42";

        static FakeResponse Ec2(string action, string inner) =>
            new(200, $"<{action}Response xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"><requestId>fake-request-id</requestId>{inner}</{action}Response>");

        static FakeResponse Ec2Error(string code, string message) =>
            new(400, $"<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors><RequestID>REQ-{code}</RequestID></Response>");

        static string Tags(params (string K, string V)[] tags) =>
            "<tagSet>" + string.Concat(tags.Select(t => $"<item><key>{t.K}</key><value>{t.V}</value></item>")) + "</tagSet>";

        static string Snapshot(string id, string source, DateTime created, bool tagged = true) =>
            $"<item><snapshotId>{id}</snapshotId><volumeId>vol-ffffffff</volumeId><status>completed</status><volumeSize>8</volumeSize><startTime>{created:yyyy-MM-ddTHH:mm:ss.fffZ}</startTime>" +
            (tagged ? Tags(("DrTools:CreatedBy", "DrTools (test)"), ("DrTools:Source", source), ("DrTools:Kind", "Snapshot"), ("DrTools:Volume", "vol-1"),
                ("DrTools:Created", created.ToString("yyyy-MM-ddTHH:mm:ssZ"))) : "") + "</item>";

        static string Image(string id, string source, DateTime created) =>
            $"<item><imageId>{id}</imageId><imageState>available</imageState><name>{id}-name</name><creationDate>{created:yyyy-MM-ddTHH:mm:ss.fffZ}</creationDate>" +
            $"<blockDeviceMapping><item><deviceName>/dev/xvda</deviceName><ebs><snapshotId>snap-of-{id}</snapshotId></ebs></item></blockDeviceMapping>" +
            Tags(("DrTools:CreatedBy", "DrTools (test)"), ("DrTools:Source", source), ("DrTools:Kind", "Image"), ("DrTools:Created", created.ToString("yyyy-MM-ddTHH:mm:ssZ"))) + "</item>";

        [Fact]
        public void Get_DrBackup_Kind_lists_newest_first_with_RPO_per_source_and_warns_for_a_missed_RPO()
        {
            var now = DateTime.UtcNow;
            using var aws = new FakeAwsServer(r => Ec2("DescribeSnapshots", "<snapshotSet>" + Snapshot("snap-old", "i-b", now.AddDays(-2)) +
                Snapshot("snap-new", "i-a", now.AddHours(-1)) + "</snapshotSet>"));
            var r = Run($"Get-DrBackup -Kind Snapshot -Region us-west-2 -Rpo 1.00:00:00 -EndpointUrl {aws.Url} {Keys}");
            Assert.True(r.Terminating == null && r.Errors.Count == 0, r.Describe());
            var points = r.Output.Select(o => (RecoveryPoint)o.BaseObject).ToList();
            Assert.Equal(new[] { "snap-new", "snap-old" }, points.Select(p => p.Id));
            Assert.Equal((true, false), (points[0].RpoMet, points[1].RpoMet));
            Assert.All(points, p => Assert.Equal("us-west-2", p.Region));
            Assert.Contains(r.Warnings, w => w.StartsWith("RPO not met for i-b") && w.Contains("snap-old"));
            var req = Assert.Single(aws.Requests);
            Assert.Equal(("us-west-2", "DescribeSnapshots", "tag:DrTools:Kind", "Snapshot", "self"),
                (req.Region, req.Action, req.Form["Filter.1.Name"], req.Form["Filter.1.Value.1"], req.Form["Owner.1"]));
        }

        [Fact]
        public void Remove_DrBackup_refuses_a_snapshot_DrTools_did_not_create()
        {
            using var aws = new FakeAwsServer(r => Ec2("DescribeSnapshots", "<snapshotSet>" + Snapshot("snap-manual", "", DateTime.UtcNow, tagged: false) + "</snapshotSet>"));
            var r = Run($"Remove-DrBackup -Kind Snapshot -Id snap-manual -Region us-east-1 -Confirm:$false -EndpointUrl {aws.Url} {Keys}");
            var e = Assert.Single(r.AllErrors);
            Assert.StartsWith(RecoveryPointErrorIds.NotCreatedByDrTools, e.FullyQualifiedErrorId);
            Assert.Contains("snap-manual", e.ToString());
            Assert.DoesNotContain(aws.Requests, q => q.Action == "DeleteSnapshot");
        }

        [Fact]
        public void Remove_DrBackup_Kind_keep_policy_WhatIf_lists_what_would_go_with_the_AMI_snapshots_and_deletes_nothing()
        {
            var now = DateTime.UtcNow;
            using var aws = new FakeAwsServer(r => Ec2("DescribeImages", r.Form.ContainsKey("ImageId.1")
                ? "<imagesSet>" + Image(r.Form["ImageId.1"], "i-a", r.Form["ImageId.1"] == "ami-new" ? now : now.AddDays(-3)) + "</imagesSet>"
                : "<imagesSet>" + Image("ami-old", "i-a", now.AddDays(-3)) + Image("ami-new", "i-a", now) + "</imagesSet>"));
            var r = Run($"Remove-DrBackup -Kind Image -KeepLast 1 -Region us-east-1 -WhatIf -EndpointUrl {aws.Url} {Keys}");
            Assert.True(r.Terminating == null && r.Errors.Count == 0, r.Describe());
            Assert.Contains("AMI ami-old of i-a in us-east-1", r.HostText);
            Assert.Contains("and its snapshots snap-of-ami-old", r.HostText);
            Assert.DoesNotContain("ami-new", r.HostText);
            Assert.Empty(r.Output);
            Assert.DoesNotContain(aws.Requests, q => q.Action is "DeregisterImage" or "DeleteSnapshot");
        }

        [Fact]
        public void Invoke_DrBackup_of_an_instance_that_is_not_in_the_region_says_so()
        {
            using var aws = new FakeAwsServer(r => Ec2Error("InvalidInstanceID.NotFound", "The instance ID 'i-0123456789abcdef0' does not exist"));
            var r = Run($"Invoke-DrBackup -InstanceId i-0123456789abcdef0 -Region eu-west-1 -EndpointUrl {aws.Url} {Keys}");
            var e = Assert.Single(r.AllErrors);
            Assert.StartsWith("DrTools.SourceNotFound", e.FullyQualifiedErrorId);
            Assert.Contains("does not exist in region eu-west-1", e.ToString());
            Assert.Contains("-Region", e.ErrorDetails.RecommendedAction);
            Assert.DoesNotContain(aws.Requests, q => q.Action == "CreateSnapshots");
        }

        [Fact]
        public void Instances_and_DB_instances_bind_from_the_pipeline_by_property_name_and_WhatIf_takes_nothing()
        {
            using var aws = new FakeAwsServer(r => Ec2Error("UnexpectedCall", "no AWS call expected"));
            var r = Run($@"
[pscustomobject]@{{ InstanceId = 'i-1' }}, [pscustomobject]@{{ InstanceId = 'i-2' }} | Invoke-DrBackup -Image -CopyToRegion us-west-2 -Region us-east-1 -WhatIf -EndpointUrl {aws.Url} {Keys}
[pscustomobject]@{{ DBInstanceIdentifier = 'orders-db' }} | Invoke-DrBackup -Region us-east-1 -RetainDays 7 -WhatIf -EndpointUrl {aws.Url} {Keys}");
            Assert.True(r.Terminating == null && r.Errors.Count == 0, r.Describe());
            Assert.Contains("\"Create an AMI without reboot and copy it to us-west-2\" on target \"i-1 in us-east-1\"", r.HostText);
            Assert.Contains("on target \"i-2 in us-east-1\"", r.HostText);
            Assert.Contains("\"Create a DB snapshot\" on target \"orders-db in us-east-1\"", r.HostText);
            Assert.Empty(aws.Requests);
        }

        [Fact]
        public void Recovery_point_parameters_do_not_mix_with_file_backup_parameters()
        {
            var r = Run("Invoke-DrBackup -Path . -Repository . -InstanceId i-1");
            Assert.StartsWith("AmbiguousParameterSet", Assert.Single(r.AllErrors).FullyQualifiedErrorId);
            var r2 = Run("Invoke-DrBackup -InstanceId i-1 -Reboot -Region us-east-1 -WhatIf -AccessKey a -SecretKey b");
            var e = Assert.Single(r2.AllErrors);
            Assert.StartsWith("DrTools.InvalidParameter", e.FullyQualifiedErrorId);
            Assert.Contains("-Reboot applies to images", e.ToString());
        }

        // ---- point-in-time restore of DB instances (issue 12)

        static FakeResponse Rds(string action, string inner) =>
            new(200, $"<{action}Response xmlns=\"http://rds.amazonaws.com/doc/2014-10-31/\"><{action}Result>{inner}</{action}Result>" +
                     $"<ResponseMetadata><RequestId>req-{action}</RequestId></ResponseMetadata></{action}Response>");

        const string ReplicatedBackups =
            "<DBInstanceAutomatedBackups><DBInstanceAutomatedBackup><DBInstanceIdentifier>orders-db</DBInstanceIdentifier><Region>us-east-1</Region>" +
            "<Status>replicating</Status><DBInstanceAutomatedBackupsArn>arn:aws:rds:us-west-2:123456789012:auto-backup:ab-1</DBInstanceAutomatedBackupsArn>" +
            "<RestoreWindow><EarliestTime>2026-12-01T00:00:00Z</EarliestTime><LatestTime>2026-12-05T02:40:00Z</LatestTime></RestoreWindow>" +
            "</DBInstanceAutomatedBackup></DBInstanceAutomatedBackups>";

        [Fact]
        public void Restore_DrBackup_PointInTime_WhatIf_shows_the_plan_and_calls_nothing()
        {
            using var aws = new FakeAwsServer(r => throw new InvalidOperationException("no call expected: " + r.Action));
            var r = Run($"Restore-DrBackup -DBInstanceIdentifier orders-db -SourceRegion us-east-1 -UseLatestRestorableTime -TargetDBInstanceIdentifier orders-db " +
                        $"-Region us-west-2 -WhatIf -EndpointUrl {aws.Url} {Keys}");
            Assert.True(r.Terminating == null && r.Errors.Count == 0, r.Describe());
            Assert.Contains("Create DB instance orders-db in us-west-2 with the data of DB instance orders-db (us-east-1) at its latest restorable time, " +
                            "from its automated backups replicated to us-west-2", r.HostText);
            Assert.Empty(aws.Requests);
        }

        [Fact]
        public void Restore_DrBackup_PointInTime_in_the_DR_region_restores_from_the_replicated_backups_and_lists_their_window()
        {
            using var aws = new FakeAwsServer(r => r.Action switch
            {
                "DescribeDBInstanceAutomatedBackups" => Rds(r.Action, ReplicatedBackups),
                "RestoreDBInstanceToPointInTime" => Rds(r.Action, "<DBInstance><DBInstanceIdentifier>orders-db</DBInstanceIdentifier><DBInstanceStatus>creating</DBInstanceStatus></DBInstance>"),
                _ => throw new InvalidOperationException("unexpected " + r.Action),
            });
            var r = Run($@"
Get-DrBackup -Kind DBAutomatedBackup -Region us-west-2 -EndpointUrl {aws.Url} {Keys}
Restore-DrBackup -DBInstanceIdentifier orders-db -SourceRegion us-east-1 -PointInTime '2026-12-05T02:30:00Z' -TargetDBInstanceIdentifier orders-db -NoWait -Force -Region us-west-2 -EndpointUrl {aws.Url} {Keys}");
            Assert.True(r.Terminating == null && r.Errors.Count == 0, r.Describe());
            var point = (RecoveryPoint)r.Output[0].BaseObject;
            Assert.Equal((RecoveryPointKind.DBAutomatedBackup, "us-east-1:orders-db", new DateTime(2026, 12, 1, 0, 0, 0, DateTimeKind.Utc)),
                (point.Kind, point.CopyOf, point.EarliestRestorableTime));
            var restored = (RestoredResource)r.Output[1].BaseObject;
            Assert.Equal(("orders-db", "us-west-2", new DateTime(2026, 12, 5, 2, 30, 0, DateTimeKind.Utc)), (restored.Id, restored.Region, restored.PointInTime));
            var call = aws.Requests.Last();
            Assert.Equal(("RestoreDBInstanceToPointInTime", "us-west-2", "arn:aws:rds:us-west-2:123456789012:auto-backup:ab-1", "2026-12-05T02:30:00Z"),
                (call.Action, call.Region, call.Form["SourceDBInstanceAutomatedBackupsArn"], call.Form["RestoreTime"]));
            Assert.False(call.Form.ContainsKey("SourceDBInstanceIdentifier"));
        }

        [Fact]
        public void Restore_DrBackup_PointInTime_after_the_window_is_an_error_naming_the_window_and_restores_nothing()
        {
            using var aws = new FakeAwsServer(r => Rds("DescribeDBInstanceAutomatedBackups", ReplicatedBackups));
            var r = Run($"Restore-DrBackup -DBInstanceIdentifier orders-db -SourceRegion us-east-1 -PointInTime '2026-12-05T02:50:00Z' -TargetDBInstanceIdentifier orders-db " +
                        $"-Force -Region us-west-2 -EndpointUrl {aws.Url} {Keys}");
            var e = Assert.Single(r.AllErrors);
            Assert.StartsWith(RecoveryPointErrorIds.PointInTimeOutsideWindow, e.FullyQualifiedErrorId);
            Assert.Contains("2026-12-01T00:00:00Z to 2026-12-05T02:40:00Z", e.ToString());
            Assert.DoesNotContain(aws.Requests, q => q.Action == "RestoreDBInstanceToPointInTime");
        }
    
        // ---- Aurora DB cluster snapshots (issue 15)

        [Fact]
        public void Invoke_DrBackup_DBClusterIdentifier_WhatIf_shows_the_cluster_snapshot_and_copy_and_calls_nothing()
        {
            using var aws = new FakeAwsServer(r => throw new InvalidOperationException("no call expected: " + r.Action));
            var r = Run($@"
Invoke-DrBackup -DBClusterIdentifier orders-aurora -CopyToRegion us-west-2 -KmsKeyId alias/dr -RetainDays 7 -Plan orders -ClientToken n1 -Region us-east-1 -WhatIf -EndpointUrl {aws.Url} {Keys}
Invoke-DrBackup -DBClusterIdentifier billing-aurora -Region us-east-1 -WhatIf -EndpointUrl {aws.Url} {Keys}");
            Assert.True(r.Terminating == null && r.Errors.Count == 0, r.Describe());
            Assert.Contains("\"Create a DB cluster snapshot and copy it to us-west-2\" on target \"orders-aurora in us-east-1\"", r.HostText);
            Assert.Contains("\"Create a DB cluster snapshot\" on target \"billing-aurora in us-east-1\"", r.HostText);
            Assert.Empty(r.Output);
            Assert.Empty(aws.Requests);
        }

        [Fact]
        public void A_piped_DB_instance_whose_DBClusterIdentifier_is_empty_still_gets_a_DB_snapshot()
        {
            // Get-RDSDBInstance output has a DBClusterIdentifier property, empty for a DB instance outside a cluster.
            using var aws = new FakeAwsServer(r => throw new InvalidOperationException("no call expected: " + r.Action));
            var r = Run($"[pscustomobject]@{{ DBInstanceIdentifier = 'orders-db'; DBClusterIdentifier = $null }} | Invoke-DrBackup -Region us-east-1 -WhatIf -EndpointUrl {aws.Url} {Keys}");
            Assert.True(r.Terminating == null && r.Errors.Count == 0, r.Describe());
            Assert.Contains("\"Create a DB snapshot\" on target \"orders-db in us-east-1\"", r.HostText);
            Assert.DoesNotContain("DB cluster snapshot", r.HostText);
        }

        static string ClusterSnapshot(string id, string cluster, DateTime created, bool tagged = true) =>
            $"<DBClusterSnapshot><DBClusterSnapshotIdentifier>{id}</DBClusterSnapshotIdentifier><DBClusterIdentifier>{cluster}</DBClusterIdentifier>" +
            $"<DBClusterSnapshotArn>arn:aws:rds:us-west-2:123456789012:cluster-snapshot:{id}</DBClusterSnapshotArn><Status>available</Status>" +
            $"<SnapshotType>manual</SnapshotType><Engine>aurora-postgresql</Engine><SnapshotCreateTime>{created:yyyy-MM-ddTHH:mm:ss.fffZ}</SnapshotCreateTime>" +
            "<TagList>" + (tagged
                ? $"<Tag><Key>DrTools:CreatedBy</Key><Value>DrTools (test)</Value></Tag><Tag><Key>DrTools:Source</Key><Value>{cluster}</Value></Tag>" +
                  $"<Tag><Key>DrTools:Kind</Key><Value>DBClusterSnapshot</Value></Tag><Tag><Key>DrTools:Created</Key><Value>{created:yyyy-MM-ddTHH:mm:ssZ}</Value></Tag>"
                : "<Tag><Key>Owner</Key><Value>dba</Value></Tag>") + "</TagList></DBClusterSnapshot>";

        [Fact]
        public void Get_DrBackup_Kind_DBClusterSnapshot_lists_DrTools_cluster_snapshots_newest_first_and_warns_for_a_missed_RPO()
        {
            var now = DateTime.UtcNow;
            using var aws = new FakeAwsServer(r => r.Action == "DescribeDBClusterSnapshots"
                ? Rds(r.Action, "<DBClusterSnapshots>" + ClusterSnapshot("drtools-billing-aurora-old", "billing-aurora", now.AddDays(-2)) +
                                ClusterSnapshot("drtools-orders-aurora-new", "orders-aurora", now.AddHours(-1)) +
                                ClusterSnapshot("rds-manual", "orders-aurora", now, tagged: false) + "</DBClusterSnapshots>")
                : throw new InvalidOperationException("unexpected " + r.Action));
            var r = Run($"Get-DrBackup -Kind DBClusterSnapshot -Region us-west-2 -Rpo 1.00:00:00 -EndpointUrl {aws.Url} {Keys}");
            Assert.True(r.Terminating == null && r.Errors.Count == 0, r.Describe());
            var points = r.Output.Select(o => (RecoveryPoint)o.BaseObject).ToList();
            Assert.Equal(new[] { "drtools-orders-aurora-new", "drtools-billing-aurora-old" }, points.Select(p => p.Id));
            Assert.All(points, p => Assert.Equal((RecoveryPointKind.DBClusterSnapshot, "us-west-2"), (p.Kind, p.Region)));
            Assert.Equal(("orders-aurora", true, false), (points[0].SourceId, points[0].RpoMet, points[1].RpoMet));
            Assert.Contains(r.Warnings, w => w.StartsWith("RPO not met for billing-aurora") && w.Contains("drtools-billing-aurora-old"));
            var req = Assert.Single(aws.Requests);
            Assert.Equal(("us-west-2", "manual"), (req.Region, req.Form["SnapshotType"]));
        }
    }
}
