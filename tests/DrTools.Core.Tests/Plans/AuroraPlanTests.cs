using System;
using System.IO;
using System.Linq;
using DrTools.Core.Plans;
using Xunit;

namespace DrTools.Core.Tests.Plans
{
    /// <summary>resources.database for Aurora: the cluster fields, their rules (with JSON paths), the writer and the example.</summary>
    public class AuroraPlanTests
    {
        const string Db = "$.resources.database";

        /// <summary>docs/examples/plans/aurora-pilot-light.json: the PILOT_LIGHT template with an Aurora Global Database.</summary>
        internal static DrPlan AuroraPilotLightExample()
        {
            var t = DrPlanTemplates.Create(DrStrategy.PilotLight);
            return new DrPlan
            {
                Name = t.Name, Strategy = t.Strategy, PrimaryRegion = t.PrimaryRegion, DrRegion = t.DrRegion, Rto = t.Rto, Rpo = t.Rpo,
                Description = $"{t.Name}: an Aurora Global Database with its secondary cluster in {t.DrRegion}; recovery switches over to it (fails over only with -AllowDataLoss).",
                Options = t.Options, Approvals = t.Approvals,
                Resources = new PlanResources
                {
                    AppServers = t.Resources.AppServers, ElasticIps = t.Resources.ElasticIps, Dns = t.Resources.Dns,
                    Database = new DatabaseSpec
                    {
                        Engine = "aurora-postgresql", ClusterId = "orders-aurora", GlobalClusterId = "orders-global", ReplicaClusterId = "orders-aurora-dr",
                        TargetInstanceClass = "db.r6g.large", MaxReplicaLag = TimeSpan.FromMinutes(1), AllowDataLoss = false,
                    },
                },
            };
        }

        static string ExamplePath => Path.Combine(PlanExamplesTests.RepoRoot(), "docs", "examples", "plans", "aurora-pilot-light.json");

        [Fact]
        public void The_Aurora_example_loads_cleanly_and_is_the_pilot_light_template_with_a_global_database()
        {
            // Regenerate with DRTOOLS_UPDATE_EXAMPLES=1, as the other examples.
            if (Environment.GetEnvironmentVariable("DRTOOLS_UPDATE_EXAMPLES") == "1") File.WriteAllText(ExamplePath, DrPlanWriter.ToJson(AuroraPilotLightExample()));
            var result = DrPlanLoader.LoadFile(ExamplePath);
            Assert.True(result.IsValid, string.Join("\n", result.Issues));
            Assert.Empty(result.Issues);
            var db = result.Plan!.Resources.Database!;
            Assert.True(db.IsAurora);
            Assert.Equal(("orders-aurora", "orders-global", "orders-aurora-dr", "us-east-1"), (db.ClusterId, db.GlobalClusterId, db.ReplicaClusterId, db.PrimaryRegion));
            Assert.Equal(DrPlanWriter.ToJson(AuroraPilotLightExample()), File.ReadAllText(ExamplePath).Replace("\r\n", "\n"));
        }

        static string Plan(string strategy, string database, string extra = "") => $$"""
            { "name": "orders", "strategy": "{{strategy}}", "primaryRegion": "us-east-1", "drRegion": "us-west-2", "rto": "PT1H", "rpo": "PT15M" {{extra}},
              "resources": { "autoScalingGroups": [ { "name": "web", "standby": { "min": 1, "max": 1, "desired": 1 }, "production": { "min": 2, "max": 4, "desired": 2 } } ],
                             "dns": { "hostedZoneId": "Z0123456789ABCDEFGHIJ", "records": [ { "name": "a.example.com.", "type": "A", "routing": "WEIGHTED", "ttl": 60, "sites": [
                                 { "setIdentifier": "p", "weight": 100, "failoverWeight": 0, "target": { "values": ["198.51.100.1"] } },
                                 { "setIdentifier": "d", "weight": 0, "failoverWeight": 100, "target": { "values": ["198.51.100.2"] } } ] } ] },
                             "database": {{database}} } }
            """;

        static PlanLoadResult Load(string json) => DrPlanLoader.Parse(json);

        static void AssertIssue(PlanLoadResult r, string path, string fragment, bool error = true) =>
            Assert.True((error ? r.Errors : r.Warnings).Any(e => e.Path == path && e.Message.Contains(fragment, StringComparison.OrdinalIgnoreCase)),
                $"no {(error ? "error" : "warning")} at {path} containing '{fragment}'; got:\n" + string.Join("\n", r.Issues));

        [Fact]
        public void A_global_database_plan_loads_and_writes_back_the_same()
        {
            var json = Plan("WARM_STANDBY", """{ "engine": "aurora-mysql", "clusterId": "orders", "globalClusterId": "orders-global", "replicaClusterId": "orders-dr", "maxReplicaLag": "PT30S", "allowDataLoss": true }""");
            var r = Load(json);
            Assert.True(r.IsValid, string.Join("\n", r.Issues));
            Assert.Empty(r.Issues);
            var db = r.Plan!.Resources.Database!;
            Assert.Equal(("orders", "orders-global", "orders-dr", TimeSpan.FromSeconds(30), true), (db.ClusterId, db.GlobalClusterId, db.ReplicaClusterId, db.MaxReplicaLag, db.AllowDataLoss));
            var written = DrPlanWriter.ToJson(r.Plan);
            Assert.Equal(written, DrPlanWriter.ToJson(Load(written).GetPlanOrThrow()));
            Assert.Contains("\"globalClusterId\": \"orders-global\"", written);
        }

        [Fact]
        public void A_cluster_restore_loads_with_its_snapshot_and_instance_count_and_writes_back_the_same()
        {
            var json = Plan("BACKUP_AND_RESTORE", """{ "engine": "aurora-postgresql", "clusterId": "orders", "restore": { "clusterId": "orders-restored", "clusterSnapshotId": "arn:aws:rds:us-west-2:123456789012:cluster-snapshot:orders-copy", "instanceCount": 2 }, "targetInstanceClass": "db.r6g.large" }""");
            var r = Load(json);
            Assert.True(r.IsValid, string.Join("\n", r.Issues));
            var restore = r.Plan!.Resources.Database!.Restore!;
            Assert.Equal(("orders-restored", "arn:aws:rds:us-west-2:123456789012:cluster-snapshot:orders-copy", 2), (restore.ClusterId, restore.ClusterSnapshotId, restore.InstanceCount));
            var written = DrPlanWriter.ToJson(r.Plan);
            Assert.Equal(written, DrPlanWriter.ToJson(Load(written).GetPlanOrThrow()));
            Assert.Contains("\"instanceCount\": 2", written);
            Assert.DoesNotContain("instanceId", written);
        }

        [Fact]
        public void Instance_and_cluster_fields_do_not_mix_and_the_error_names_both_paths()
        {
            var r = Load(Plan("PILOT_LIGHT", """{ "primaryInstanceId": "orders-db", "replicaInstanceId": "orders-db-dr", "globalClusterId": "orders-global", "replicaClusterId": "orders-dr" }"""));
            Assert.False(r.IsValid);
            AssertIssue(r, Db + ".primaryInstanceId", "$.resources.database.globalClusterId names an Aurora DB cluster");
            AssertIssue(r, Db + ".replicaInstanceId", "$.resources.database.globalClusterId");

            var restore = Load(Plan("BACKUP_AND_RESTORE", """{ "primaryInstanceId": "orders-db", "restore": { "instanceId": "orders-db-restored", "clusterId": "orders-restored" }, "targetInstanceClass": "db.r6g.large" }"""));
            AssertIssue(restore, Db + ".primaryInstanceId", "$.resources.database.restore.clusterId names an Aurora DB cluster");
            AssertIssue(restore, Db + ".restore.instanceId", "$.resources.database.restore.clusterId");
        }

        [Fact]
        public void A_global_database_needs_its_secondary_cluster_and_a_primary_region()
        {
            var r = Load(Plan("PILOT_LIGHT", """{ "clusterId": "orders", "globalClusterId": "orders-global" }""").Replace("\"primaryRegion\": \"us-east-1\", ", ""));
            AssertIssue(r, Db + ".replicaClusterId", "is required with globalClusterId");
            AssertIssue(r, Db + ".primaryRegion", "is required when the plan has no primaryRegion");
        }

        [Fact]
        public void Strategies_and_Aurora_recoveries_must_match()
        {
            // PILOT_LIGHT, WARM_STANDBY and MULTI_SITE switch over a global database; BACKUP_AND_RESTORE restores a cluster.
            AssertIssue(Load(Plan("MULTI_SITE", """{ "clusterId": "orders" }""")), Db + ".globalClusterId", "is required");
            AssertIssue(Load(Plan("PILOT_LIGHT", """{ "clusterId": "orders", "restore": { "clusterId": "orders-restored" }, "targetInstanceClass": "db.r6g.large" }""")),
                Db + ".restore", "PILOT_LIGHT recovers an Aurora database by switching over its global database");
            AssertIssue(Load(Plan("BACKUP_AND_RESTORE", """{ "clusterId": "orders" }""")), Db + ".restore", "BACKUP_AND_RESTORE restores the Aurora DB cluster");
            AssertIssue(Load(Plan("BACKUP_AND_RESTORE", """{ "clusterId": "orders", "globalClusterId": "g", "replicaClusterId": "orders-dr" }""")),
                Db + ".globalClusterId", "BACKUP_AND_RESTORE restores an Aurora DB cluster");
            AssertIssue(Load(Plan("PILOT_LIGHT", """{ "clusterId": "orders", "replicaClusterId": "orders-dr" }""")),
                Db + ".globalClusterId", "a cross-region read replica cluster without a global database is not supported");
        }

        [Fact]
        public void A_cluster_restore_needs_its_cluster_id_a_source_and_an_instance_class()
        {
            var r = Load(Plan("BACKUP_AND_RESTORE", """{ "restore": { "instanceCount": 2 } }"""));
            AssertIssue(r, Db + ".restore.clusterId", "the Aurora DB cluster the restore creates");
            AssertIssue(r, Db + ".clusterId", "the primary DB cluster whose newest cluster snapshot");
            AssertIssue(r, Db + ".targetInstanceClass", "is required with an Aurora restore");

            var twoSources = Load(Plan("BACKUP_AND_RESTORE", """{ "clusterId": "orders", "replicaClusterId": "orders-dr", "restore": { "clusterId": "x", "clusterSnapshotId": "s", "latestRestorable": true }, "targetInstanceClass": "db.r6g.large" }"""));
            AssertIssue(twoSources, Db + ".restore", "not \"clusterSnapshotId\" and \"latestRestorable\": true");

            var pointInTime = Load(Plan("BACKUP_AND_RESTORE", """{ "clusterId": "orders", "restore": { "clusterId": "x", "pointInTime": "2026-03-14T02:10:00Z" }, "targetInstanceClass": "db.r6g.large" }"""));
            AssertIssue(pointInTime, Db + ".replicaClusterId", "Aurora backups stay in their cluster's region");

            var tooMany = Load(Plan("BACKUP_AND_RESTORE", """{ "clusterId": "orders", "restore": { "clusterId": "x", "instanceCount": 17 }, "targetInstanceClass": "db.r6g.large" }"""));
            Assert.Contains(tooMany.Errors, e => e.Path == Db + ".restore.instanceCount");

            var snapshotArn = Load(Plan("BACKUP_AND_RESTORE", """{ "clusterId": "orders", "restore": { "clusterId": "x", "clusterSnapshotId": "arn:aws:rds:us-west-2:123456789012:snapshot:not-a-cluster-one" }, "targetInstanceClass": "db.r6g.large" }"""));
            AssertIssue(snapshotArn, Db + ".restore.clusterSnapshotId", "is not a DB cluster snapshot identifier or ARN");
        }

        [Fact]
        public void Aurora_engines_are_known_and_a_non_Aurora_engine_warns()
        {
            Assert.Empty(Load(Plan("PILOT_LIGHT", """{ "engine": "aurora-postgresql", "clusterId": "o", "globalClusterId": "g", "replicaClusterId": "o-dr" }""")).Issues);
            AssertIssue(Load(Plan("PILOT_LIGHT", """{ "engine": "postgres", "clusterId": "o", "globalClusterId": "g", "replicaClusterId": "o-dr" }""")),
                Db + ".engine", "is not an Aurora engine", error: false);
        }

        [Fact]
        public void Reprotect_and_fence_are_ignored_for_Aurora_with_a_warning()
        {
            var r = Load(Plan("PILOT_LIGHT", """{ "clusterId": "o", "globalClusterId": "g", "replicaClusterId": "o-dr", "reprotect": { "afterFailover": true } }"""));
            Assert.True(r.IsValid);
            AssertIssue(r, Db + ".reprotect", "ignored for an Aurora DB cluster", error: false);
        }
    }
}
