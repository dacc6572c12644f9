using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Aws.Rds;
using DrTools.Core.Connection;
using DrTools.Core.Diagnostics;
using DrTools.TestSupport;
using Xunit;

namespace DrTools.Core.Tests.Aws.Rds
{
    /// <summary>The Aurora calls of RdsService (IRdsClusterService) on the wire, against <see cref="FakeAwsServer"/>.</summary>
    public class RdsClusterServiceTests
    {
        const string Ns = "http://rds.amazonaws.com/doc/2014-10-31/";
        const string PrimaryArn = "arn:aws:rds:us-east-1:123456789012:cluster:orders";
        const string SecondaryArn = "arn:aws:rds:us-west-2:123456789012:cluster:orders-dr";
        const string SourceClusterSnapshotArn = "arn:aws:rds:us-east-1:123456789012:cluster-snapshot:orders-2026-12-01";

        static FakeResponse Ok(string action, string result) => QueryFakes.Ok(action, Ns, result);

        static (FakeAwsServer Server, RdsService Rds) Start(Func<FakeRequest, FakeResponse> handler, string region = "us-west-2")
        {
            var server = new FakeAwsServer(handler);
            var rds = RdsService.Create(new AwsClientFactory(QueryFakes.Connection(server, region)));
            rds.PollInterval = TimeSpan.FromMilliseconds(5);
            return (server, rds);
        }

        static string Cluster(string id, string status = "available", string extra = "") =>
            $"<DBCluster><DBClusterIdentifier>{id}</DBClusterIdentifier><Engine>aurora-postgresql</Engine><Status>{status}</Status>{extra}</DBCluster>";

        static string ClusterSnapshot(string id, string status = "available", string extra = "") =>
            $"<DBClusterSnapshot><DBClusterSnapshotIdentifier>{id}</DBClusterSnapshotIdentifier><DBClusterIdentifier>orders</DBClusterIdentifier>" +
            $"<Status>{status}</Status>{extra}</DBClusterSnapshot>";

        const string FullCluster =
            "<DBCluster><AllocatedStorage>1</AllocatedStorage>" +
            "<AvailabilityZones><AvailabilityZone>us-west-2a</AvailabilityZone><AvailabilityZone>us-west-2b</AvailabilityZone></AvailabilityZones>" +
            "<BackupRetentionPeriod>7</BackupRetentionPeriod><DBClusterIdentifier>orders-dr</DBClusterIdentifier>" +
            "<DBClusterParameterGroup>default.aurora-postgresql15</DBClusterParameterGroup><DBSubnetGroup>dr-subnets</DBSubnetGroup>" +
            "<Status>available</Status><EarliestRestorableTime>2026-11-28T00:00:00Z</EarliestRestorableTime>" +
            "<Endpoint>orders-dr.cluster-abc.us-west-2.rds.amazonaws.com</Endpoint><ReaderEndpoint>orders-dr.cluster-ro-abc.us-west-2.rds.amazonaws.com</ReaderEndpoint>" +
            "<MultiAZ>true</MultiAZ><Engine>aurora-postgresql</Engine><EngineVersion>15.4</EngineVersion>" +
            "<LatestRestorableTime>2026-12-05T06:00:01.250Z</LatestRestorableTime><Port>5432</Port>" +
            "<ReplicationSourceIdentifier>" + PrimaryArn + "</ReplicationSourceIdentifier>" +
            "<DBClusterMembers><DBClusterMember><DBInstanceIdentifier>orders-dr-1</DBInstanceIdentifier><IsClusterWriter>true</IsClusterWriter>" +
            "<PromotionTier>1</PromotionTier></DBClusterMember><DBClusterMember><DBInstanceIdentifier>orders-dr-2</DBInstanceIdentifier>" +
            "<IsClusterWriter>false</IsClusterWriter></DBClusterMember></DBClusterMembers>" +
            "<VpcSecurityGroups><VpcSecurityGroupMembership><VpcSecurityGroupId>sg-0a1</VpcSecurityGroupId><Status>active</Status></VpcSecurityGroupMembership>" +
            "</VpcSecurityGroups><StorageEncrypted>true</StorageEncrypted><KmsKeyId>arn:aws:kms:us-west-2:123456789012:key/dr</KmsKeyId>" +
            "<DBClusterArn>" + SecondaryArn + "</DBClusterArn><ClusterCreateTime>2026-01-02T03:04:05Z</ClusterCreateTime>" +
            "<DeletionProtection>true</DeletionProtection><TagList><Tag><Key>app</Key><Value>orders</Value></Tag></TagList></DBCluster>";

        /// <summary>A GlobalCluster as a member of DescribeGlobalClusters' list (whose element is named GlobalClusterMember, as in the model).</summary>
        static string Global(string status, string members, string failoverState = "") =>
            $"<GlobalClusterMember>{GlobalBody(status, members, failoverState)}</GlobalClusterMember>";

        static string GlobalBody(string status, string members, string failoverState = "") =>
            "<GlobalClusterIdentifier>orders-global</GlobalClusterIdentifier><GlobalClusterResourceId>cluster-x</GlobalClusterResourceId>" +
            "<GlobalClusterArn>arn:aws:rds::123456789012:global-cluster:orders-global</GlobalClusterArn>" +
            $"<Status>{status}</Status><Engine>aurora-postgresql</Engine><EngineVersion>15.4</EngineVersion><StorageEncrypted>true</StorageEncrypted>" +
            $"<GlobalClusterMembers>{members}</GlobalClusterMembers>{failoverState}";

        static string Member(string arn, bool writer, string? sync = null, params string[] readers) =>
            $"<GlobalClusterMember><DBClusterArn>{arn}</DBClusterArn><IsWriter>{(writer ? "true" : "false")}</IsWriter>" +
            $"<Readers>{string.Concat(readers.Select(r => $"<member>{r}</member>"))}</Readers>" +
            (sync != null ? $"<SynchronizationStatus>{sync}</SynchronizationStatus>" : "") + "</GlobalClusterMember>";

        // ---------------------------------------------------------------- describe, paging, parsing, not found

        [Fact]
        public async Task DescribeDBClusters_sends_id_and_filters_follows_Marker_and_parses_the_members_DR_uses()
        {
            var (server, rds) = Start(r => r.Form.ContainsKey("Marker")
                ? Ok("DescribeDBClusters", $"<DBClusters>{Cluster("orders-dr-2", "creating")}</DBClusters>")
                : Ok("DescribeDBClusters", $"<Marker>c2</Marker><DBClusters>{FullCluster}</DBClusters>"));
            using (server)
            using (rds)
            {
                var all = await rds.DescribeDBClustersAsync("orders-dr", new[] { new RdsFilter("engine", "aurora-postgresql") });

                var requests = server.Requests.ToArray();
                Assert.Equal(2, requests.Length);
                QueryFakes.AssertForm(requests[0].Form, ("Action", "DescribeDBClusters"), ("Version", "2014-10-31"), ("DBClusterIdentifier", "orders-dr"),
                    ("Filters.Filter.1.Name", "engine"), ("Filters.Filter.1.Values.Value.1", "aurora-postgresql"), ("MaxRecords", "100"));
                Assert.Equal("c2", requests[1].Form["Marker"]);
                Assert.Equal(new[] { "orders-dr", "orders-dr-2" }, all.Select(c => c.Identifier));
                var c = all[0];
                Assert.Equal((SecondaryArn, "available", "aurora-postgresql", "15.4"), (c.Arn, c.Status, c.Engine, c.EngineVersion));
                Assert.Equal(("orders-dr.cluster-abc.us-west-2.rds.amazonaws.com", "orders-dr.cluster-ro-abc.us-west-2.rds.amazonaws.com", (int?)5432),
                    (c.EndpointAddress, c.ReaderEndpointAddress, c.Port));
                Assert.Equal(new[] { new DbClusterMember("orders-dr-1", true), new DbClusterMember("orders-dr-2", false) }, c.Members);
                Assert.Equal(PrimaryArn, c.ReplicationSourceIdentifier);
                Assert.Equal(("dr-subnets", 7), (c.DBSubnetGroupName, c.BackupRetentionPeriod!.Value));
                Assert.Equal(new[] { "sg-0a1" }, c.VpcSecurityGroupIds);
                Assert.True(c.MultiAZ && c.StorageEncrypted && c.DeletionProtection);
                Assert.Equal("arn:aws:kms:us-west-2:123456789012:key/dr", c.KmsKeyId);
                Assert.Equal(new DateTime(2026, 11, 28, 0, 0, 0, DateTimeKind.Utc), c.EarliestRestorableTime);
                Assert.Equal(new DateTime(2026, 12, 5, 6, 0, 1, 250, DateTimeKind.Utc), c.LatestRestorableTime);
                Assert.Equal(DateTimeKind.Utc, c.ClusterCreateTime!.Value.Kind);
                Assert.Equal("orders", c.Tags["app"]);
                Assert.Equal("us-west-2", c.Region);
                Assert.Equal(("creating", false, 0), (all[1].Status, all[1].MultiAZ, all[1].Members.Count));
            }
        }

        [Fact]
        public async Task An_unknown_cluster_is_DrTools_NotFound_naming_it_and_Find_returns_null()
        {
            var (server, rds) = Start(_ => QueryFakes.Error(404, "DBClusterNotFoundFault", "DBCluster orders-dr not found.", "9f3b2c1d-0000-4000-8000-000000000404"));
            using (server)
            using (rds)
            {
                var ex = await Assert.ThrowsAsync<DrToolsException>(() => rds.DescribeDBClustersAsync("orders-dr"));
                Assert.Equal((ErrorIds.NotFound, DrErrorCategory.ObjectNotFound, "DBClusterNotFoundFault"), (ex.ErrorId, ex.Category, ex.AwsErrorCode));
                Assert.Equal(("9f3b2c1d-0000-4000-8000-000000000404", "RDS", "orders-dr"), (ex.RequestId, ex.Service, ex.Target));
                Assert.Contains("DB cluster 'orders-dr'", ex.Message);
                Assert.Null(await rds.FindDBClusterAsync("orders-dr"));
            }
        }

        [Fact]
        public async Task DescribeGlobalClusters_pages_and_parses_members_readers_and_the_failover_state()
        {
            const string failover = "<FailoverState><Status>failing-over</Status><FromDbClusterArn>" + PrimaryArn + "</FromDbClusterArn>" +
                                    "<ToDbClusterArn>" + SecondaryArn + "</ToDbClusterArn><IsDataLossAllowed>true</IsDataLossAllowed></FailoverState>";
            var (server, rds) = Start(r => r.Form.ContainsKey("Marker")
                ? Ok("DescribeGlobalClusters", "<GlobalClusters>" + Global("available", "").Replace("orders-global", "other-global") + "</GlobalClusters>")
                : Ok("DescribeGlobalClusters", "<Marker>g2</Marker><GlobalClusters>" +
                     Global("failing-over", Member(PrimaryArn, true, null, SecondaryArn) + Member(SecondaryArn, false, "connected"), failover) + "</GlobalClusters>"));
            using (server)
            using (rds)
            {
                var all = await rds.DescribeGlobalClustersAsync();
                QueryFakes.AssertForm(server.Requests.First().Form, ("Action", "DescribeGlobalClusters"), ("Version", "2014-10-31"), ("MaxRecords", "100"));
                Assert.Equal(new[] { "orders-global", "other-global" }, all.Select(g => g.Identifier));
                var g = all[0];
                Assert.Equal(("arn:aws:rds::123456789012:global-cluster:orders-global", "failing-over", "aurora-postgresql", "15.4", true),
                    (g.Arn, g.Status, g.Engine, g.EngineVersion, g.StorageEncrypted));
                Assert.Equal(2, g.Members.Count);
                Assert.Equal((PrimaryArn, true, null), (g.Members[0].DBClusterArn, g.Members[0].IsWriter, g.Members[0].SynchronizationStatus));
                Assert.Equal(new[] { SecondaryArn }, g.Members[0].Readers);
                Assert.Equal((SecondaryArn, false, "connected"), (g.Members[1].DBClusterArn, g.Members[1].IsWriter, g.Members[1].SynchronizationStatus));
                Assert.Empty(g.Members[1].Readers);
                Assert.Equal(new GlobalClusterFailoverState("failing-over", PrimaryArn, SecondaryArn, true), g.FailoverState);
                Assert.Null(all[1].FailoverState);
                Assert.Empty(all[1].Members);
            }
        }

        [Fact]
        public async Task An_unknown_global_database_is_DrTools_NotFound_and_Find_returns_null()
        {
            var (server, rds) = Start(_ => QueryFakes.Error(404, "GlobalClusterNotFoundFault", "GlobalCluster orders-global not found."));
            using (server)
            using (rds)
            {
                var ex = await Assert.ThrowsAsync<DrToolsException>(() => rds.DescribeGlobalClustersAsync("orders-global"));
                Assert.Equal((ErrorIds.NotFound, "GlobalClusterNotFoundFault"), (ex.ErrorId, ex.AwsErrorCode));
                Assert.Contains("global database 'orders-global'", ex.Message);
                Assert.Equal("orders-global", server.Requests.Single().Form["GlobalClusterIdentifier"]);
                Assert.Null(await rds.FindGlobalClusterAsync("orders-global"));
            }
        }

        /// <summary>moto answers every global database whatever GlobalClusterIdentifier asks for; the named one must still be the one returned.</summary>
        [Fact]
        public async Task DescribeGlobalClusters_by_id_returns_only_that_global_database_even_when_the_endpoint_answers_more()
        {
            var (server, rds) = Start(_ => Ok("DescribeGlobalClusters", "<GlobalClusters>" + Global("available", "").Replace("orders-global", "other-global") +
                                                                      Global("available", Member(PrimaryArn, true)) + "</GlobalClusters>"));
            using (server)
            using (rds)
            {
                Assert.Equal("orders-global", (await rds.DescribeGlobalClustersAsync("orders-global")).Single().Identifier);
                Assert.Equal("orders-global", (await rds.FindGlobalClusterAsync("ORDERS-GLOBAL"))!.Identifier); // ids are case-insensitive
                Assert.Equal("orders-global", (await rds.FindGlobalClusterAsync("arn:aws:rds::123456789012:global-cluster:orders-global"))!.Identifier);
                Assert.Null(await rds.FindGlobalClusterAsync("third-global"));
                Assert.Equal(2, (await rds.DescribeGlobalClustersAsync()).Count);
            }
        }

        [Fact]
        public async Task A_Find_passes_errors_other_than_not_found_on()
        {
            var (server, rds) = Start(_ => QueryFakes.Error(403, "AccessDenied", "not allowed"));
            using (server)
            using (rds)
            {
                Assert.Equal(ErrorIds.AccessDenied, (await Assert.ThrowsAsync<DrToolsException>(() => rds.FindDBClusterAsync("c"))).ErrorId);
                Assert.Equal(ErrorIds.AccessDenied, (await Assert.ThrowsAsync<DrToolsException>(() => rds.FindGlobalClusterAsync("g"))).ErrorId);
                Assert.Equal(ErrorIds.AccessDenied, (await Assert.ThrowsAsync<DrToolsException>(() => rds.FindDBClusterSnapshotAsync("s"))).ErrorId);
            }
        }

        // ---------------------------------------------------------------- switchover, failover

        [Fact]
        public async Task Switchover_sends_the_global_id_and_the_target_cluster_ARN_and_parses_the_result()
        {
            var (server, rds) = Start(r => Ok(r.Action!, "<GlobalCluster>" + GlobalBody("switching-over", Member(PrimaryArn, true) + Member(SecondaryArn, false, "connected"),
                "<FailoverState><Status>pending</Status><FromDbClusterArn>" + PrimaryArn + "</FromDbClusterArn><ToDbClusterArn>" + SecondaryArn +
                "</ToDbClusterArn><IsDataLossAllowed>false</IsDataLossAllowed></FailoverState>") + "</GlobalCluster>"));
            using (server)
            using (rds)
            {
                var g = await rds.SwitchoverGlobalClusterAsync("orders-global", SecondaryArn);
                QueryFakes.AssertForm(server.Requests.Single().Form, ("Action", "SwitchoverGlobalCluster"), ("Version", "2014-10-31"),
                    ("GlobalClusterIdentifier", "orders-global"), ("TargetDbClusterIdentifier", SecondaryArn));
                Assert.Equal(("orders-global", "switching-over"), (g.Identifier, g.Status));
                Assert.Equal(new GlobalClusterFailoverState("pending", PrimaryArn, SecondaryArn, false), g.FailoverState);
            }
        }

        [Fact]
        public async Task Failover_sends_AllowDataLoss_only_when_data_loss_is_allowed_and_Switchover_otherwise()
        {
            var (server, rds) = Start(r => Ok(r.Action!, "<GlobalCluster><GlobalClusterIdentifier>orders-global</GlobalClusterIdentifier><Status>failing-over</Status></GlobalCluster>"));
            using (server)
            using (rds)
            {
                var g = await rds.FailoverGlobalClusterAsync("orders-global", SecondaryArn, allowDataLoss: true);
                await rds.FailoverGlobalClusterAsync("orders-global", SecondaryArn, allowDataLoss: false);
                var r = server.Requests.ToArray();
                QueryFakes.AssertForm(r[0].Form, ("Action", "FailoverGlobalCluster"), ("Version", "2014-10-31"),
                    ("GlobalClusterIdentifier", "orders-global"), ("TargetDbClusterIdentifier", SecondaryArn), ("AllowDataLoss", "true"));
                QueryFakes.AssertForm(r[1].Form, ("Action", "FailoverGlobalCluster"), ("Version", "2014-10-31"),
                    ("GlobalClusterIdentifier", "orders-global"), ("TargetDbClusterIdentifier", SecondaryArn), ("Switchover", "true"));
                Assert.Equal("failing-over", g.Status);
            }
        }

        [Theory]
        [InlineData("orders-dr")] // an id: AWS wants the secondary's ARN
        [InlineData("arn:aws:rds:us-west-2:123456789012:db:orders-dr-1")] // an instance, not a cluster
        [InlineData("")]
        public async Task Switchover_and_failover_need_a_cluster_ARN_before_any_call(string target)
        {
            var (server, rds) = Start(_ => throw new InvalidOperationException("no call expected"));
            using (server)
            using (rds)
            {
                var a = await Assert.ThrowsAsync<DrToolsException>(() => rds.SwitchoverGlobalClusterAsync("orders-global", target));
                var b = await Assert.ThrowsAsync<DrToolsException>(() => rds.FailoverGlobalClusterAsync("orders-global", target, true));
                Assert.Equal((ErrorIds.InvalidParameter, ErrorIds.InvalidParameter), (a.ErrorId, b.ErrorId));
                Assert.Empty(server.Requests);
            }
        }

        // ---------------------------------------------------------------- restores, instances, delete

        [Fact]
        public async Task RestoreDBClusterFromSnapshot_sends_engine_network_key_and_tags()
        {
            var (server, rds) = Start(_ => Ok("RestoreDBClusterFromSnapshot", Cluster("orders-dr", "creating")));
            using (server)
            using (rds)
            {
                var c = await rds.RestoreDBClusterFromSnapshotAsync(new RestoreDbClusterFromSnapshotRequest
                {
                    DBClusterIdentifier = "orders-dr", SnapshotIdentifier = "orders-dr-copy", Engine = "aurora-postgresql", EngineVersion = "15.4",
                    DBSubnetGroupName = "dr-subnets", VpcSecurityGroupIds = new[] { "sg-0a1", "sg-0b2" }, KmsKeyId = "alias/dr", DeletionProtection = false,
                    Tags = new Dictionary<string, string> { ["DrTools:Plan"] = "orders" },
                });
                QueryFakes.AssertForm(server.Requests.Single().Form, ("Action", "RestoreDBClusterFromSnapshot"), ("Version", "2014-10-31"),
                    ("DBClusterIdentifier", "orders-dr"), ("SnapshotIdentifier", "orders-dr-copy"), ("Engine", "aurora-postgresql"), ("EngineVersion", "15.4"),
                    ("DBSubnetGroupName", "dr-subnets"), ("VpcSecurityGroupIds.VpcSecurityGroupId.1", "sg-0a1"), ("VpcSecurityGroupIds.VpcSecurityGroupId.2", "sg-0b2"),
                    ("Tags.Tag.1.Key", "DrTools:Plan"), ("Tags.Tag.1.Value", "orders"), ("KmsKeyId", "alias/dr"), ("DeletionProtection", "false"));
                Assert.Equal(("orders-dr", "creating", "us-west-2"), (c.Identifier, c.Status, c.Region));
            }
        }

        [Fact]
        public async Task RestoreDBClusterToPointInTime_sends_the_time_in_UTC_whole_seconds_or_the_latest_time()
        {
            var (server, rds) = Start(_ => Ok("RestoreDBClusterToPointInTime", Cluster("orders-pitr", "creating")));
            using (server)
            using (rds)
            {
                var local = new DateTime(2026, 12, 4, 17, 30, 15, 900, DateTimeKind.Utc).ToLocalTime();
                await rds.RestoreDBClusterToPointInTimeAsync(new RestoreDbClusterToPointInTimeRequest
                {
                    DBClusterIdentifier = "orders-pitr", SourceDBClusterIdentifier = "orders", RestoreToTime = local, RestoreType = "copy-on-write",
                    DBSubnetGroupName = "prod", VpcSecurityGroupIds = new[] { "sg-1" }, Tags = new Dictionary<string, string> { ["k"] = "v" },
                });
                var c = await rds.RestoreDBClusterToPointInTimeAsync(new RestoreDbClusterToPointInTimeRequest
                    { DBClusterIdentifier = "orders-pitr", SourceDBClusterIdentifier = "orders", UseLatestRestorableTime = true });
                var r = server.Requests.ToArray();
                QueryFakes.AssertForm(r[0].Form, ("Action", "RestoreDBClusterToPointInTime"), ("Version", "2014-10-31"),
                    ("DBClusterIdentifier", "orders-pitr"), ("SourceDBClusterIdentifier", "orders"), ("RestoreToTime", "2026-12-04T17:30:15Z"),
                    ("RestoreType", "copy-on-write"), ("DBSubnetGroupName", "prod"), ("VpcSecurityGroupIds.VpcSecurityGroupId.1", "sg-1"),
                    ("Tags.Tag.1.Key", "k"), ("Tags.Tag.1.Value", "v"));
                QueryFakes.AssertForm(r[1].Form, ("Action", "RestoreDBClusterToPointInTime"), ("Version", "2014-10-31"),
                    ("DBClusterIdentifier", "orders-pitr"), ("SourceDBClusterIdentifier", "orders"), ("UseLatestRestorableTime", "true"));
                Assert.Equal("orders-pitr", c.Identifier);
            }
        }

        [Fact]
        public async Task Cluster_restores_and_instances_check_their_arguments_before_any_call()
        {
            var (server, rds) = Start(_ => throw new InvalidOperationException("no call expected"));
            using (server)
            using (rds)
            {
                var errors = new List<DrToolsException>
                {
                    await Assert.ThrowsAsync<DrToolsException>(() => rds.RestoreDBClusterToPointInTimeAsync(new RestoreDbClusterToPointInTimeRequest
                        { DBClusterIdentifier = "a", SourceDBClusterIdentifier = "b" })),
                    await Assert.ThrowsAsync<DrToolsException>(() => rds.RestoreDBClusterToPointInTimeAsync(new RestoreDbClusterToPointInTimeRequest
                        { DBClusterIdentifier = "a", SourceDBClusterIdentifier = "b", UseLatestRestorableTime = true, RestoreToTime = DateTime.UtcNow })),
                    await Assert.ThrowsAsync<DrToolsException>(() => rds.RestoreDBClusterToPointInTimeAsync(new RestoreDbClusterToPointInTimeRequest
                        { DBClusterIdentifier = "a", SourceDBClusterIdentifier = "b", UseLatestRestorableTime = true, RestoreType = "clone" })),
                    await Assert.ThrowsAsync<DrToolsException>(() => rds.RestoreDBClusterFromSnapshotAsync(new RestoreDbClusterFromSnapshotRequest
                        { DBClusterIdentifier = "a", SnapshotIdentifier = "s" })), // no engine
                    await Assert.ThrowsAsync<DrToolsException>(() => rds.CreateDBClusterInstanceAsync(new CreateDbClusterInstanceRequest
                        { DBInstanceIdentifier = "i", DBClusterIdentifier = "a", Engine = "aurora-postgresql" })), // no class
                    await Assert.ThrowsAsync<DrToolsException>(() => rds.DeleteDBClusterAsync("a", null!)),
                };
                Assert.All(errors, e => Assert.Equal((ErrorIds.InvalidParameter, DrErrorCategory.InvalidArgument), (e.ErrorId, e.Category)));
                Assert.Contains("final snapshot", errors.Last().Message);
                Assert.Empty(server.Requests);
            }
        }

        [Fact]
        public async Task CreateDBInstance_into_a_cluster_sends_cluster_engine_class_and_tags()
        {
            var (server, rds) = Start(_ => Ok("CreateDBInstance",
                "<DBInstance><DBInstanceIdentifier>orders-dr-1</DBInstanceIdentifier><DBInstanceStatus>creating</DBInstanceStatus>" +
                "<DBClusterIdentifier>orders-dr</DBClusterIdentifier></DBInstance>"));
            using (server)
            using (rds)
            {
                var db = await rds.CreateDBClusterInstanceAsync(new CreateDbClusterInstanceRequest
                {
                    DBInstanceIdentifier = "orders-dr-1", DBClusterIdentifier = "orders-dr", DBInstanceClass = "db.r6g.large", Engine = "aurora-postgresql",
                    Tags = new Dictionary<string, string> { ["DrTools:Plan"] = "orders" },
                });
                QueryFakes.AssertForm(server.Requests.Single().Form, ("Action", "CreateDBInstance"), ("Version", "2014-10-31"),
                    ("DBInstanceIdentifier", "orders-dr-1"), ("DBInstanceClass", "db.r6g.large"), ("Engine", "aurora-postgresql"),
                    ("DBClusterIdentifier", "orders-dr"), ("Tags.Tag.1.Key", "DrTools:Plan"), ("Tags.Tag.1.Value", "orders"));
                Assert.Equal(("orders-dr-1", "creating", "orders-dr"), (db.Identifier, db.Status, db.DBClusterIdentifier));
            }
        }

        [Fact]
        public async Task DeleteDBCluster_sends_the_final_snapshot_choice()
        {
            var (server, rds) = Start(_ => Ok("DeleteDBCluster", Cluster("orders-dr", "deleting")));
            using (server)
            using (rds)
            {
                await rds.DeleteDBClusterAsync("orders-dr", DbFinalSnapshot.Take("orders-dr-final"));
                var c = await rds.DeleteDBClusterAsync("orders-dr", DbFinalSnapshot.None);
                var r = server.Requests.ToArray();
                QueryFakes.AssertForm(r[0].Form, ("Action", "DeleteDBCluster"), ("Version", "2014-10-31"), ("DBClusterIdentifier", "orders-dr"),
                    ("SkipFinalSnapshot", "false"), ("FinalDBSnapshotIdentifier", "orders-dr-final"));
                QueryFakes.AssertForm(r[1].Form, ("Action", "DeleteDBCluster"), ("Version", "2014-10-31"), ("DBClusterIdentifier", "orders-dr"),
                    ("SkipFinalSnapshot", "true"));
                Assert.Equal("deleting", c.Status);
            }
        }

        // ---------------------------------------------------------------- cluster snapshots

        [Fact]
        public async Task DescribeDBClusterSnapshots_sends_cluster_id_type_and_filters_pages_and_parses()
        {
            const string copied = "<DBClusterSnapshot><DBClusterSnapshotIdentifier>orders-dr-copy</DBClusterSnapshotIdentifier>" +
                                  "<DBClusterIdentifier>orders</DBClusterIdentifier><SnapshotCreateTime>2026-12-01T00:10:00Z</SnapshotCreateTime>" +
                                  "<Engine>aurora-postgresql</Engine><EngineVersion>15.4</EngineVersion><Status>copying</Status><PercentProgress>42</PercentProgress>" +
                                  "<ClusterCreateTime>2026-01-02T03:04:05Z</ClusterCreateTime><SnapshotType>manual</SnapshotType>" +
                                  "<StorageEncrypted>true</StorageEncrypted><KmsKeyId>alias/dr</KmsKeyId>" +
                                  "<DBClusterSnapshotArn>arn:aws:rds:us-west-2:123456789012:cluster-snapshot:orders-dr-copy</DBClusterSnapshotArn>" +
                                  "<SourceDBClusterSnapshotArn>" + SourceClusterSnapshotArn + "</SourceDBClusterSnapshotArn>" +
                                  "<TagList><Tag><Key>purpose</Key><Value>dr</Value></Tag></TagList></DBClusterSnapshot>";
            var (server, rds) = Start(r => r.Form.ContainsKey("Marker")
                ? Ok("DescribeDBClusterSnapshots", $"<DBClusterSnapshots>{ClusterSnapshot("rds:orders-2026-12-01", "available", "<SnapshotType>automated</SnapshotType>")}</DBClusterSnapshots>")
                : Ok("DescribeDBClusterSnapshots", $"<DBClusterSnapshots>{copied}</DBClusterSnapshots><Marker>s2</Marker>"));
            using (server)
            using (rds)
            {
                var snaps = await rds.DescribeDBClusterSnapshotsAsync(new DbClusterSnapshotQuery
                    { DBClusterIdentifier = "orders", SnapshotType = "manual", Filters = new[] { new RdsFilter("engine", "aurora-postgresql") } });
                var requests = server.Requests.ToArray();
                QueryFakes.AssertForm(requests[0].Form, ("Action", "DescribeDBClusterSnapshots"), ("Version", "2014-10-31"),
                    ("DBClusterIdentifier", "orders"), ("SnapshotType", "manual"), ("Filters.Filter.1.Name", "engine"),
                    ("Filters.Filter.1.Values.Value.1", "aurora-postgresql"), ("MaxRecords", "100"));
                Assert.Equal("s2", requests[1].Form["Marker"]);
                Assert.Equal(2, snaps.Count);
                var s = snaps[0];
                Assert.Equal(("orders-dr-copy", "orders", "copying", "manual", 42), (s.Identifier, s.DBClusterIdentifier, s.Status, s.SnapshotType, s.PercentProgress!.Value));
                Assert.Equal(new DateTime(2026, 12, 1, 0, 10, 0, DateTimeKind.Utc), s.SnapshotCreateTime);
                Assert.Equal(new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc), s.ClusterCreateTime);
                Assert.Equal(("aurora-postgresql", "15.4", true, "alias/dr"), (s.Engine, s.EngineVersion, s.StorageEncrypted, s.KmsKeyId));
                Assert.Equal(("arn:aws:rds:us-west-2:123456789012:cluster-snapshot:orders-dr-copy", SourceClusterSnapshotArn), (s.Arn, s.SourceDBClusterSnapshotArn));
                Assert.Equal(("dr", "us-west-2"), (s.Tags["purpose"], s.Region));
                Assert.Equal(("rds:orders-2026-12-01", "automated"), (snaps[1].Identifier, snaps[1].SnapshotType));
            }
        }

        [Fact]
        public async Task An_unknown_cluster_snapshot_is_DrTools_NotFound_and_Find_returns_null()
        {
            var (server, rds) = Start(_ => QueryFakes.Error(404, "DBClusterSnapshotNotFoundFault", "DBClusterSnapshot cs not found."));
            using (server)
            using (rds)
            {
                var ex = await Assert.ThrowsAsync<DrToolsException>(() => rds.DescribeDBClusterSnapshotsAsync(new DbClusterSnapshotQuery { DBClusterSnapshotIdentifier = "cs" }));
                Assert.Equal((ErrorIds.NotFound, "DBClusterSnapshotNotFoundFault"), (ex.ErrorId, ex.AwsErrorCode));
                Assert.Contains("DB cluster snapshot 'cs'", ex.Message);
                Assert.Null(await rds.FindDBClusterSnapshotAsync("cs"));
                Assert.All(server.Requests, r => Assert.Equal("cs", r.Form["DBClusterSnapshotIdentifier"]));
            }
        }

        [Fact]
        public async Task Create_and_delete_cluster_snapshot_send_ids_and_tags()
        {
            var (server, rds) = Start(r => Ok(r.Action!, ClusterSnapshot("orders-pre-failover", r.Action == "DeleteDBClusterSnapshot" ? "deleted" : "creating")));
            using (server)
            using (rds)
            {
                var created = await rds.CreateDBClusterSnapshotAsync("orders", "orders-pre-failover", new Dictionary<string, string> { ["purpose"] = "dr", ["ticket"] = "INC-42" });
                var deleted = await rds.DeleteDBClusterSnapshotAsync("orders-pre-failover");
                var r = server.Requests.ToArray();
                QueryFakes.AssertForm(r[0].Form, ("Action", "CreateDBClusterSnapshot"), ("Version", "2014-10-31"),
                    ("DBClusterSnapshotIdentifier", "orders-pre-failover"), ("DBClusterIdentifier", "orders"),
                    ("Tags.Tag.1.Key", "purpose"), ("Tags.Tag.1.Value", "dr"), ("Tags.Tag.2.Key", "ticket"), ("Tags.Tag.2.Value", "INC-42"));
                QueryFakes.AssertForm(r[1].Form, ("Action", "DeleteDBClusterSnapshot"), ("Version", "2014-10-31"), ("DBClusterSnapshotIdentifier", "orders-pre-failover"));
                Assert.Equal(("creating", "deleted"), (created.Status, deleted.Status));
            }
        }

        [Theory]
        [InlineData("orders-2026-12-01")]
        [InlineData("arn:aws:rds:us-west-2:123456789012:cluster-snapshot:orders-2026-12-01")]
        public async Task A_same_region_cluster_snapshot_copy_carries_no_PreSignedUrl(string source)
        {
            var (server, rds) = Start(_ => Ok("CopyDBClusterSnapshot", ClusterSnapshot("orders-copy", "creating")));
            using (server)
            using (rds)
            {
                await rds.CopyDBClusterSnapshotAsync(new CopyDbClusterSnapshotRequest { SourceDBClusterSnapshotIdentifier = source, TargetDBClusterSnapshotIdentifier = "orders-copy" });
                QueryFakes.AssertForm(server.Requests.Single().Form, ("Action", "CopyDBClusterSnapshot"), ("Version", "2014-10-31"),
                    ("SourceDBClusterSnapshotIdentifier", source), ("TargetDBClusterSnapshotIdentifier", "orders-copy"));
            }
        }

        [Fact]
        public async Task A_cross_region_cluster_snapshot_copy_carries_a_URL_presigned_for_the_source_region()
        {
            var (server, rds) = Start(_ => Ok("CopyDBClusterSnapshot", ClusterSnapshot("orders-dr-copy", "copying",
                "<SourceDBClusterSnapshotArn>" + SourceClusterSnapshotArn + "</SourceDBClusterSnapshotArn>")));
            using (server)
            using (rds)
            {
                var copy = await rds.CopyDBClusterSnapshotAsync(new CopyDbClusterSnapshotRequest
                {
                    SourceDBClusterSnapshotIdentifier = SourceClusterSnapshotArn, TargetDBClusterSnapshotIdentifier = "orders-dr-copy",
                    KmsKeyId = "arn:aws:kms:us-west-2:123456789012:key/dr", CopyTags = true, Tags = new Dictionary<string, string> { ["purpose"] = "dr" },
                });
                var request = server.Requests.Single();
                Assert.Equal(("rds", "us-west-2"), (request.Service, request.Region)); // sent to, and signed for, the destination
                var url = request.Form["PreSignedUrl"];
                QueryFakes.AssertForm(request.Form, ("Action", "CopyDBClusterSnapshot"), ("Version", "2014-10-31"),
                    ("SourceDBClusterSnapshotIdentifier", SourceClusterSnapshotArn), ("TargetDBClusterSnapshotIdentifier", "orders-dr-copy"),
                    ("KmsKeyId", "arn:aws:kms:us-west-2:123456789012:key/dr"), ("CopyTags", "true"),
                    ("Tags.Tag.1.Key", "purpose"), ("Tags.Tag.1.Value", "dr"), ("PreSignedUrl", url));
                var uri = new Uri(url);
                Assert.Equal(("https", "rds.us-east-1.amazonaws.com"), (uri.Scheme, uri.Host));
                var q = RdsServiceTests.Query(uri);
                Assert.Equal(("CopyDBClusterSnapshot", "2014-10-31", SourceClusterSnapshotArn, "orders-dr-copy", "arn:aws:kms:us-west-2:123456789012:key/dr", "us-west-2"),
                    (q["Action"], q["Version"], q["SourceDBClusterSnapshotIdentifier"], q["TargetDBClusterSnapshotIdentifier"], q["KmsKeyId"], q["DestinationRegion"]));
                Assert.Equal("3600", q["X-Amz-Expires"]);
                Assert.Equal("us-east-1/rds/aws4_request", string.Join("/", q["X-Amz-Credential"].Split('/').Skip(2)));
                RdsServiceTests.AssertValidSignature(uri, "us-east-1");
                Assert.Equal(("orders-dr-copy", SourceClusterSnapshotArn), (copy.Identifier, copy.SourceDBClusterSnapshotArn));
            }
        }

        [Theory]
        [InlineData("arn:aws:rds:us-east-1:123456789012:snapshot:orders-db-2026")] // a DB snapshot where a cluster snapshot is expected
        [InlineData("arn:aws:s3:::bucket/key")]
        public async Task A_cluster_snapshot_source_ARN_of_the_wrong_kind_is_rejected_before_any_call(string source)
        {
            var (server, rds) = Start(_ => throw new InvalidOperationException("no call expected"));
            using (server)
            using (rds)
            {
                var ex = await Assert.ThrowsAsync<DrToolsException>(() => rds.CopyDBClusterSnapshotAsync(
                    new CopyDbClusterSnapshotRequest { SourceDBClusterSnapshotIdentifier = source, TargetDBClusterSnapshotIdentifier = "t" }));
                Assert.Equal(ErrorIds.InvalidParameter, ex.ErrorId);
                Assert.Contains("DB cluster snapshot", ex.Message);
                Assert.Empty(server.Requests);
            }
        }

        // ---------------------------------------------------------------- error mapping

        [Theory]
        [InlineData("DBClusterAlreadyExistsFault", 400, "DrTools.AlreadyExists")]
        [InlineData("DBClusterSnapshotAlreadyExistsFault", 400, "DrTools.AlreadyExists")]
        [InlineData("InvalidDBClusterStateFault", 400, "DrTools.InvalidState")]
        [InlineData("InvalidGlobalClusterStateFault", 400, "DrTools.InvalidState")]
        [InlineData("InvalidDBClusterSnapshotStateFault", 400, "DrTools.InvalidState")]
        [InlineData("InsufficientDBClusterCapacityFault", 403, "DrTools.QuotaExceeded")]
        [InlineData("DBClusterQuotaExceededFault", 403, "DrTools.QuotaExceeded")]
        [InlineData("DBClusterNotFoundFault", 404, "DrTools.NotFound")]
        [InlineData("KMSKeyNotAccessibleFault", 400, "DrTools.InvalidParameter")]
        public async Task Aurora_error_codes_map_to_DrTools_error_ids(string code, int status, string errorId)
        {
            var (server, rds) = Start(_ => QueryFakes.Error(status, code, "message from RDS"));
            using (server)
            using (rds)
            {
                var ex = await Assert.ThrowsAsync<DrToolsException>(() => rds.RestoreDBClusterFromSnapshotAsync(new RestoreDbClusterFromSnapshotRequest
                    { DBClusterIdentifier = "orders-dr", SnapshotIdentifier = "orders-dr-copy", Engine = "aurora-postgresql" }));
                Assert.Equal((errorId, code), (ex.ErrorId, ex.AwsErrorCode));
                Assert.Contains("message from RDS", ex.Message);
                Assert.Contains("DB cluster 'orders-dr' from DB cluster snapshot 'orders-dr-copy'", ex.Message);
            }
        }

        // ---------------------------------------------------------------- waiters

        [Fact]
        public async Task Cluster_waiter_polls_until_available()
        {
            var states = new ConcurrentQueue<string>(new[] { "creating", "backing-up", "available" });
            var (server, rds) = Start(_ => Ok("DescribeDBClusters", $"<DBClusters>{Cluster("orders-dr", states.TryDequeue(out var s) ? s : "available")}</DBClusters>"));
            using (server)
            using (rds)
            {
                var c = await rds.WaitForDBClusterAvailableAsync("orders-dr", TimeSpan.FromSeconds(30));
                Assert.Equal("available", c.Status);
                Assert.Equal(3, server.Requests.Count);
                Assert.All(server.Requests, r => Assert.Equal("orders-dr", r.Form["DBClusterIdentifier"]));
            }
        }

        [Theory]
        [InlineData("failed")]
        [InlineData("inaccessible-encryption-credentials")]
        [InlineData("inaccessible-encryption-credentials-recoverable")]
        [InlineData("incompatible-restore")]
        [InlineData("deleting")]
        public async Task Cluster_waiter_stops_at_a_failed_state_at_once(string state)
        {
            var (server, rds) = Start(_ => Ok("DescribeDBClusters", $"<DBClusters>{Cluster("orders-dr", state)}</DBClusters>"));
            using (server)
            using (rds)
            {
                var ex = await Assert.ThrowsAsync<DrToolsException>(() => rds.WaitForDBClusterAvailableAsync("orders-dr", TimeSpan.FromMinutes(5)));
                Assert.Equal(ErrorIds.InvalidState, ex.ErrorId);
                Assert.Contains(state, ex.Message);
                Assert.Contains("DB cluster 'orders-dr'", ex.Message);
                Assert.Single(server.Requests);
            }
        }

        [Fact]
        public async Task Cluster_snapshot_waiter_stops_at_failed_and_times_out_with_progress_in_the_message()
        {
            var (server, rds) = Start(r => Ok("DescribeDBClusterSnapshots", "<DBClusterSnapshots>" +
                ClusterSnapshot(r.Form["DBClusterSnapshotIdentifier"], r.Form["DBClusterSnapshotIdentifier"] == "bad" ? "failed" : "copying", "<PercentProgress>37</PercentProgress>") +
                "</DBClusterSnapshots>"));
            using (server)
            using (rds)
            {
                var failed = await Assert.ThrowsAsync<DrToolsException>(() => rds.WaitForDBClusterSnapshotAvailableAsync("bad", TimeSpan.FromMinutes(5)));
                Assert.Equal(ErrorIds.InvalidState, failed.ErrorId);
                var before = server.Requests.Count;
                Assert.Equal(1, before);
                var timedOut = await Assert.ThrowsAsync<DrToolsException>(() => rds.WaitForDBClusterSnapshotAvailableAsync("slow", TimeSpan.FromMilliseconds(50)));
                Assert.Equal(ErrorIds.Timeout, timedOut.ErrorId);
                Assert.Contains("copying 37%", timedOut.Message);
                Assert.Contains("DB cluster snapshot 'slow'", timedOut.Message);
            }
        }

        [Fact]
        public async Task Cluster_deleted_waiter_is_done_when_the_cluster_is_not_found_and_fails_on_a_state_that_is_not_deleting()
        {
            int calls = 0;
            var (server, rds) = Start(r => r.Form["DBClusterIdentifier"] == "busy"
                ? Ok("DescribeDBClusters", $"<DBClusters>{Cluster("busy", "modifying")}</DBClusters>")
                : Interlocked.Increment(ref calls) < 3
                    ? Ok("DescribeDBClusters", $"<DBClusters>{Cluster("orders-dr", "deleting")}</DBClusters>")
                    : QueryFakes.Error(404, "DBClusterNotFoundFault", "DBCluster orders-dr not found."));
            using (server)
            using (rds)
            {
                await rds.WaitForDBClusterDeletedAsync("orders-dr", TimeSpan.FromSeconds(30));
                Assert.Equal(3, calls);
                var ex = await Assert.ThrowsAsync<DrToolsException>(() => rds.WaitForDBClusterDeletedAsync("busy", TimeSpan.FromSeconds(30)));
                Assert.Equal(ErrorIds.InvalidState, ex.ErrorId);
            }
        }

        [Fact]
        public async Task Global_waiter_polls_until_the_condition_holds_and_times_out_naming_the_switchover_under_way()
        {
            int calls = 0;
            string Response()
            {
                var done = Interlocked.Increment(ref calls) >= 3;
                var members = Member(PrimaryArn, !done) + Member(SecondaryArn, done, "connected");
                var state = done ? "" : "<FailoverState><Status>failing-over</Status><FromDbClusterArn>" + PrimaryArn + "</FromDbClusterArn><ToDbClusterArn>" +
                                        SecondaryArn + "</ToDbClusterArn><IsDataLossAllowed>false</IsDataLossAllowed></FailoverState>";
                return "<GlobalClusters>" + Global(done ? "available" : "switching-over", members, state) + "</GlobalClusters>";
            }
            var (server, rds) = Start(r => r.Form["GlobalClusterIdentifier"] == "orders-global"
                ? Ok("DescribeGlobalClusters", Response())
                : Ok("DescribeGlobalClusters", "<GlobalClusters>" + Global("switching-over", Member(PrimaryArn, true),
                    "<FailoverState><Status>pending</Status><FromDbClusterArn>" + PrimaryArn + "</FromDbClusterArn><ToDbClusterArn>" + SecondaryArn +
                    "</ToDbClusterArn><IsDataLossAllowed>false</IsDataLossAllowed></FailoverState>").Replace("orders-global", "stuck-global") + "</GlobalClusters>"));
            using (server)
            using (rds)
            {
                static bool WriterIsSecondary(GlobalCluster g) => g.FailoverState == null && g.Members.Any(m => m.IsWriter && m.DBClusterArn == SecondaryArn);
                var g = await rds.WaitForGlobalClusterAsync("orders-global", WriterIsSecondary, "to have its writer in us-west-2", TimeSpan.FromSeconds(30));
                Assert.Equal(3, calls);
                Assert.Equal("available", g.Status);

                var ex = await Assert.ThrowsAsync<DrToolsException>(() =>
                    rds.WaitForGlobalClusterAsync("stuck-global", WriterIsSecondary, "to have its writer in us-west-2", TimeSpan.FromMilliseconds(50)));
                Assert.Equal(ErrorIds.Timeout, ex.ErrorId);
                Assert.Contains("global database 'stuck-global' to have its writer in us-west-2", ex.Message);
                Assert.Contains("switchover pending", ex.Message);
            }
        }

        [Fact]
        public async Task Cancellation_ends_a_cluster_wait_within_a_second()
        {
            var (server, rds) = Start(_ => Ok("DescribeDBClusters", $"<DBClusters>{Cluster("orders-dr", "creating")}</DBClusters>"));
            using (server)
            using (rds)
            {
                rds.PollInterval = TimeSpan.FromMinutes(5);
                using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
                var started = DateTime.UtcNow;
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => rds.WaitForDBClusterAvailableAsync("orders-dr", TimeSpan.FromHours(1), null, cts.Token));
                Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(5));
            }
        }
    }
}
