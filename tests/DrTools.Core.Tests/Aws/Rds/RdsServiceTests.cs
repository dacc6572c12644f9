using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Aws.Rds;
using DrTools.Core.Connection;
using DrTools.Core.Diagnostics;
using DrTools.TestSupport;
using Xunit;

namespace DrTools.Core.Tests.Aws.Rds
{
    public class RdsServiceTests
    {
        const string Ns = "http://rds.amazonaws.com/doc/2014-10-31/";
        const string SourceSnapshotArn = "arn:aws:rds:us-east-1:123456789012:snapshot:orders-db-2026-01-01";
        const string SourceDbArn = "arn:aws:rds:us-east-1:123456789012:db:orders-db";

        static FakeResponse Ok(string action, string result) => QueryFakes.Ok(action, Ns, result);

        static (FakeAwsServer Server, RdsService Rds) Start(Func<FakeRequest, FakeResponse> handler, string region = "us-west-2", int? retries = null)
        {
            var server = new FakeAwsServer(handler);
            var rds = RdsService.Create(new AwsClientFactory(QueryFakes.Connection(server, region, retries)));
            rds.PollInterval = TimeSpan.FromMilliseconds(5);
            return (server, rds);
        }

        static string Instance(string id, string status = "available", string extra = "") =>
            $"<DBInstance><DBInstanceIdentifier>{id}</DBInstanceIdentifier><DBInstanceClass>db.t3.micro</DBInstanceClass><Engine>postgres</Engine>" +
            $"<DBInstanceStatus>{status}</DBInstanceStatus>{extra}</DBInstance>";

        const string FullInstance =
            "<DBInstance>" +
            "<DBInstanceIdentifier>orders-db</DBInstanceIdentifier><DBInstanceClass>db.r6g.large</DBInstanceClass><Engine>postgres</Engine>" +
            "<DBInstanceStatus>available</DBInstanceStatus><MasterUsername>admin</MasterUsername>" +
            "<Endpoint><Address>orders-db.abc123.us-west-2.rds.amazonaws.com</Address><Port>5432</Port><HostedZoneId>Z1PVIF0B656C1W</HostedZoneId></Endpoint>" +
            "<AllocatedStorage>200</AllocatedStorage><InstanceCreateTime>2025-12-01T10:20:30.123Z</InstanceCreateTime>" +
            "<BackupRetentionPeriod>7</BackupRetentionPeriod>" +
            "<VpcSecurityGroups><VpcSecurityGroupMembership><VpcSecurityGroupId>sg-0a1</VpcSecurityGroupId><Status>active</Status></VpcSecurityGroupMembership>" +
            "<VpcSecurityGroupMembership><VpcSecurityGroupId>sg-0b2</VpcSecurityGroupId><Status>active</Status></VpcSecurityGroupMembership></VpcSecurityGroups>" +
            "<AvailabilityZone>us-west-2a</AvailabilityZone>" +
            "<DBSubnetGroup><DBSubnetGroupName>dr-subnets</DBSubnetGroupName><VpcId>vpc-0dr</VpcId><SubnetGroupStatus>Complete</SubnetGroupStatus><Subnets/></DBSubnetGroup>" +
            "<PendingModifiedValues><DBInstanceClass>db.r6g.xlarge</DBInstanceClass></PendingModifiedValues>" +
            "<LatestRestorableTime>2026-01-02T03:04:05Z</LatestRestorableTime>" +
            "<MultiAZ>true</MultiAZ><EngineVersion>15.4</EngineVersion>" +
            "<ReadReplicaSourceDBInstanceIdentifier>" + SourceDbArn + "</ReadReplicaSourceDBInstanceIdentifier>" +
            "<ReadReplicaDBInstanceIdentifiers><ReadReplicaDBInstanceIdentifier>orders-ro-1</ReadReplicaDBInstanceIdentifier>" +
            "<ReadReplicaDBInstanceIdentifier>orders-ro-2</ReadReplicaDBInstanceIdentifier></ReadReplicaDBInstanceIdentifiers>" +
            "<SecondaryAvailabilityZone>us-west-2b</SecondaryAvailabilityZone><StorageType>gp3</StorageType>" +
            "<StorageEncrypted>true</StorageEncrypted><KmsKeyId>arn:aws:kms:us-west-2:123456789012:key/dr-key</KmsKeyId>" +
            "<DBInstanceArn>arn:aws:rds:us-west-2:123456789012:db:orders-db</DBInstanceArn><DeletionProtection>true</DeletionProtection>" +
            "<TagList><Tag><Key>app</Key><Value>orders</Value></Tag><Tag><Key>dr</Key><Value></Value></Tag></TagList>" +
            "</DBInstance>";

        [Fact]
        public async Task DescribeDBInstances_sends_filters_in_RDS_list_encoding_and_follows_Marker_across_pages()
        {
            var (server, rds) = Start(r => r.Form.ContainsKey("Marker")
                ? Ok("DescribeDBInstances", $"<DBInstances>{Instance("orders-ro-1", "creating")}</DBInstances>")
                : Ok("DescribeDBInstances", $"<Marker>page-2</Marker><DBInstances>{FullInstance}</DBInstances>"));
            using (server)
            using (rds)
            {
                var all = await rds.DescribeDBInstancesAsync(null, new[] { new RdsFilter("engine", "postgres", "mysql"), new RdsFilter("db-cluster-id", "none") });

                Assert.Equal(new[] { "orders-db", "orders-ro-1" }, all.Select(d => d.Identifier));
                var requests = server.Requests.ToArray();
                Assert.Equal(2, requests.Length);
                Assert.All(requests, r => Assert.Equal(("POST", "rds", "us-west-2"), (r.Method, r.Service, r.Region)));
                QueryFakes.AssertForm(requests[0].Form,
                    ("Action", "DescribeDBInstances"), ("Version", "2014-10-31"),
                    ("Filters.Filter.1.Name", "engine"), ("Filters.Filter.1.Values.Value.1", "postgres"), ("Filters.Filter.1.Values.Value.2", "mysql"),
                    ("Filters.Filter.2.Name", "db-cluster-id"), ("Filters.Filter.2.Values.Value.1", "none"),
                    ("MaxRecords", "100"));
                QueryFakes.AssertForm(requests[1].Form,
                    ("Action", "DescribeDBInstances"), ("Version", "2014-10-31"),
                    ("Filters.Filter.1.Name", "engine"), ("Filters.Filter.1.Values.Value.1", "postgres"), ("Filters.Filter.1.Values.Value.2", "mysql"),
                    ("Filters.Filter.2.Name", "db-cluster-id"), ("Filters.Filter.2.Values.Value.1", "none"),
                    ("MaxRecords", "100"), ("Marker", "page-2"));
            }
        }

        [Fact]
        public async Task DescribeDBInstances_parses_the_members_DR_uses()
        {
            var (server, rds) = Start(_ => Ok("DescribeDBInstances", $"<DBInstances>{FullInstance}</DBInstances>"));
            using (server)
            using (rds)
            {
                var db = (await rds.DescribeDBInstancesAsync("orders-db")).Single();
                QueryFakes.AssertForm(server.Requests.Single().Form,
                    ("Action", "DescribeDBInstances"), ("Version", "2014-10-31"), ("DBInstanceIdentifier", "orders-db"), ("MaxRecords", "100"));

                Assert.Equal("orders-db", db.Identifier);
                Assert.Equal("arn:aws:rds:us-west-2:123456789012:db:orders-db", db.Arn);
                Assert.Equal("db.r6g.large", db.InstanceClass);
                Assert.Equal("db.r6g.xlarge", db.PendingInstanceClass);
                Assert.Equal(("postgres", "15.4", "available"), (db.Engine, db.EngineVersion, db.Status));
                Assert.Equal(("us-west-2a", "us-west-2b", true), (db.AvailabilityZone, db.SecondaryAvailabilityZone, db.MultiAZ));
                Assert.Equal(("orders-db.abc123.us-west-2.rds.amazonaws.com", (int?)5432), (db.EndpointAddress, db.EndpointPort));
                Assert.Equal((200, "gp3"), (db.AllocatedStorage!.Value, db.StorageType));
                Assert.True(db.StorageEncrypted);
                Assert.Equal("arn:aws:kms:us-west-2:123456789012:key/dr-key", db.KmsKeyId);
                Assert.True(db.IsReadReplica);
                Assert.Equal(SourceDbArn, db.ReadReplicaSource);
                Assert.Equal(new[] { "orders-ro-1", "orders-ro-2" }, db.ReadReplicas);
                Assert.Equal(("dr-subnets", "vpc-0dr"), (db.DBSubnetGroupName, db.VpcId));
                Assert.Equal(new[] { "sg-0a1", "sg-0b2" }, db.VpcSecurityGroupIds);
                Assert.Equal(7, db.BackupRetentionPeriod);
                Assert.Equal(new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc), db.LatestRestorableTime);
                Assert.Equal(DateTimeKind.Utc, db.InstanceCreateTime!.Value.Kind);
                Assert.Equal(new DateTime(2025, 12, 1, 10, 20, 30, 123, DateTimeKind.Utc), db.InstanceCreateTime);
                Assert.True(db.DeletionProtection);
                Assert.Equal(new Dictionary<string, string> { ["app"] = "orders", ["dr"] = "" }, db.Tags);
                Assert.Equal("us-west-2", db.Region);
            }
        }

        [Fact]
        public async Task Empty_lists_give_empty_results_and_defaults()
        {
            var (server, rds) = Start(r => r.Action == "DescribeDBInstances"
                ? Ok("DescribeDBInstances", "<DBInstances/>")
                : Ok("DescribeDBSnapshots", "<DBSnapshots></DBSnapshots>"));
            using (server)
            using (rds)
            {
                Assert.Empty(await rds.DescribeDBInstancesAsync());
                Assert.Empty(await rds.DescribeDBSnapshotsAsync());
                var minimal = DbInstance.Parse(System.Xml.Linq.XElement.Parse(Instance("x")), "us-west-2");
                Assert.Empty(minimal.ReadReplicas);
                Assert.False(minimal.IsReadReplica);
                Assert.Null(minimal.EndpointAddress);
                Assert.Empty(minimal.Tags);
            }
        }

        [Fact]
        public async Task DescribeDBSnapshots_pages_and_parses_snapshots()
        {
            const string copied =
                "<DBSnapshot><DBSnapshotIdentifier>orders-dr-copy</DBSnapshotIdentifier><DBInstanceIdentifier>orders-db</DBInstanceIdentifier>" +
                "<SnapshotCreateTime>2026-01-01T00:10:00Z</SnapshotCreateTime><Engine>postgres</Engine><AllocatedStorage>200</AllocatedStorage>" +
                "<Status>copying</Status><Port>5432</Port><AvailabilityZone>us-west-2a</AvailabilityZone><VpcId>vpc-0dr</VpcId>" +
                "<EngineVersion>15.4</EngineVersion><SnapshotType>manual</SnapshotType><PercentProgress>42</PercentProgress>" +
                "<SourceRegion>us-east-1</SourceRegion><SourceDBSnapshotIdentifier>" + SourceSnapshotArn + "</SourceDBSnapshotIdentifier>" +
                "<StorageType>gp3</StorageType><Encrypted>true</Encrypted><KmsKeyId>arn:aws:kms:us-west-2:123456789012:key/dr-key</KmsKeyId>" +
                "<DBSnapshotArn>arn:aws:rds:us-west-2:123456789012:snapshot:orders-dr-copy</DBSnapshotArn>" +
                "<TagList><Tag><Key>purpose</Key><Value>dr</Value></Tag></TagList>" +
                "<OriginalSnapshotCreateTime>2025-12-31T23:00:00Z</OriginalSnapshotCreateTime></DBSnapshot>";
            var (server, rds) = Start(r => r.Form.TryGetValue("Marker", out var m) && m == "s2"
                ? Ok("DescribeDBSnapshots", "<DBSnapshots><DBSnapshot><DBSnapshotIdentifier>rds:orders-db-2026-01-01-00-05</DBSnapshotIdentifier>" +
                                            "<Status>available</Status><SnapshotType>automated</SnapshotType></DBSnapshot></DBSnapshots>")
                : Ok("DescribeDBSnapshots", $"<DBSnapshots>{copied}</DBSnapshots><Marker>s2</Marker>"));
            using (server)
            using (rds)
            {
                var snaps = await rds.DescribeDBSnapshotsAsync(new DbSnapshotQuery { DBInstanceIdentifier = "orders-db", SnapshotType = "manual" });

                Assert.Equal(2, snaps.Count);
                var requests = server.Requests.ToArray();
                QueryFakes.AssertForm(requests[0].Form, ("Action", "DescribeDBSnapshots"), ("Version", "2014-10-31"),
                    ("DBInstanceIdentifier", "orders-db"), ("SnapshotType", "manual"), ("MaxRecords", "100"));
                Assert.Equal("s2", requests[1].Form["Marker"]);
                var s = snaps[0];
                Assert.Equal(("orders-dr-copy", "orders-db", "copying", "manual"), (s.Identifier, s.DBInstanceIdentifier, s.Status, s.SnapshotType));
                Assert.Equal(42, s.PercentProgress);
                Assert.Equal(new DateTime(2026, 1, 1, 0, 10, 0, DateTimeKind.Utc), s.SnapshotCreateTime);
                Assert.Equal(new DateTime(2025, 12, 31, 23, 0, 0, DateTimeKind.Utc), s.OriginalSnapshotCreateTime);
                Assert.Equal(("us-east-1", SourceSnapshotArn), (s.SourceRegion, s.SourceDBSnapshotIdentifier));
                Assert.True(s.Encrypted);
                Assert.Equal("arn:aws:kms:us-west-2:123456789012:key/dr-key", s.KmsKeyId);
                Assert.Equal("arn:aws:rds:us-west-2:123456789012:snapshot:orders-dr-copy", s.Arn);
                Assert.Equal((200, 5432, "vpc-0dr"), (s.AllocatedStorage!.Value, s.Port!.Value, s.VpcId));
                Assert.Equal("dr", s.Tags["purpose"]);
                Assert.Equal(("rds:orders-db-2026-01-01-00-05", "automated"), (snaps[1].Identifier, snaps[1].SnapshotType));
            }
        }

        [Fact]
        public async Task An_unknown_instance_is_DrTools_NotFound_with_the_AWS_code_and_request_id_and_Find_returns_null()
        {
            var (server, rds) = Start(_ => QueryFakes.Error(404, "DBInstanceNotFound", "DBInstance orders-db not found.", "9f3b2c1d-aaaa-bbbb-cccc-000000000404"));
            using (server)
            using (rds)
            {
                var ex = await Assert.ThrowsAsync<DrToolsException>(() => rds.DescribeDBInstancesAsync("orders-db"));
                Assert.Equal(ErrorIds.NotFound, ex.ErrorId);
                Assert.Equal(DrErrorCategory.ObjectNotFound, ex.Category);
                Assert.Equal("DBInstanceNotFound", ex.AwsErrorCode);
                Assert.Equal("9f3b2c1d-aaaa-bbbb-cccc-000000000404", ex.RequestId);
                Assert.Equal("RDS", ex.Service);
                Assert.Contains("DB instance 'orders-db'", ex.Message);
                Assert.Equal("orders-db", ex.Target);

                Assert.Null(await rds.FindDBInstanceAsync("orders-db"));
                // 404 is not retried.
                Assert.Equal(2, server.Requests.Count);
            }
        }

        [Fact]
        public async Task An_unknown_snapshot_is_DrTools_NotFound_and_Find_returns_null()
        {
            var (server, rds) = Start(_ => QueryFakes.Error(404, "DBSnapshotNotFound", "DBSnapshot snap-x not found."));
            using (server)
            using (rds)
            {
                var ex = await Assert.ThrowsAsync<DrToolsException>(() => rds.DescribeDBSnapshotsAsync(new DbSnapshotQuery { DBSnapshotIdentifier = "snap-x" }));
                Assert.Equal(ErrorIds.NotFound, ex.ErrorId);
                Assert.Equal("DBSnapshotNotFound", ex.AwsErrorCode);
                Assert.Null(await rds.FindDBSnapshotAsync("snap-x"));
            }
        }

        [Theory]
        [InlineData("DBInstanceAlreadyExists", 400, "DrTools.AlreadyExists")]
        [InlineData("DBSnapshotAlreadyExists", 400, "DrTools.AlreadyExists")]
        [InlineData("InvalidDBInstanceState", 400, "DrTools.InvalidState")]
        [InlineData("InvalidDBSnapshotState", 400, "DrTools.InvalidState")]
        [InlineData("ValidationError", 400, "DrTools.InvalidParameter")]
        [InlineData("InvalidParameterCombination", 400, "DrTools.InvalidParameter")]
        [InlineData("DBSubnetGroupNotFoundFault", 404, "DrTools.NotFound")]
        [InlineData("AccessDenied", 403, "DrTools.AccessDenied")]
        public async Task AWS_error_codes_map_to_DrTools_error_ids(string code, int status, string errorId)
        {
            var (server, rds) = Start(_ => QueryFakes.Error(status, code, "message from RDS"));
            using (server)
            using (rds)
            {
                var ex = await Assert.ThrowsAsync<DrToolsException>(() => rds.RestoreDBInstanceFromDBSnapshotAsync(
                    new RestoreDbInstanceRequest { DBInstanceIdentifier = "orders-dr", DBSnapshotIdentifier = "orders-dr-copy" }));
                Assert.Equal(errorId, ex.ErrorId);
                Assert.Equal(code, ex.AwsErrorCode);
                Assert.Contains("message from RDS", ex.Message);
                Assert.Contains("DB instance 'orders-dr' from DB snapshot 'orders-dr-copy'", ex.Message);
            }
        }

        [Fact]
        public async Task Throttling_is_retried_by_the_SDK_and_then_succeeds()
        {
            int calls = 0;
            var (server, rds) = Start(_ => Interlocked.Increment(ref calls) <= 2
                ? QueryFakes.Error(400, "Throttling", "Rate exceeded")
                : Ok("DescribeDBInstances", $"<DBInstances>{Instance("orders-db")}</DBInstances>"));
            using (server)
            using (rds)
            {
                var all = await rds.DescribeDBInstancesAsync();
                Assert.Equal("orders-db", all.Single().Identifier);
                Assert.Equal(3, server.Requests.Count);
            }
        }

        [Fact]
        public async Task Throttling_that_never_stops_is_DrTools_Throttled()
        {
            var (server, rds) = Start(_ => QueryFakes.Error(400, "Throttling", "Rate exceeded"), retries: 1);
            using (server)
            using (rds)
            {
                var ex = await Assert.ThrowsAsync<DrToolsException>(() => rds.DescribeDBInstancesAsync());
                Assert.Equal(ErrorIds.Throttled, ex.ErrorId);
                Assert.Equal(2, server.Requests.Count);
            }
        }

        [Fact]
        public async Task CreateDBSnapshot_sends_tags_in_RDS_list_encoding()
        {
            var (server, rds) = Start(_ => Ok("CreateDBSnapshot",
                "<DBSnapshot><DBSnapshotIdentifier>orders-pre-failover</DBSnapshotIdentifier><DBInstanceIdentifier>orders-db</DBInstanceIdentifier>" +
                "<Status>creating</Status><PercentProgress>0</PercentProgress><SnapshotType>manual</SnapshotType></DBSnapshot>"));
            using (server)
            using (rds)
            {
                var snap = await rds.CreateDBSnapshotAsync("orders-db", "orders-pre-failover",
                    new Dictionary<string, string> { ["purpose"] = "dr", ["ticket"] = "INC-42" });
                QueryFakes.AssertForm(server.Requests.Single().Form,
                    ("Action", "CreateDBSnapshot"), ("Version", "2014-10-31"),
                    ("DBSnapshotIdentifier", "orders-pre-failover"), ("DBInstanceIdentifier", "orders-db"),
                    ("Tags.Tag.1.Key", "purpose"), ("Tags.Tag.1.Value", "dr"), ("Tags.Tag.2.Key", "ticket"), ("Tags.Tag.2.Value", "INC-42"));
                Assert.Equal(("orders-pre-failover", "creating", 0), (snap.Identifier, snap.Status, snap.PercentProgress!.Value));
            }
        }

        [Theory]
        [InlineData("orders-db-2026-01-01")]
        [InlineData("arn:aws:rds:us-west-2:123456789012:snapshot:orders-db-2026-01-01")]
        public async Task A_same_region_copy_carries_no_PreSignedUrl(string source)
        {
            var (server, rds) = Start(_ => Ok("CopyDBSnapshot", "<DBSnapshot><DBSnapshotIdentifier>orders-copy</DBSnapshotIdentifier><Status>creating</Status></DBSnapshot>"));
            using (server)
            using (rds)
            {
                var copy = await rds.CopyDBSnapshotAsync(new CopyDbSnapshotRequest { SourceSnapshot = source, TargetSnapshotIdentifier = "orders-copy", CopyTags = true });
                QueryFakes.AssertForm(server.Requests.Single().Form,
                    ("Action", "CopyDBSnapshot"), ("Version", "2014-10-31"),
                    ("SourceDBSnapshotIdentifier", source), ("TargetDBSnapshotIdentifier", "orders-copy"), ("CopyTags", "true"));
                Assert.Equal("orders-copy", copy.Identifier);
            }
        }

        [Fact]
        public async Task A_cross_region_copy_goes_to_the_destination_region_with_a_URL_presigned_for_the_source_region()
        {
            var (server, rds) = Start(_ => Ok("CopyDBSnapshot",
                "<DBSnapshot><DBSnapshotIdentifier>orders-dr-copy</DBSnapshotIdentifier><Status>pending</Status><SourceRegion>us-east-1</SourceRegion></DBSnapshot>"));
            using (server)
            using (rds)
            {
                var before = DateTime.UtcNow;
                var copy = await rds.CopyDBSnapshotAsync(new CopyDbSnapshotRequest
                {
                    SourceSnapshot = SourceSnapshotArn,
                    TargetSnapshotIdentifier = "orders-dr-copy",
                    KmsKeyId = "arn:aws:kms:us-west-2:123456789012:key/dr-key",
                    CopyTags = true,
                    Tags = new Dictionary<string, string> { ["purpose"] = "dr" },
                });

                var request = server.Requests.Single();
                Assert.Equal(("rds", "us-west-2"), (request.Service, request.Region)); // signed for, and sent to, the destination
                var form = request.Form;
                var url = form["PreSignedUrl"];
                QueryFakes.AssertForm(form,
                    ("Action", "CopyDBSnapshot"), ("Version", "2014-10-31"),
                    ("SourceDBSnapshotIdentifier", SourceSnapshotArn), ("TargetDBSnapshotIdentifier", "orders-dr-copy"),
                    ("KmsKeyId", "arn:aws:kms:us-west-2:123456789012:key/dr-key"), ("CopyTags", "true"),
                    ("Tags.Tag.1.Key", "purpose"), ("Tags.Tag.1.Value", "dr"), ("PreSignedUrl", url));
                Assert.Equal("orders-dr-copy", copy.Identifier);

                var uri = new Uri(url);
                Assert.Equal(("https", "rds.us-east-1.amazonaws.com", "/"), (uri.Scheme, uri.Host, uri.AbsolutePath));
                var q = Query(uri);
                Assert.Equal("CopyDBSnapshot", q["Action"]);
                Assert.Equal("2014-10-31", q["Version"]);
                Assert.Equal(SourceSnapshotArn, q["SourceDBSnapshotIdentifier"]);
                Assert.Equal("orders-dr-copy", q["TargetDBSnapshotIdentifier"]);
                Assert.Equal("arn:aws:kms:us-west-2:123456789012:key/dr-key", q["KmsKeyId"]);
                Assert.Equal("us-west-2", q["DestinationRegion"]);
                Assert.Equal("3600", q["X-Amz-Expires"]);
                Assert.Equal("AWS4-HMAC-SHA256", q["X-Amz-Algorithm"]);
                var scope = q["X-Amz-Credential"].Split('/');
                Assert.Equal(new[] { QueryFakes.AccessKey, scope[1], "us-east-1", "rds", "aws4_request" }, scope);
                Assert.InRange(DateTime.ParseExact(q["X-Amz-Date"], "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture,
                    DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal), before.AddMinutes(-1), DateTime.UtcNow.AddMinutes(1));
                Assert.Equal(q["X-Amz-Date"].Substring(0, 8), scope[1]);
                AssertValidSignature(uri, "us-east-1");
            }
        }

        [Fact]
        public async Task A_cross_region_read_replica_carries_a_URL_presigned_for_the_source_region()
        {
            var (server, rds) = Start(_ => Ok("CreateDBInstanceReadReplica",
                Instance("orders-dr-replica", "creating", "<ReadReplicaSourceDBInstanceIdentifier>" + SourceDbArn + "</ReadReplicaSourceDBInstanceIdentifier>")));
            using (server)
            using (rds)
            {
                var replica = await rds.CreateDBInstanceReadReplicaAsync(new CreateReadReplicaRequest
                {
                    DBInstanceIdentifier = "orders-dr-replica",
                    SourceDBInstance = SourceDbArn,
                    DBInstanceClass = "db.r6g.large",
                    DBSubnetGroupName = "dr-subnets",
                    VpcSecurityGroupIds = new[] { "sg-0a1", "sg-0b2" },
                    KmsKeyId = "alias/dr",
                    MultiAZ = false,
                });
                var request = server.Requests.Single();
                Assert.Equal(("rds", "us-west-2"), (request.Service, request.Region));
                var url = request.Form["PreSignedUrl"];
                QueryFakes.AssertForm(request.Form,
                    ("Action", "CreateDBInstanceReadReplica"), ("Version", "2014-10-31"),
                    ("DBInstanceIdentifier", "orders-dr-replica"), ("SourceDBInstanceIdentifier", SourceDbArn),
                    ("DBInstanceClass", "db.r6g.large"), ("MultiAZ", "false"), ("DBSubnetGroupName", "dr-subnets"),
                    ("VpcSecurityGroupIds.VpcSecurityGroupId.1", "sg-0a1"), ("VpcSecurityGroupIds.VpcSecurityGroupId.2", "sg-0b2"),
                    ("KmsKeyId", "alias/dr"), ("PreSignedUrl", url));
                Assert.Equal(SourceDbArn, replica.ReadReplicaSource);

                var uri = new Uri(url);
                Assert.Equal("rds.us-east-1.amazonaws.com", uri.Host);
                var q = Query(uri);
                Assert.Equal("CreateDBInstanceReadReplica", q["Action"]);
                Assert.Equal(SourceDbArn, q["SourceDBInstanceIdentifier"]);
                Assert.Equal("orders-dr-replica", q["DBInstanceIdentifier"]);
                Assert.Equal("alias/dr", q["KmsKeyId"]);
                Assert.Equal("us-west-2", q["DestinationRegion"]);
                Assert.Equal("3600", q["X-Amz-Expires"]);
                Assert.Equal("us-east-1/rds/aws4_request", string.Join("/", q["X-Amz-Credential"].Split('/').Skip(2)));
                AssertValidSignature(uri, "us-east-1");
            }
        }

        [Fact]
        public async Task A_same_region_read_replica_carries_no_PreSignedUrl()
        {
            var (server, rds) = Start(_ => Ok("CreateDBInstanceReadReplica", Instance("orders-ro", "creating")));
            using (server)
            using (rds)
            {
                await rds.CreateDBInstanceReadReplicaAsync(new CreateReadReplicaRequest { DBInstanceIdentifier = "orders-ro", SourceDBInstance = "orders-db" });
                QueryFakes.AssertForm(server.Requests.Single().Form, ("Action", "CreateDBInstanceReadReplica"), ("Version", "2014-10-31"),
                    ("DBInstanceIdentifier", "orders-ro"), ("SourceDBInstanceIdentifier", "orders-db"));
            }
        }

        [Theory]
        [InlineData("arn:aws:rds:us-east-1:123456789012:db:orders-db")] // an instance ARN where a snapshot is expected
        [InlineData("arn:aws:s3:::bucket/key")]
        public async Task A_source_ARN_of_the_wrong_kind_is_rejected_before_any_call(string source)
        {
            var (server, rds) = Start(_ => throw new InvalidOperationException("no call expected"));
            using (server)
            using (rds)
            {
                var ex = await Assert.ThrowsAsync<DrToolsException>(() =>
                    rds.CopyDBSnapshotAsync(new CopyDbSnapshotRequest { SourceSnapshot = source, TargetSnapshotIdentifier = "t" }));
                Assert.Equal(ErrorIds.InvalidParameter, ex.ErrorId);
                Assert.Contains(source, ex.Message);
                Assert.Empty(server.Requests);
            }
        }

        [Fact]
        public async Task Restore_sends_class_subnet_group_security_groups_MultiAZ_and_tags()
        {
            var (server, rds) = Start(_ => Ok("RestoreDBInstanceFromDBSnapshot", Instance("orders-dr", "creating")));
            using (server)
            using (rds)
            {
                var db = await rds.RestoreDBInstanceFromDBSnapshotAsync(new RestoreDbInstanceRequest
                {
                    DBInstanceIdentifier = "orders-dr",
                    DBSnapshotIdentifier = "orders-dr-copy",
                    DBInstanceClass = "db.r6g.large",
                    DBSubnetGroupName = "dr-subnets",
                    VpcSecurityGroupIds = new[] { "sg-0a1", "sg-0b2" },
                    MultiAZ = true,
                    Tags = new Dictionary<string, string> { ["restored-from"] = "orders-dr-copy" },
                });
                QueryFakes.AssertForm(server.Requests.Single().Form,
                    ("Action", "RestoreDBInstanceFromDBSnapshot"), ("Version", "2014-10-31"),
                    ("DBInstanceIdentifier", "orders-dr"), ("DBSnapshotIdentifier", "orders-dr-copy"), ("DBInstanceClass", "db.r6g.large"),
                    ("DBSubnetGroupName", "dr-subnets"), ("MultiAZ", "true"),
                    ("VpcSecurityGroupIds.VpcSecurityGroupId.1", "sg-0a1"), ("VpcSecurityGroupIds.VpcSecurityGroupId.2", "sg-0b2"),
                    ("Tags.Tag.1.Key", "restored-from"), ("Tags.Tag.1.Value", "orders-dr-copy"));
                Assert.Equal(("orders-dr", "creating"), (db.Identifier, db.Status));
            }
        }

        [Fact]
        public async Task Promote_and_Modify_send_what_was_asked()
        {
            var (server, rds) = Start(r => Ok(r.Action!, Instance("orders-dr", "modifying")));
            using (server)
            using (rds)
            {
                await rds.PromoteReadReplicaAsync("orders-dr", backupRetentionPeriod: 7);
                await rds.PromoteReadReplicaAsync("orders-dr");
                await rds.ModifyDBInstanceAsync(new ModifyDbInstanceRequest
                    { DBInstanceIdentifier = "orders-dr", DBInstanceClass = "db.r6g.2xlarge", AllocatedStorage = 500, ApplyImmediately = true });
                await rds.ModifyDBInstanceAsync(new ModifyDbInstanceRequest { DBInstanceIdentifier = "orders-dr", DBInstanceClass = "db.t3.micro" });

                var r = server.Requests.ToArray();
                QueryFakes.AssertForm(r[0].Form, ("Action", "PromoteReadReplica"), ("Version", "2014-10-31"),
                    ("DBInstanceIdentifier", "orders-dr"), ("BackupRetentionPeriod", "7"));
                QueryFakes.AssertForm(r[1].Form, ("Action", "PromoteReadReplica"), ("Version", "2014-10-31"), ("DBInstanceIdentifier", "orders-dr"));
                QueryFakes.AssertForm(r[2].Form, ("Action", "ModifyDBInstance"), ("Version", "2014-10-31"), ("DBInstanceIdentifier", "orders-dr"),
                    ("DBInstanceClass", "db.r6g.2xlarge"), ("AllocatedStorage", "500"), ("ApplyImmediately", "true"));
                QueryFakes.AssertForm(r[3].Form, ("Action", "ModifyDBInstance"), ("Version", "2014-10-31"), ("DBInstanceIdentifier", "orders-dr"),
                    ("DBInstanceClass", "db.t3.micro"), ("ApplyImmediately", "false"));
            }
        }

        [Fact]
        public async Task Delete_requires_an_explicit_final_snapshot_choice()
        {
            var (server, rds) = Start(r => r.Action == "DeleteDBSnapshot"
                ? Ok("DeleteDBSnapshot", "<DBSnapshot><DBSnapshotIdentifier>old</DBSnapshotIdentifier><Status>deleted</Status></DBSnapshot>")
                : Ok("DeleteDBInstance", Instance("orders-dr", "deleting")));
            using (server)
            using (rds)
            {
                var ex = await Assert.ThrowsAsync<DrToolsException>(() => rds.DeleteDBInstanceAsync("orders-dr", null!));
                Assert.Equal(ErrorIds.InvalidParameter, ex.ErrorId);
                Assert.Empty(server.Requests);
                Assert.Throws<ArgumentException>(() => DbFinalSnapshot.Take(" "));

                await rds.DeleteDBInstanceAsync("orders-dr", DbFinalSnapshot.Take("orders-dr-final"));
                var deleted = await rds.DeleteDBInstanceAsync("orders-dr", DbFinalSnapshot.None, deleteAutomatedBackups: false);
                var snap = await rds.DeleteDBSnapshotAsync("old");

                var r = server.Requests.ToArray();
                QueryFakes.AssertForm(r[0].Form, ("Action", "DeleteDBInstance"), ("Version", "2014-10-31"), ("DBInstanceIdentifier", "orders-dr"),
                    ("SkipFinalSnapshot", "false"), ("FinalDBSnapshotIdentifier", "orders-dr-final"));
                QueryFakes.AssertForm(r[1].Form, ("Action", "DeleteDBInstance"), ("Version", "2014-10-31"), ("DBInstanceIdentifier", "orders-dr"),
                    ("SkipFinalSnapshot", "true"), ("DeleteAutomatedBackups", "false"));
                QueryFakes.AssertForm(r[2].Form, ("Action", "DeleteDBSnapshot"), ("Version", "2014-10-31"), ("DBSnapshotIdentifier", "old"));
                Assert.Equal("deleting", deleted.Status);
                Assert.Equal("deleted", snap.Status);
            }
        }

        [Fact]
        public async Task Tags_are_listed_added_and_removed_by_ARN()
        {
            const string arn = "arn:aws:rds:us-west-2:123456789012:db:orders-dr";
            var (server, rds) = Start(r => r.Action == "ListTagsForResource"
                ? Ok("ListTagsForResource", "<TagList><Tag><Key>app</Key><Value>orders</Value></Tag><Tag><Key>dr</Key><Value>yes</Value></Tag></TagList>")
                : QueryFakes.Empty(r.Action!, Ns));
            using (server)
            using (rds)
            {
                var tags = await rds.ListTagsForResourceAsync(arn);
                await rds.AddTagsToResourceAsync(arn, new Dictionary<string, string> { ["dr-role"] = "primary", ["owner"] = "ops" });
                await rds.RemoveTagsFromResourceAsync(arn, new[] { "dr-role", "owner" });

                Assert.Equal(new Dictionary<string, string> { ["app"] = "orders", ["dr"] = "yes" }, tags);
                var r = server.Requests.ToArray();
                QueryFakes.AssertForm(r[0].Form, ("Action", "ListTagsForResource"), ("Version", "2014-10-31"), ("ResourceName", arn));
                QueryFakes.AssertForm(r[1].Form, ("Action", "AddTagsToResource"), ("Version", "2014-10-31"), ("ResourceName", arn),
                    ("Tags.Tag.1.Key", "dr-role"), ("Tags.Tag.1.Value", "primary"), ("Tags.Tag.2.Key", "owner"), ("Tags.Tag.2.Value", "ops"));
                QueryFakes.AssertForm(r[2].Form, ("Action", "RemoveTagsFromResource"), ("Version", "2014-10-31"), ("ResourceName", arn),
                    ("TagKeys.member.1", "dr-role"), ("TagKeys.member.2", "owner"));
            }
        }

        [Fact]
        public async Task Instance_waiter_polls_until_available()
        {
            var states = new ConcurrentQueue<string>(new[] { "creating", "backing-up", "available" });
            var (server, rds) = Start(_ => Ok("DescribeDBInstances",
                $"<DBInstances>{Instance("orders-dr", states.TryDequeue(out var s) ? s : "available")}</DBInstances>"));
            using (server)
            using (rds)
            {
                var db = await rds.WaitForDBInstanceAvailableAsync("orders-dr", TimeSpan.FromSeconds(10));
                Assert.Equal("available", db.Status);
                Assert.Equal(3, server.Requests.Count);
                Assert.All(server.Requests, r => Assert.Equal("orders-dr", r.Form["DBInstanceIdentifier"]));
            }
        }

        [Theory]
        [InlineData("storage-full")]
        [InlineData("incompatible-restore")]
        [InlineData("incompatible-parameters")]
        [InlineData("failed")]
        public async Task Instance_waiter_stops_at_a_failed_state(string state)
        {
            var (server, rds) = Start(_ => Ok("DescribeDBInstances", $"<DBInstances>{Instance("orders-dr", state)}</DBInstances>"));
            using (server)
            using (rds)
            {
                var ex = await Assert.ThrowsAsync<DrToolsException>(() => rds.WaitForDBInstanceAvailableAsync("orders-dr", TimeSpan.FromMinutes(5)));
                Assert.Equal(ErrorIds.InvalidState, ex.ErrorId);
                Assert.Contains(state, ex.Message);
                Assert.Single(server.Requests);
            }
        }

        [Fact]
        public async Task Snapshot_waiter_stops_at_failed_and_times_out_with_progress_in_the_message()
        {
            var (server, rds) = Start(r => Ok("DescribeDBSnapshots",
                $"<DBSnapshots><DBSnapshot><DBSnapshotIdentifier>{r.Form["DBSnapshotIdentifier"]}</DBSnapshotIdentifier>" +
                $"<Status>{(r.Form["DBSnapshotIdentifier"] == "bad" ? "failed" : "copying")}</Status><PercentProgress>37</PercentProgress></DBSnapshot></DBSnapshots>"));
            using (server)
            using (rds)
            {
                var failed = await Assert.ThrowsAsync<DrToolsException>(() => rds.WaitForDBSnapshotAvailableAsync("bad", TimeSpan.FromMinutes(5)));
                Assert.Equal(ErrorIds.InvalidState, failed.ErrorId);
                var timedOut = await Assert.ThrowsAsync<DrToolsException>(() => rds.WaitForDBSnapshotAvailableAsync("slow", TimeSpan.FromMilliseconds(50)));
                Assert.Equal(ErrorIds.Timeout, timedOut.ErrorId);
                Assert.Contains("copying 37%", timedOut.Message);
            }
        }

        [Fact]
        public async Task Deleted_waiter_is_done_when_the_instance_is_not_found()
        {
            int calls = 0;
            var (server, rds) = Start(_ => Interlocked.Increment(ref calls) < 3
                ? Ok("DescribeDBInstances", $"<DBInstances>{Instance("orders-dr", "deleting")}</DBInstances>")
                : QueryFakes.Error(404, "DBInstanceNotFound", "DBInstance orders-dr not found."));
            using (server)
            using (rds)
            {
                await rds.WaitForDBInstanceDeletedAsync("orders-dr", TimeSpan.FromSeconds(10));
                Assert.Equal(3, server.Requests.Count);
            }
        }

        [Fact]
        public async Task Cancellation_reaches_the_AWS_call()
        {
            var (server, rds) = Start(_ => new FakeResponse(200, "") { Delay = TimeSpan.FromMinutes(1) });
            using (server)
            using (rds)
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
                var started = DateTime.UtcNow;
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => rds.DescribeDBInstancesAsync(null, null, cts.Token));
                Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(5));
            }
        }

        // ---- point-in-time restore and automated backups (issue 12)

        [Fact]
        public async Task RestoreDBInstanceToPointInTime_sends_the_time_in_UTC_whole_seconds_and_parses_the_new_instance()
        {
            var (server, rds) = Start(_ => Ok("RestoreDBInstanceToPointInTime", Instance("orders-pitr", "creating")));
            using (server)
            using (rds)
            {
                var local = new DateTime(2026, 12, 4, 17, 30, 15, 900, DateTimeKind.Utc).ToLocalTime();
                var db = await rds.RestoreDBInstanceToPointInTimeAsync(new RestoreDbInstanceToPointInTimeRequest
                {
                    SourceDBInstanceIdentifier = "orders-db", TargetDBInstanceIdentifier = "orders-pitr", RestoreTime = local,
                    DBInstanceClass = "db.t3.micro", DBSubnetGroupName = "prod", VpcSecurityGroupIds = new[] { "sg-1" }, MultiAZ = false,
                    Tags = new Dictionary<string, string> { ["DrTools:PointInTime"] = "2026-12-04T17:30:15Z" },
                });
                QueryFakes.AssertForm(server.Requests.Single().Form, ("Action", "RestoreDBInstanceToPointInTime"), ("Version", "2014-10-31"),
                    ("SourceDBInstanceIdentifier", "orders-db"), ("TargetDBInstanceIdentifier", "orders-pitr"), ("RestoreTime", "2026-12-04T17:30:15Z"),
                    ("DBInstanceClass", "db.t3.micro"), ("DBSubnetGroupName", "prod"), ("MultiAZ", "false"),
                    ("VpcSecurityGroupIds.VpcSecurityGroupId.1", "sg-1"),
                    ("Tags.Tag.1.Key", "DrTools:PointInTime"), ("Tags.Tag.1.Value", "2026-12-04T17:30:15Z"));
                Assert.Equal(("orders-pitr", "creating", "us-west-2"), (db.Identifier, db.Status, db.Region));
            }
        }

        [Fact]
        public async Task RestoreDBInstanceToPointInTime_from_replicated_backups_sends_their_ARN_and_the_latest_time()
        {
            const string backups = "arn:aws:rds:us-west-2:123456789012:auto-backup:ab-abc";
            var (server, rds) = Start(_ => Ok("RestoreDBInstanceToPointInTime", Instance("orders-db", "creating")));
            using (server)
            using (rds)
            {
                await rds.RestoreDBInstanceToPointInTimeAsync(new RestoreDbInstanceToPointInTimeRequest
                    { SourceDBInstanceAutomatedBackupsArn = backups, TargetDBInstanceIdentifier = "orders-db", UseLatestRestorableTime = true });
                QueryFakes.AssertForm(server.Requests.Single().Form, ("Action", "RestoreDBInstanceToPointInTime"), ("Version", "2014-10-31"),
                    ("SourceDBInstanceAutomatedBackupsArn", backups), ("TargetDBInstanceIdentifier", "orders-db"), ("UseLatestRestorableTime", "true"));
            }
        }

        [Fact]
        public async Task RestoreDBInstanceToPointInTime_needs_one_source_and_one_time_before_any_call()
        {
            var (server, rds) = Start(_ => throw new InvalidOperationException("no call expected"));
            using (server)
            using (rds)
            {
                var noTime = await Assert.ThrowsAsync<DrToolsException>(() => rds.RestoreDBInstanceToPointInTimeAsync(new RestoreDbInstanceToPointInTimeRequest
                    { SourceDBInstanceIdentifier = "a", TargetDBInstanceIdentifier = "b" }));
                var twoSources = await Assert.ThrowsAsync<DrToolsException>(() => rds.RestoreDBInstanceToPointInTimeAsync(new RestoreDbInstanceToPointInTimeRequest
                    { SourceDBInstanceIdentifier = "a", SourceDBInstanceAutomatedBackupsArn = "arn:x", TargetDBInstanceIdentifier = "b", UseLatestRestorableTime = true }));
                Assert.Equal((ErrorIds.InvalidParameter, ErrorIds.InvalidParameter), (noTime.ErrorId, twoSources.ErrorId));
                Assert.Empty(server.Requests);
            }
        }

        [Fact]
        public async Task DescribeDBInstanceAutomatedBackups_parses_the_restore_window_and_replications_across_pages()
        {
            const string own =
                "<DBInstanceAutomatedBackup><DBInstanceIdentifier>orders-db</DBInstanceIdentifier><DBInstanceArn>" + SourceDbArn + "</DBInstanceArn>" +
                "<Region>us-east-1</Region><Status>replicating</Status><DbiResourceId>db-ABC</DbiResourceId>" +
                "<DBInstanceAutomatedBackupsArn>arn:aws:rds:us-west-2:123456789012:auto-backup:ab-abc</DBInstanceAutomatedBackupsArn>" +
                "<RestoreWindow><EarliestTime>2026-12-01T00:00:00Z</EarliestTime><LatestTime>2026-12-05T02:55:00.5Z</LatestTime></RestoreWindow>" +
                "<BackupRetentionPeriod>7</BackupRetentionPeriod><Engine>postgres</Engine><Encrypted>true</Encrypted><KmsKeyId>alias/dr</KmsKeyId>" +
                "<DBInstanceAutomatedBackupsReplications><DBInstanceAutomatedBackupsReplication><DBInstanceAutomatedBackupsArn>arn:r1</DBInstanceAutomatedBackupsArn>" +
                "</DBInstanceAutomatedBackupsReplication></DBInstanceAutomatedBackupsReplications></DBInstanceAutomatedBackup>";
            var (server, rds) = Start(r => r.Form.ContainsKey("Marker")
                ? Ok("DescribeDBInstanceAutomatedBackups", "<DBInstanceAutomatedBackups><DBInstanceAutomatedBackup><DBInstanceIdentifier>b</DBInstanceIdentifier>" +
                                                           "<Status>retained</Status></DBInstanceAutomatedBackup></DBInstanceAutomatedBackups>")
                : Ok("DescribeDBInstanceAutomatedBackups", $"<Marker>m2</Marker><DBInstanceAutomatedBackups>{own}</DBInstanceAutomatedBackups>"));
            using (server)
            using (rds)
            {
                var all = await rds.DescribeDBInstanceAutomatedBackupsAsync();
                Assert.Equal(2, all.Count);
                var a = all[0];
                Assert.Equal(("orders-db", SourceDbArn, "us-east-1", "replicating", "us-west-2", true), (a.DBInstanceIdentifier, a.DBInstanceArn, a.SourceRegion, a.Status, a.Region, a.IsReplicated));
                Assert.Equal(("arn:aws:rds:us-west-2:123456789012:auto-backup:ab-abc", "db-ABC", 7, true, "alias/dr"), (a.Arn, a.DbiResourceId, a.BackupRetentionPeriod, a.Encrypted, a.KmsKeyId));
                Assert.Equal(new DateTime(2026, 12, 1, 0, 0, 0, DateTimeKind.Utc), a.EarliestRestorableTime);
                Assert.Equal(new DateTime(2026, 12, 5, 2, 55, 0, 500, DateTimeKind.Utc), a.LatestRestorableTime);
                Assert.Equal(new[] { "arn:r1" }, a.Replications);
                Assert.Equal(("b", "retained", null), (all[1].DBInstanceIdentifier, all[1].Status, all[1].LatestRestorableTime));
                QueryFakes.AssertForm(server.Requests.First().Form, ("Action", "DescribeDBInstanceAutomatedBackups"), ("Version", "2014-10-31"), ("MaxRecords", "100"));
            }
        }

        [Fact]
        public async Task StartDBInstanceAutomatedBackupsReplication_carries_a_URL_presigned_for_the_source_region()
        {
            var (server, rds) = Start(_ => Ok("StartDBInstanceAutomatedBackupsReplication",
                "<DBInstanceAutomatedBackup><DBInstanceIdentifier>orders-db</DBInstanceIdentifier><Region>us-east-1</Region><Status>pending</Status>" +
                "</DBInstanceAutomatedBackup>"));
            using (server)
            using (rds)
            {
                var b = await rds.StartDBInstanceAutomatedBackupsReplicationAsync(SourceDbArn, 14, "alias/dr");
                var form = server.Requests.Single().Form;
                var url = form["PreSignedUrl"];
                QueryFakes.AssertForm(form, ("Action", "StartDBInstanceAutomatedBackupsReplication"), ("Version", "2014-10-31"),
                    ("SourceDBInstanceArn", SourceDbArn), ("BackupRetentionPeriod", "14"), ("KmsKeyId", "alias/dr"), ("PreSignedUrl", url));
                var uri = new Uri(url);
                Assert.Equal("rds.us-east-1.amazonaws.com", uri.Host);
                var q = Query(uri);
                Assert.Equal(("StartDBInstanceAutomatedBackupsReplication", SourceDbArn, "14", "alias/dr", "us-west-2"),
                    (q["Action"], q["SourceDBInstanceArn"], q["BackupRetentionPeriod"], q["KmsKeyId"], q["DestinationRegion"]));
                AssertValidSignature(uri, "us-east-1");
                Assert.Equal(("orders-db", "pending", true), (b.DBInstanceIdentifier, b.Status, b.IsReplicated));
            }
        }

        [Theory]
        [InlineData("orders-db")] // an id, not an ARN
        [InlineData("arn:aws:rds:us-west-2:123456789012:db:orders-db")] // the service's own region
        public async Task StartDBInstanceAutomatedBackupsReplication_needs_an_instance_ARN_in_another_region(string source)
        {
            var (server, rds) = Start(_ => throw new InvalidOperationException("no call expected"));
            using (server)
            using (rds)
            {
                var ex = await Assert.ThrowsAsync<DrToolsException>(() => rds.StartDBInstanceAutomatedBackupsReplicationAsync(source));
                Assert.Equal(ErrorIds.InvalidParameter, ex.ErrorId);
                Assert.Empty(server.Requests);
            }
        }

        internal static Dictionary<string, string> Query(Uri uri) =>
            uri.Query.TrimStart('?').Split('&').Select(p => p.Split('=', 2))
                .ToDictionary(p => Uri.UnescapeDataString(p[0]), p => Uri.UnescapeDataString(p[1]));

        /// <summary>Recomputes the SigV4 query signature (empty-payload hash, host header only) for <paramref name="region"/>/rds.</summary>
        internal static void AssertValidSignature(Uri uri, string region)
        {
            var pairs = uri.Query.TrimStart('?').Split('&').Select(p => p.Split('=', 2))
                .Select(p => (Key: Uri.UnescapeDataString(p[0]), Value: Uri.UnescapeDataString(p[1]))).ToList();
            var signature = pairs.Single(p => p.Key == "X-Amz-Signature").Value;
            Assert.Equal("host", pairs.Single(p => p.Key == "X-Amz-SignedHeaders").Value);
            var canonicalQuery = string.Join("&", pairs.Where(p => p.Key != "X-Amz-Signature")
                .Select(p => (Key: Encode(p.Key), Value: Encode(p.Value)))
                .OrderBy(p => p.Key, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal)
                .Select(p => p.Key + "=" + p.Value));
            var emptyHash = Hex(SHA256.HashData(Array.Empty<byte>()));
            var canonical = $"GET\n/\n{canonicalQuery}\nhost:{uri.Host}\n\nhost\n{emptyHash}";
            var amzDate = pairs.Single(p => p.Key == "X-Amz-Date").Value;
            var date = amzDate.Substring(0, 8);
            var stringToSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{date}/{region}/rds/aws4_request\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))}";
            byte[] key = Encoding.UTF8.GetBytes("AWS4" + QueryFakes.SecretKey);
            foreach (var part in new[] { date, region, "rds", "aws4_request" }) key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(part));
            Assert.Equal(Hex(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign))), signature);
        }

        static string Encode(string s)
        {
            var sb = new StringBuilder();
            foreach (var b in Encoding.UTF8.GetBytes(s))
            {
                char c = (char)b;
                if (c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_' or '.' or '~') sb.Append(c);
                else sb.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
            return sb.ToString();
        }

        static string Hex(byte[] bytes) => Convert.ToHexString(bytes).ToLowerInvariant();
    }
}
