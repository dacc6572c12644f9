using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using DrTools.Core.Plans;
using DrTools.Core.Recovery.Engine;
using DrTools.Core.Recovery.Steps;
using DrTools.Core.Recovery.Strategies;
using DrTools.Core.Tests.Plans;
using DrTools.Core.Tests.Recovery.Steps;
using Xunit;

namespace DrTools.Core.Tests.Recovery
{
    /// <summary>Each strategy turns the documented example plan into the right steps with the right dependencies.</summary>
    public sealed class StrategyGraphTests
    {
        static DrPlan Example(string file, Func<string, string>? edit = null)
        {
            var json = File.ReadAllText(Path.Combine(PlanExamplesTests.RepoRoot(), "docs", "examples", "plans", file + ".json"));
            return DrPlanLoader.Parse(edit != null ? edit(json) : json).GetPlanOrThrow();
        }

        static IReadOnlyList<IRecoveryStep> Build(DrPlan plan, RecoveryOperation op = RecoveryOperation.Failover, RecoveryOptions? options = null) =>
            new RecoveryService(new FakeCloud().Services(new FakeCloud("us-east-1").Rds), new RecoveryJournalStore(Path.GetTempPath()))
                .BuildSteps(plan, op, options ?? new RecoveryOptions());

        static Dictionary<string, (StepKind Kind, string[] Deps)> Graph(IEnumerable<IRecoveryStep> steps) =>
            steps.ToDictionary(s => s.Id, s => (s.Kind, s.DependsOn.OrderBy(d => d, StringComparer.Ordinal).ToArray()));

        static void AssertStep(Dictionary<string, (StepKind Kind, string[] Deps)> g, string id, StepKind kind, params string[] deps)
        {
            Assert.True(g.ContainsKey(id), $"no step '{id}' in: {string.Join(", ", g.Keys)}");
            Assert.Equal(kind, g[id].Kind);
            Assert.Equal(deps.OrderBy(d => d, StringComparer.Ordinal).ToArray(), g[id].Deps);
        }

        [Theory]
        [InlineData("pilot-light")]
        [InlineData("warm-standby")]
        [InlineData("multi-site")]
        [InlineData("backup-and-restore")]
        public void The_step_kinds_read_from_the_plan_are_the_kinds_the_strategies_build(string file)
        {
            // Plan validation warns about approvals from RecoveryStepKinds; it must agree with what a recovery runs,
            // for the example plans and for variants without a database, DNS or groups.
            string Without(string json, params string[] fields)
            {
                var root = System.Text.Json.Nodes.JsonNode.Parse(json)!;
                foreach (var f in fields) root["resources"]!.AsObject().Remove(f);
                return root.ToJsonString();
            }
            var json = File.ReadAllText(Path.Combine(PlanExamplesTests.RepoRoot(), "docs", "examples", "plans", file + ".json"));
            var variants = new[] { json, Without(json, "database"), Without(json, "dns", "elasticIps"), Without(json, "autoScalingGroups") }
                .Select(j => DrPlanLoader.Parse(j).Plan).OfType<DrPlan>().ToList(); // a variant the strategy refuses is left out
            Assert.True(variants.Count >= 2);
            foreach (var plan in variants)
                foreach (var op in new[] { RecoveryOperation.Failover, RecoveryOperation.Failback })
                {
                    var built = Build(plan, op).Select(s => s.Kind).Where(k => k != StepKind.ManualApproval).Distinct().OrderBy(k => k);
                    Assert.Equal(built, RecoveryStepKinds.Of(plan, op).OrderBy(k => k));
                }
        }

        [Fact]
        public void Pilot_light_launches_and_promotes_in_parallel_then_eip_then_approval_then_dns()
        {
            var steps = Build(Example("pilot-light"));
            var g = Graph(steps);
            Assert.Equal(8, g.Count);
            AssertStep(g, "launch-web", StepKind.LaunchInstances);
            AssertStep(g, "launch-worker", StepKind.LaunchInstances);
            AssertStep(g, "promote-db", StepKind.PromoteDatabase);
            AssertStep(g, "resize-db", StepKind.ResizeDatabase, "promote-db");
            AssertStep(g, "eip-eipalloc-0123456789abcdef0", StepKind.AssociateElasticIp, "launch-web");
            var before = new[] { "launch-web", "launch-worker", "resize-db", "eip-eipalloc-0123456789abcdef0" };
            AssertStep(g, "approve-change-dns", StepKind.ManualApproval, before);
            AssertStep(g, "change-dns", StepKind.ChangeDns, before.Append("approve-change-dns").ToArray());
            AssertStep(g, "record-active-side", StepKind.RecordActiveSide, "change-dns");

            var plan = RecoveryEngine.Plan("orders", steps, "PILOT_LIGHT");
            Assert.Equal(new[] { "launch-web", "launch-worker", "promote-db" }, plan.Steps.Where(s => s.Wave == 1).Select(s => s.Id));
            Assert.Equal("change-dns", plan.Steps[plan.Steps.Count - 2].Id);
            Assert.Equal("record-active-side", plan.Steps.Last().Id);
            var promote = (PromoteDatabaseStep)steps.Single(s => s.Id == "promote-db");
            Assert.Equal(TimeSpan.FromMinutes(5), promote.MaxLag); // maxReplicaLag, not the RPO
            Assert.False(promote.AllowDataLoss);
        }

        [Fact]
        public void Pilot_light_without_health_checks_groups_or_approvals_ends_with_dns()
        {
            var plan = Example("pilot-light", j => j.Replace("\"approvals\": [", "\"approvals_\": ["));
            var steps = Build(plan);
            Assert.DoesNotContain(steps, s => s.Kind == StepKind.WaitHealthy); // simple records have no health check and no groups: nothing to wait for
            Assert.DoesNotContain(steps, s => s.Kind == StepKind.ManualApproval);
        }

        [Fact]
        public void Warm_standby_scales_groups_and_promotes_then_dns_then_waits_for_dr_health_and_groups()
        {
            var steps = Build(Example("warm-standby"));
            var g = Graph(steps);
            AssertStep(g, "scale-orders-web-dr", StepKind.ScaleGroup);
            AssertStep(g, "scale-orders-worker-dr", StepKind.ScaleGroup);
            AssertStep(g, "promote-db", StepKind.PromoteDatabase);
            AssertStep(g, "resize-db", StepKind.ResizeDatabase, "promote-db");
            AssertStep(g, "change-dns", StepKind.ChangeDns, "scale-orders-web-dr", "scale-orders-worker-dr", "resize-db");
            AssertStep(g, "wait-healthy", StepKind.WaitHealthy, "change-dns");
            AssertStep(g, "record-active-side", StepKind.RecordActiveSide, "wait-healthy");
            Assert.Equal(7, g.Count);
            var scale = (ScaleGroupStep)steps.Single(s => s.Id == "scale-orders-web-dr");
            Assert.Equal(new GroupSize(2, 10, 4), scale.Size);
            Assert.Equal("$Latest", scale.LaunchTemplateVersion);
            var wait = (WaitHealthyStep)steps.Single(s => s.Id == "wait-healthy");
            Assert.Equal(new[] { "66666666-7777-8888-9999-000000000000" }, wait.HealthCheckIds); // the SECONDARY (DR) site only
            Assert.Equal(new[] { ("orders-web-dr", 4), ("orders-worker-dr", 2) }, wait.Groups);
        }

        [Fact]
        public void Multi_site_cuts_the_database_over_before_shifting_weights()
        {
            var steps = Build(Example("multi-site"));
            var g = Graph(steps);
            AssertStep(g, "scale-orders-web-dr", StepKind.ScaleGroup);
            AssertStep(g, "promote-db", StepKind.PromoteDatabase);
            AssertStep(g, "shift-traffic", StepKind.ChangeTrafficWeights, "promote-db", "scale-orders-web-dr");
            AssertStep(g, "wait-healthy", StepKind.WaitHealthy, "shift-traffic");
            AssertStep(g, "record-active-side", StepKind.RecordActiveSide, "wait-healthy");
            Assert.Equal(5, g.Count);
            var dns = steps.Single(s => s.Id == "shift-traffic");
            Assert.Contains(dns.Resources, r => r.Id == "orders.example.com. A 'us-west-2'" && r.Action.StartsWith("UPSERT weight 100"));
            Assert.Contains(dns.Resources, r => r.Id == "orders.example.com. A 'us-east-1'" && r.Action.StartsWith("UPSERT weight 0"));
            Assert.Equal(new[] { "66666666-7777-8888-9999-000000000000" }, ((WaitHealthyStep)steps.Single(s => s.Id == "wait-healthy")).HealthCheckIds);
        }

        [Fact]
        public void Backup_and_restore_restores_the_database_at_the_target_class_while_launching()
        {
            var steps = Build(Example("backup-and-restore"), options: new RecoveryOptions { AllowDataLoss = true });
            var g = Graph(steps);
            AssertStep(g, "launch-web", StepKind.LaunchInstances);
            AssertStep(g, "restore-db", StepKind.RestoreDatabase);
            AssertStep(g, "eip-eipalloc-0123456789abcdef0", StepKind.AssociateElasticIp, "launch-web");
            AssertStep(g, "change-dns", StepKind.ChangeDns, "launch-web", "restore-db", "eip-eipalloc-0123456789abcdef0");
            Assert.DoesNotContain("resize-db", g.Keys);
            var restore = (RestoreDatabaseStep)steps.Single(s => s.Id == "restore-db");
            Assert.Equal(("orders-db-restored", "orders-db", "db.r6g.large", true), (restore.TargetInstanceId, restore.PrimaryInstanceId, restore.InstanceClass, restore.AllowDataLoss));
            Assert.Equal(TimeSpan.FromDays(1), restore.Rpo);
        }

        [Fact]
        public void Failback_checks_the_primary_first_then_dns_then_scales_dr_back_to_standby()
        {
            var steps = Build(Example("warm-standby"), RecoveryOperation.Failback);
            var g = Graph(steps);
            AssertStep(g, "check-primary", StepKind.Custom);
            AssertStep(g, "change-dns", StepKind.ChangeDns, "check-primary");
            AssertStep(g, "wait-healthy", StepKind.WaitHealthy, "change-dns");
            AssertStep(g, "scale-orders-web-dr-standby", StepKind.ScaleGroup, "wait-healthy");
            AssertStep(g, "scale-orders-worker-dr-standby", StepKind.ScaleGroup, "wait-healthy");
            Assert.Equal(new[] { "11111111-2222-3333-4444-555555555555" }, ((WaitHealthyStep)steps.Single(s => s.Id == "wait-healthy")).HealthCheckIds);
            var check = (CheckPrimaryStep)steps.Single(s => s.Id == "check-primary");
            Assert.Equal("orders-db", check.PrimaryDbInstanceId);
            Assert.Equal(new GroupSize(1, 2, 1), ((ScaleGroupStep)steps.Single(s => s.Id == "scale-orders-web-dr-standby")).Size);

            var forced = Graph(Build(Example("warm-standby"), RecoveryOperation.Failback, new RecoveryOptions { SkipPrimaryCheck = true }));
            Assert.DoesNotContain("check-primary", forced.Keys);
            AssertStep(forced, "change-dns", StepKind.ChangeDns);
        }

        [Fact]
        public void Plan_allow_data_loss_or_the_option_reaches_the_promote_step()
        {
            var plan = Example("pilot-light", j => j.Replace("\"allowDataLoss\": false", "\"allowDataLoss\": true"));
            Assert.True(((PromoteDatabaseStep)Build(plan).Single(s => s.Id == "promote-db")).AllowDataLoss);
            Assert.True(((PromoteDatabaseStep)Build(Example("pilot-light"), options: new RecoveryOptions { AllowDataLoss = true, SkipPrimaryCheck = false })
                .Single(s => s.Id == "promote-db")).AllowDataLoss);
            Assert.False(((PromoteDatabaseStep)Build(Example("pilot-light"), options: new RecoveryOptions { SkipPrimaryCheck = true })
                .Single(s => s.Id == "promote-db")).AllowDataLoss); // -Force never means data loss
        }

        [Fact]
        public void Every_example_plans_a_valid_graph_and_the_whatif_text_lists_every_step_and_resource()
        {
            foreach (var file in new[] { "pilot-light", "warm-standby", "multi-site", "backup-and-restore" })
            {
                var plan = Example(file);
                var cloud = new FakeCloud();
                var whatIf = new RecoveryService(cloud.Services(), new RecoveryJournalStore(Path.GetTempPath())).Plan(plan, RecoveryOperation.Failover, new RecoveryOptions());
                var text = string.Join("\n", RecoveryPlanFormatter.Format(whatIf));
                foreach (var s in whatIf.Steps)
                {
                    Assert.Contains($"{s.Order}. {s.Id} [{s.Kind}]", text);
                    foreach (var r in s.Resources) Assert.Contains(r.ToString(), text);
                }
                Assert.Empty(cloud.Calls); // building and planning call nothing
            }
        }

        [Fact]
        public void Start_cmdlet_strategy_guard_names_the_right_cmdlet()
        {
            var ex = Assert.Throws<DrTools.Core.Diagnostics.DrToolsException>(() =>
                RecoveryService.RequireStrategy(Example("warm-standby"), DrStrategy.PilotLight, "Start-DrPilotLight"));
            Assert.Equal("DrTools.InvalidParameter", ex.ErrorId);
            Assert.Contains("WARM_STANDBY", ex.Message);
            Assert.Contains("Invoke-DrFailover", ex.RecommendedAction);
        }
    }
}
