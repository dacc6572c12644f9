using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;
using DrTools.Core.Access;
using DrTools.Core.Drills;
using DrTools.Core.Plans;
using DrTools.Core.Recovery.Steps;
using DrTools.Core.Tests.Plans;
using Xunit;

namespace DrTools.Core.Tests.Access
{
    /// <summary>The IAM action table and the policies Get-DrIamPolicy builds from it.</summary>
    public class IamPolicyTests
    {
        static readonly string Root = PlanExamplesTests.RepoRoot();

        public static IEnumerable<object[]> ExamplePlansAndRoles() =>
            Directory.GetFiles(Path.Combine(Root, "docs", "examples", "plans"), "*.json").OrderBy(f => f, StringComparer.Ordinal)
                .SelectMany(f => Enum.GetNames(typeof(IamRole)).Select(r => new object[] { Path.GetFileName(f), r }));

        static DrPlan Load(string file) => DrPlanLoader.Parse(File.ReadAllText(Path.Combine(Root, "docs", "examples", "plans", file)), file).GetPlanOrThrow();

        // ---------------------------------------------------------------- the table covers every call

        /// <summary>
        /// Every AWS operation the service classes call: the first string argument of the call helpers the AWS layer
        /// uses (every *Call( and *Async( helper), the probes of Test-DrConnection and the operations named
        /// to the error mapper. A new call that is not in IamActions fails here.
        /// </summary>
        [Fact]
        public void Every_AWS_call_DrTools_makes_is_in_the_IAM_action_table()
        {
            var source = Path.Combine(Root, "src", "DrTools.Core");
            var call = new Regex(@"\b(?:\w*Call|\w*Async|Stuck|WireRequest)\(\s*""([A-Z][A-Za-z0-9]+)""");
            var mapped = new Regex(@"AwsErrorMapper\.Map\(\s*\w+,\s*""[^""]+"",\s*""([A-Z][A-Za-z0-9]+)""");
            var probe = new Regex(@"=>\s*\(""([A-Z][A-Za-z0-9]+)"",");
            var found = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var file in Directory.GetFiles(source, "*.cs", SearchOption.AllDirectories).Where(f => !f.Contains(Path.DirectorySeparatorChar + "obj" + Path.DirectorySeparatorChar)))
            {
                var text = File.ReadAllText(file);
                foreach (var re in new[] { call, mapped, probe })
                    foreach (Match m in re.Matches(text)) found.Add(m.Groups[1].Value);
            }
            found.Remove("ResolveEndpoint"); // AwsWireClient.ResolveEndpoint builds a URL; nothing is sent
            // The scan must see the calls it is meant to: one of each service.
            Assert.Superset(new SortedSet<string> { "RunInstances", "DescribeDBInstances", "UpdateAutoScalingGroup", "ChangeResourceRecordSets", "PutObject",
                "GetMetricStatistics", "GetServiceQuota", "GetCallerIdentity", "DescribeAvailabilityZones", "ListBuckets" }, found);
            var table = new HashSet<string>(IamActions.Entries.Select(e => e.Operation), StringComparer.Ordinal);
            var missing = found.Where(op => !table.Contains(op)).ToList();
            Assert.True(missing.Count == 0, "AWS calls missing from DrTools.Core.Access.IamActions: " + string.Join(", ", missing));
            var stale = IamActions.Entries.Where(e => !e.Planned && !found.Contains(e.Operation)).Select(e => e.Operation).Distinct().ToList();
            Assert.True(stale.Count == 0, "IamActions lists operations DrTools does not call (mark them Planned or remove them): " + string.Join(", ", stale));
            var calledButPlanned = IamActions.Entries.Where(e => e.Planned && found.Contains(e.Operation)).Select(e => e.Operation).Distinct().ToList();
            Assert.True(calledButPlanned.Count == 0, "IamActions marks operations DrTools calls now as planned: " + string.Join(", ", calledButPlanned));
        }

        [Fact]
        public void Unscopable_actions_say_why()
        {
            Assert.All(IamActions.Entries.Where(e => e.Scope == IamScope.Unscopable), e => Assert.False(string.IsNullOrWhiteSpace(e.Why), e.Action));
        }

        [Fact]
        public void Docs_iam_md_has_the_generated_table()
        {
            var path = Path.Combine(Root, "docs", "iam.md");
            var doc = File.ReadAllText(path).Replace("\r\n", "\n");
            const string begin = "<!-- BEGIN IamActions (generated) -->\n", end = "<!-- END IamActions (generated) -->";
            var start = doc.IndexOf(begin, StringComparison.Ordinal);
            var stop = doc.IndexOf(end, StringComparison.Ordinal);
            Assert.True(start >= 0 && stop > start, "docs/iam.md lacks the generated IamActions markers");
            var expected = doc.Substring(0, start + begin.Length) + IamPolicyBuilder.MarkdownTable() + doc.Substring(stop);
            if (expected != doc && Environment.GetEnvironmentVariable("DRTOOLS_UPDATE_DOCS") == "1") File.WriteAllText(path, expected);
            Assert.True(expected == doc, "docs/iam.md differs from IamActions; run the tests with DRTOOLS_UPDATE_DOCS=1 to regenerate it.");
        }

        // ---------------------------------------------------------------- generated policies

        [Theory]
        [MemberData(nameof(ExamplePlansAndRoles))]
        public void Each_example_plans_policy_is_valid_IAM_JSON_naming_only_the_plans_resources(string file, string roleName)
        {
            var plan = Load(file);
            var role = (IamRole)Enum.Parse(typeof(IamRole), roleName);
            var policy = IamPolicyBuilder.Build(plan, role);
            using var doc = JsonDocument.Parse(policy.Json);
            var root = doc.RootElement;
            Assert.Equal("2012-10-17", root.GetProperty("Version").GetString());
            var statements = root.GetProperty("Statement").EnumerateArray().ToList();
            Assert.NotEmpty(statements);
            Assert.Equal(policy.Statements, statements.Count);
            var sids = statements.Select(s => s.GetProperty("Sid").GetString()!).ToList();
            Assert.Equal(sids.Count, sids.Distinct().Count());
            Assert.All(sids, sid => Assert.Matches("^[A-Za-z0-9]+$", sid));

            var regions = IamPolicyBuilder.RegionsOf(plan);
            var ids = PlanIds(plan);
            var unscopable = new HashSet<string>(IamActions.Entries.Where(e => e.Scope is IamScope.Unscopable or IamScope.DrToolsMetrics).Select(e => e.Action));
            foreach (var s in statements)
            {
                Assert.Equal("Allow", s.GetProperty("Effect").GetString());
                var actions = Strings(s.GetProperty("Action"));
                Assert.NotEmpty(actions);
                Assert.All(actions, a => Assert.Matches("^[a-z0-9]+:[A-Za-z0-9*]+$", a));
                var resources = Strings(s.GetProperty("Resource"));
                Assert.NotEmpty(resources);
                var condition = s.TryGetProperty("Condition", out var c) ? c.GetRawText() : "";
                if (resources.Contains("*"))
                {
                    Assert.Single(resources);
                    Assert.All(actions, a => Assert.True(unscopable.Contains(a), $"{a} has Resource * but the table does not list it as unscopable"));
                    continue;
                }
                foreach (var arn in resources)
                {
                    var parts = arn.Split(':');
                    Assert.True(parts.Length >= 6 && parts[0] == "arn" && parts[1] == "aws", arn);
                    Assert.True(parts[3] == "" || regions.Contains(parts[3]), $"{arn}: region outside the plan's ({string.Join(", ", regions)})");
                    var last = parts[^1].Split('/')[^1];
                    if (last.EndsWith("*", StringComparison.Ordinal))
                    {
                        // A wildcard on instances needs a tag condition: the plan's or a drill's.
                        if (arn.Contains(":instance/", StringComparison.Ordinal))
                            Assert.True(condition.Contains("DrTools:Plan") || condition.Contains("DrTools:Drill") || condition.Contains("ec2:CreateAction"), $"{arn} without a DrTools tag condition");
                        if (last.Length > 1) Assert.Contains(ids, id => last.StartsWith("drtools-" + id.ToLowerInvariant(), StringComparison.Ordinal));
                    }
                    else Assert.True(ids.Contains(last), $"{arn} names {last}, which is not one of the plan's resources");
                }
                if (actions.Any(a => !a.StartsWith("route53:", StringComparison.Ordinal) && !a.StartsWith("sts:", StringComparison.Ordinal)))
                    Assert.Contains("aws:RequestedRegion", condition);
            }
        }

        static List<string> Strings(JsonElement e) => e.ValueKind == JsonValueKind.Array ? e.EnumerateArray().Select(x => x.GetString()!).ToList() : new List<string> { e.GetString()! };

        static HashSet<string> PlanIds(DrPlan plan)
        {
            var r = plan.Resources;
            var ids = new HashSet<string>(StringComparer.Ordinal);
            foreach (var s in r.AppServers)
            {
                if (s.SubnetId != null) ids.Add(s.SubnetId);
                ids.UnionWith(s.SecurityGroupIds);
                if (s.KeyName != null) ids.Add(s.KeyName);
            }
            if (r.Database is { } db) ids.UnionWith(new[] { db.PrimaryInstanceId, db.ReplicaInstanceId, db.Restore?.InstanceId, db.Restore?.SnapshotId,
                db.ClusterId, db.ReplicaClusterId, db.GlobalClusterId, db.Restore?.ClusterId, db.Restore?.ClusterSnapshotId }.OfType<string>());
            ids.UnionWith(r.AutoScalingGroups.Select(g => g.Name));
            if (plan.Drill is { } drill)
            {
                // Drills launch into the plan's drill subnet and security groups (readiness checks them too).
                if (drill.SubnetId != null) ids.Add(drill.SubnetId);
                ids.UnionWith(drill.SecurityGroupIds);
                ids.UnionWith(drill.DbSecurityGroupIds);
                if (drill.DbSubnetGroupName != null) ids.Add(drill.DbSubnetGroupName);
            }
            ids.UnionWith(r.ElasticIps.Select(e => e.AllocationId));
            if (r.Dns is { } dns)
            {
                if (dns.HostedZoneId != null) ids.Add(dns.HostedZoneId);
                ids.UnionWith(dns.Records.SelectMany(x => x.Sites).Select(s => s.HealthCheckId).OfType<string>());
                ids.UnionWith(dns.Records.SelectMany(x => new[] { x.Primary, x.Dr }.Concat(x.Sites.Select(s => s.Target))).OfType<RecordTarget>().SelectMany(t => t.ElasticIps));
            }
            return ids;
        }

        [Fact]
        public void The_operator_may_restore_a_point_in_time_from_automated_backups_replicated_to_the_dr_region()
        {
            // Restore-DrBackup -PointInTime from replicated backups names the auto-backup ARN (SourceDBInstanceAutomatedBackupsArn):
            // IAM authorizes RestoreDBInstanceToPointInTime on that resource, not on the source instance.
            var plan = new DrPlan
            {
                Name = "orders", Strategy = DrStrategy.BackupAndRestore, PrimaryRegion = "us-east-1", DrRegion = "us-west-2",
                Resources = new PlanResources { Database = new DatabaseSpec { PrimaryInstanceId = "orders-db", Restore = new DatabaseRestoreSpec { LatestRestorable = true, InstanceId = "orders-restored" } } },
            };
            var op = IamPolicyBuilder.Build(plan, IamRole.Operator);
            Assert.Contains(op.StatementList, s => s.Actions.Contains("rds:RestoreDBInstanceToPointInTime") && s.Resources.Contains("arn:aws:rds:us-west-2:*:auto-backup:*"));
            Assert.Contains(op.StatementList, s => s.Actions.Contains("rds:RestoreDBInstanceToPointInTime") && s.Resources.Contains("arn:aws:rds:us-west-2:*:db:orders-restored"));
        }

        [Fact]
        public void An_Aurora_plans_policy_names_its_clusters_global_database_and_cluster_snapshots()
        {
            var plan = new DrPlan
            {
                Name = "orders", Strategy = DrStrategy.PilotLight, PrimaryRegion = "us-east-1", DrRegion = "us-west-2",
                Resources = new PlanResources
                {
                    Database = new DatabaseSpec
                    {
                        Engine = "aurora-postgresql", ClusterId = "orders", ReplicaClusterId = "orders-dr", GlobalClusterId = "orders-global",
                        Restore = new DatabaseRestoreSpec { ClusterId = "orders-restored", ClusterSnapshotId = "orders-snap" },
                    },
                },
            };
            IamStatement With(IamPolicyDocument doc, string action, string resource) =>
                Assert.Single(doc.StatementList, s => s.Actions.Contains(action) && s.Resources.Contains(resource));

            var op = IamPolicyBuilder.Build(plan, IamRole.Operator);
            With(op, "rds:SwitchoverGlobalCluster", "arn:aws:rds::*:global-cluster:orders-global");
            With(op, "rds:FailoverGlobalCluster", "arn:aws:rds:us-west-2:*:cluster:orders-dr");
            With(op, "rds:RestoreDBClusterFromSnapshot", "arn:aws:rds:us-west-2:*:cluster-snapshot:orders-snap");
            With(op, "rds:RestoreDBClusterToPointInTime", "arn:aws:rds:us-east-1:*:cluster:orders");
            With(op, "rds:DescribeDBClusters", "arn:aws:rds:us-west-2:*:cluster:orders-restored");
            With(op, "rds:CopyDBClusterSnapshot", "arn:aws:rds:us-west-2:*:cluster-snapshot:drtools-orders-*");
            // New instances of a restored cluster only with the plan's tag; the other CreateDBInstance on db:* is the drill and
            // Test-DrRestore one, which requires the DrTools:Drill tag. No CreateDBInstance of any new db:* without a tag on the request.
            var create = Assert.Single(op.StatementList, s => s.Sid == "DrToolsOperatorNewPlanDbInstances");
            Assert.Equal(new[] { "rds:CreateDBInstance" }, create.Actions);
            Assert.Equal(new[] { "arn:aws:rds:us-west-2:*:db:*" }, create.Resources);
            Assert.Equal(new[] { "orders" }, create.Condition["StringEquals"]["aws:RequestTag/DrTools:Plan"]);
            Assert.All(op.StatementList.Where(s => s.Actions.Contains("rds:CreateDBInstance") && s.Resources.Any(r => r.EndsWith(":db:*", StringComparison.Ordinal))), s =>
                Assert.True(s.Condition.TryGetValue("StringEquals", out var eq) && eq.ContainsKey("aws:RequestTag/DrTools:Plan")
                            || s.Condition.TryGetValue("Null", out var isNull) && isNull.ContainsKey("aws:RequestTag/DrTools:Drill"),
                    s.Sid + ": CreateDBInstance without a tag condition on the request"));
            // Deleting a cluster: only drill and Test-DrRestore scratch clusters (by tag), never the plan's; cluster snapshots: never.
            Assert.DoesNotContain(op.StatementList.SelectMany(s => s.Actions), a => a is "rds:DeleteDBClusterSnapshot");
            Assert.All(op.StatementList.Where(s => s.Actions.Contains("rds:DeleteDBCluster")), s =>
                Assert.True(s.Condition.TryGetValue("StringEquals", out var tags)
                            && (tags.ContainsKey("aws:ResourceTag/DrTools:Drill") || tags.TryGetValue("aws:ResourceTag/DrTools:Plan", out var v) && v.SequenceEqual(new[] { "orders.drill" })),
                    "DeleteDBCluster without a drill tag condition"));

            var backup = IamPolicyBuilder.Build(plan, IamRole.Backup).StatementList.SelectMany(s => s.Actions).ToList();
            Assert.Contains("rds:CreateDBClusterSnapshot", backup);
            Assert.DoesNotContain(backup, a => a is "rds:FailoverGlobalCluster" or "rds:SwitchoverGlobalCluster" or "rds:RestoreDBClusterFromSnapshot");
            Assert.All(IamPolicyBuilder.Build(plan, IamRole.ReadOnly).StatementList.SelectMany(s => s.Actions).Where(a => a.StartsWith("rds:", StringComparison.Ordinal)),
                a => Assert.Matches(":(Describe|List)", a));
        }

        // ---------------------------------------------------------------- separation of duties

        static IEnumerable<(string Action, string Condition)> Granted(IamRole role, DrStrategy strategy)
        {
            var policy = IamPolicyBuilder.Build(DrPlanTemplates.Create(strategy), role);
            return policy.StatementList.SelectMany(s => s.Actions.Select(a => (a, string.Join(" ", s.Condition.SelectMany(c => c.Value.Keys)))));
        }

        static readonly string[] DeletesRecoveryPoints = { "ec2:DeleteSnapshot", "ec2:DeregisterImage", "rds:DeleteDBSnapshot" };

        [Theory]
        [InlineData(IamRole.Operator)]
        [InlineData(IamRole.Backup)]
        [InlineData(IamRole.ReadOnly)]
        public void No_role_but_drills_deletes_and_drills_delete_only_drill_tagged_resources(IamRole role)
        {
            foreach (DrStrategy strategy in Enum.GetValues(typeof(DrStrategy)))
            {
                var granted = Granted(role, strategy).ToList();
                // Operator may delete drill resources (it runs drills): only under the DrTools:Drill condition.
                Assert.All(granted.Where(g => DeletesRecoveryPoints.Contains(g.Action)), g => Assert.True(
                    g.Condition.Contains("aws:ResourceTag/DrTools:Drill") || g.Condition.Contains("aws:ResourceTag/DrTools:Plan"), g.Action + " " + g.Condition));
                Assert.DoesNotContain(granted, g => g.Action is "ec2:DeleteSnapshot" or "ec2:DeregisterImage");
            }
        }

        [Fact]
        public void Backup_creates_recovery_points_but_deletes_nothing()
        {
            var granted = Granted(IamRole.Backup, DrStrategy.BackupAndRestore).Select(g => g.Action).ToList();
            Assert.Contains("ec2:CreateSnapshots", granted);
            Assert.Contains("rds:CreateDBSnapshot", granted);
            Assert.Contains("rds:CopyDBSnapshot", granted);
            Assert.DoesNotContain(granted, a => Regex.IsMatch(a, ":(Delete|Deregister|Terminate|Release)"));
            Assert.DoesNotContain(granted, a => a is "ec2:RunInstances" or "rds:PromoteReadReplica" or "route53:ChangeResourceRecordSets");
        }

        [Fact]
        public void ReadOnly_only_reads()
        {
            foreach (DrStrategy strategy in Enum.GetValues(typeof(DrStrategy)))
                Assert.All(Granted(IamRole.ReadOnly, strategy).Select(g => g.Action).Where(a => a is not ("sns:Publish" or "cloudwatch:PutMetricData")),
                    a => Assert.Matches(":(Describe|List|Get)", a));
        }

        [Fact]
        public void Operator_can_fail_over_and_drill()
        {
            var granted = Granted(IamRole.Operator, DrStrategy.PilotLight).ToList();
            Assert.Contains(granted, g => g.Action == "rds:PromoteReadReplica");
            Assert.Contains(granted, g => g.Action == "ec2:RunInstances" && g.Condition.Contains("aws:RequestTag/DrTools:Plan"));
            Assert.Contains(granted, g => g.Action == "ec2:TerminateInstances" && g.Condition.Contains("aws:ResourceTag/DrTools:Drill"));
            Assert.Contains(granted, g => g.Action == "route53:ChangeResourceRecordSets");
        }

        [Fact]
        public void Drill_creates_and_deletes_only_what_is_tagged_DrTools_Drill()
        {
            var policy = IamPolicyBuilder.Build(DrPlanTemplates.Create(DrStrategy.WarmStandby), IamRole.Drill);
            var drillActions = new[] { "ec2:TerminateInstances", "rds:DeleteDBInstance", "rds:DeleteDBSnapshot", "autoscaling:DeleteAutoScalingGroup",
                "autoscaling:CreateAutoScalingGroup", "rds:RestoreDBInstanceToPointInTime" };
            foreach (var action in drillActions)
            {
                var statements = policy.StatementList.Where(s => s.Actions.Contains(action)).ToList();
                Assert.NotEmpty(statements);
                Assert.All(statements, s => Assert.True(
                    s.Condition.Values.SelectMany(v => v.Keys).Any(k => k.EndsWith("/DrTools:Drill", StringComparison.Ordinal))
                    || s.Condition.Values.Any(v => v.TryGetValue("aws:ResourceTag/DrTools:Plan", out var plan) && plan.SequenceEqual(new[] { "orders.drill" })), s.Sid));
            }
            Assert.DoesNotContain(policy.StatementList.SelectMany(s => s.Actions), a => a is "rds:PromoteReadReplica" or "autoscaling:UpdateAutoScalingGroup");
        }

        [Fact]
        public void Drill_conditions_match_the_tags_the_drill_engine_sends()
        {
            var plan = DrPlanTemplates.Create(DrStrategy.WarmStandby);
            var policy = IamPolicyBuilder.Build(plan, IamRole.Drill);
            string? Value(IamStatement s, string op, string key) =>
                s.Condition.TryGetValue(op, out var d) && d.TryGetValue(key, out var v) ? string.Join(",", v) : null;
            // What a drill creates carries DrTools:Drill=<run id> (a new id each run): the tag must be present, its value is free.
            foreach (var action in new[] { "ec2:RunInstances", "autoscaling:CreateAutoScalingGroup", "rds:RestoreDBInstanceToPointInTime" })
                Assert.Contains(policy.StatementList, s => s.Actions.Contains(action) && Value(s, "Null", "aws:RequestTag/" + DrillTags.Drill) == "false");
            // What a drill deletes carries DrTools:Plan=<plan>.drill (so no recovery of the plan ever reuses it).
            foreach (var action in new[] { "ec2:TerminateInstances", "autoscaling:DeleteAutoScalingGroup", "rds:DeleteDBInstance", "rds:DeleteDBSnapshot" })
                Assert.Contains(policy.StatementList, s => s.Actions.Contains(action)
                    && Value(s, "StringEquals", "aws:ResourceTag/" + RecoveryStepBase.TagPlan) == DrillTags.RunName(plan.Name));
            // No statement asks a drill-engine tag for the literal "true", except Test-DrRestore's scratch resources (DrTools:Drill=true).
            Assert.All(policy.StatementList.Where(s => Value(s, "StringEquals", "aws:RequestTag/" + DrillTags.Drill) != null), s => Assert.Fail($"{s.Sid} asks DrTools:Drill=true on create"));
        }

        [Fact]
        public void Regions_are_the_plans()
        {
            var policy = IamPolicyBuilder.Build(DrPlanTemplates.Create(DrStrategy.PilotLight, drRegion: "eu-west-1", primaryRegion: "eu-central-1"), IamRole.ReadOnly);
            Assert.Equal(new[] { "eu-west-1", "eu-central-1" }, policy.Regions);
            Assert.Contains("\"aws:RequestedRegion\": [", policy.Json);
            Assert.DoesNotContain("us-west-2", policy.Json);
        }
    }
}
