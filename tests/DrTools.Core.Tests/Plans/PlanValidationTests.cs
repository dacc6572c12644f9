using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using DrTools.Core.Diagnostics;
using DrTools.Core.Plans;
using DrTools.Core.Recovery.Engine;
using Xunit;

namespace DrTools.Core.Tests.Plans
{
    public class PlanValidationTests
    {
        static PlanLoadResult Load(string json) => DrPlanLoader.Parse(json);

        static void AssertError(PlanLoadResult r, string path, string fragment) =>
            Assert.True(r.Errors.Any(e => e.Path == path && e.Message.Contains(fragment, StringComparison.OrdinalIgnoreCase)),
                $"no error at {path} containing '{fragment}'; got:\n" + string.Join("\n", r.Issues));

        const string Broken = """
        {
          "name": "orders db",
          "strategy": "HOT_SPARE",
          "primaryRegion": "US-East-1",
          "drRegion": "mars-1",
          "rto": "one hour",
          "rpo": 15,
          "resources": {
            "appServers": [
              { "name": "web", "ami": { "id": "ami-123" }, "count": 0 },
              { "name": "web", "ami": "ami-0123456789abcdef0", "instanceType": "t3.large" }
            ],
            "database": { "replicaInstanceId": "orders-db-dr", "targetInstanceClass": 42, "maxReplicaLag": "PT" },
            "autoScalingGroups": [ { "name": "web-dr", "standby": { "min": 2, "max": 1, "desired": 1 }, "production": { "min": 1, "max": 4 } } ],
            "elasticIps": [ { "allocationId": "eipalloc-0123456789abcdef0", "appServer": "api" } ],
            "dns": {
              "hostedZoneId": "Z0123456789ABCDEFGHIJ",
              "records": [
                { "name": "app.example.com", "type": "A", "routing": "WEIGHTED", "ttl": 60,
                  "sites": [
                    { "setIdentifier": "aws", "weight": 300, "failoverWeight": 100, "target": { "values": ["203.0.113.10"] } },
                    { "setIdentifier": "aws", "weight": 0, "failoverWeight": 0, "target": { "values": ["not-an-ip"] } }
                  ] },
                { "name": "api.example.com", "type": "A", "routing": "FAILOVER", "ttl": 60,
                  "sites": [ { "setIdentifier": "p", "failover": "PRIMARY", "target": { "values": ["198.51.100.1"] } } ] }
              ]
            }
          }
        }
        """;

        [Fact]
        public void A_broken_plan_reports_every_error_at_once_each_with_its_json_path()
        {
            var r = Load(Broken);
            Assert.False(r.IsValid);
            Assert.Null(r.Plan);
            AssertError(r, "$.name", "is not a plan name");
            AssertError(r, "$.strategy", "'HOT_SPARE' is not one of BACKUP_AND_RESTORE, PILOT_LIGHT, WARM_STANDBY, MULTI_SITE");
            AssertError(r, "$.primaryRegion", "lower case: 'us-east-1'");
            AssertError(r, "$.drRegion", "not an AWS region code");
            AssertError(r, "$.rto", "is not a duration");
            AssertError(r, "$.rpo", "must be a duration string");
            AssertError(r, "$.resources.appServers[0].ami.id", "not an AMI id");
            AssertError(r, "$.resources.appServers[0].instanceType", "required but missing");
            AssertError(r, "$.resources.appServers[0].count", "0 is out of range");
            AssertError(r, "$.resources.appServers[1].name", "'web' is used by another app server");
            AssertError(r, "$.resources.database.targetInstanceClass", "must be a string, not the number 42");
            AssertError(r, "$.resources.database.maxReplicaLag", "is not a duration");
            AssertError(r, "$.resources.autoScalingGroups[0].standby.min", "larger than max");
            AssertError(r, "$.resources.autoScalingGroups[0].production.desired", "required but missing");
            AssertError(r, "$.resources.elasticIps[0].appServer", "'api' is not the name of an app server");
            AssertError(r, "$.resources.dns.records[0].sites[0].weight", "300 is out of range; it must be from 0 to 255");
            AssertError(r, "$.resources.dns.records[0].sites[1].setIdentifier", "'aws' is used by another site");
            AssertError(r, "$.resources.dns.records[0].sites[1].target.values[0]", "not an IPv4 address");
            AssertError(r, "$.resources.dns.records[1].sites", "exactly one PRIMARY and one SECONDARY");
            Assert.True(r.Errors.Count() >= 19);
            var ex = Assert.Throws<DrToolsException>(() => r.GetPlanOrThrow());
            Assert.Equal(ErrorIds.InvalidPlan, ex.ErrorId);
            Assert.Contains("$.resources.database.targetInstanceClass: must be a string", ex.Message);
            Assert.Contains($"{r.Errors.Count()} errors", ex.Message);
        }

        static string Minimal(string strategy = "PILOT_LIGHT", string extraTop = "", string resources = """
            "appServers": [ { "name": "web", "ami": "ami-0123456789abcdef0", "instanceType": "t3.large" } ]
            """, string rto = "PT1H", string rpo = "00:15:00") => $$"""
            { "name": "orders", "strategy": "{{strategy}}", "primaryRegion": "us-east-1", "drRegion": "us-west-2",
              "rto": "{{rto}}", "rpo": "{{rpo}}", {{extraTop}}
              "resources": { {{resources}} } }
            """;

        [Fact]
        public void Minimal_plan_loads_with_defaults()
        {
            var r = Load(Minimal());
            Assert.True(r.IsValid, string.Join("\n", r.Issues));
            var plan = r.Plan!;
            Assert.Equal(DrStrategy.PilotLight, plan.Strategy);
            Assert.Equal(TimeSpan.FromHours(1), plan.Rto);
            Assert.Equal(TimeSpan.FromMinutes(15), plan.Rpo);
            Assert.Equal("ami-0123456789abcdef0", plan.Resources.AppServers[0].Ami.Id);
            Assert.Equal(1, plan.Resources.AppServers[0].Count);
            Assert.Equal(4, plan.Options.MaxParallelism);
        }

        [Fact]
        public void Unknown_fields_are_warnings_with_a_suggestion_not_silently_ignored()
        {
            var r = Load(Minimal(extraTop: "\"rpoo\": \"PT1M\", \"$schema\": \"x\",", resources: """
                "appServers": [ { "name": "web", "ami": "ami-0123456789abcdef0", "instanceType": "t3.large", "instanceTyp": "t3.small" } ]
                """));
            Assert.True(r.IsValid, string.Join("\n", r.Issues));
            var w = r.Warnings.ToList();
            Assert.Contains(w, x => x.Path == "$.rpoo" && x.Message.Contains("did you mean 'rpo'"));
            Assert.Contains(w, x => x.Path == "$.resources.appServers[0].instanceTyp" && x.Message.Contains("did you mean 'instanceType'"));
            Assert.DoesNotContain(w, x => x.Path.Contains("schema"));
        }

        [Theory]
        [InlineData("PT1H", 60)]
        [InlineData("01:00:00", 60)]
        [InlineData("PT15M", 15)]
        [InlineData("00:15:00", 15)]
        [InlineData("P1DT2H", 26 * 60)]
        [InlineData("1.02:00:00", 26 * 60)]
        [InlineData("pt90m", 90)]
        public void Durations_accept_iso_8601_and_timespan_syntax(string text, int minutes)
        {
            var r = Load(Minimal(rto: text));
            Assert.True(r.IsValid, string.Join("\n", r.Issues));
            Assert.Equal(TimeSpan.FromMinutes(minutes), r.Plan!.Rto);
        }

        [Theory]
        [InlineData("P1M", "years or months")]
        [InlineData("PT", "not an ISO 8601 duration")]
        [InlineData("60", "not a duration")]
        [InlineData("1h", "not a duration")]
        [InlineData("PT0S", "longer than zero")]
        public void Bad_durations_say_why(string text, string why)
        {
            var r = Load(Minimal(rto: text));
            AssertError(r, "$.rto", why);
        }

        [Fact]
        public void Duration_formats_back_to_iso()
        {
            Assert.Equal("PT1H30M", Duration.ToIso(TimeSpan.FromMinutes(90)));
            Assert.Equal("P1DT1S", Duration.ToIso(TimeSpan.FromDays(1) + TimeSpan.FromSeconds(1)));
            Assert.Equal("PT0.5S", Duration.ToIso(TimeSpan.FromMilliseconds(500)));
            Assert.Equal(TimeSpan.FromMilliseconds(500), Duration.Parse("PT0.5S"));
            Assert.Equal(TimeSpan.FromDays(14), Duration.Parse("P2W"));
        }

        [Fact]
        public void Simple_records_do_not_fit_multi_site()
        {
            var r = Load(Minimal("MULTI_SITE", resources: """
                "dns": { "hostedZoneName": "example.com", "records": [
                  { "name": "app.example.com", "type": "A", "routing": "SIMPLE", "ttl": 60, "dr": { "values": ["203.0.113.1"] } } ] }
                """));
            AssertError(r, "$.resources.dns.records[0].routing", "does not fit MULTI_SITE");
            AssertError(r, "$.resources.dns", "MULTI_SITE moves traffic");
        }

        [Fact]
        public void Fields_of_the_wrong_routing_and_records_outside_the_zone_are_errors()
        {
            var r = Load(Minimal(resources: """
                "appServers": [ { "name": "web", "ami": "ami-0123456789abcdef0", "instanceType": "t3.large" } ],
                "dns": { "hostedZoneName": "example.com", "records": [
                  { "name": "app.example.org", "type": "A", "routing": "SIMPLE", "ttl": 60, "dr": { "values": ["203.0.113.1"] },
                    "sites": [] },
                  { "name": "b.example.com", "type": "A", "routing": "WEIGHTED", "ttl": 60, "sites": [
                    { "setIdentifier": "a", "weight": 1, "failoverWeight": 0, "failover": "PRIMARY", "target": { "values": ["203.0.113.1"], "elasticIps": [] } },
                    { "setIdentifier": "b", "weight": 1, "failoverWeight": 0, "target": { "values": ["203.0.113.2"] } } ] } ] }
                """));
            AssertError(r, "$.resources.dns.records[0].name", "not in the hosted zone 'example.com.'");
            AssertError(r, "$.resources.dns.records[0].sites", "is for WEIGHTED and FAILOVER records");
            AssertError(r, "$.resources.dns.records[1].sites[0].failover", "is for FAILOVER records");
            AssertError(r, "$.resources.dns.records[1].sites[0].target", "exactly one of");
        }

        [Fact]
        public void All_failover_weights_zero_is_refused()
        {
            var r = Load(Minimal("MULTI_SITE", resources: """
                "dns": { "hostedZoneId": "Z0123456789ABCDEFGHIJ", "records": [
                  { "name": "app.example.com", "type": "A", "routing": "WEIGHTED", "ttl": 60, "sites": [
                    { "setIdentifier": "onprem", "weight": 100, "failoverWeight": 0, "target": { "values": ["198.51.100.1"] } },
                    { "setIdentifier": "aws", "weight": 0, "failoverWeight": 0, "target": { "values": ["203.0.113.1"] } } ] } ] }
                """));
            AssertError(r, "$.resources.dns.records[0].sites", "no site would get traffic");
        }

        [Fact]
        public void Strategies_require_what_they_recover()
        {
            AssertError(Load(Minimal("WARM_STANDBY")), "$.resources.autoScalingGroups", "WARM_STANDBY scales");
            AssertError(Load(Minimal("PILOT_LIGHT", resources: "")), "$.resources.appServers", "PILOT_LIGHT launches");
            var noRestore = Load(Minimal("BACKUP_AND_RESTORE", resources: """
                "appServers": [ { "name": "web", "ami": "ami-0123456789abcdef0", "instanceType": "t3.large" } ],
                "database": { "primaryInstanceId": "orders-db" }
                """));
            AssertError(noRestore, "$.resources.database.restore", "BACKUP_AND_RESTORE restores the database from a snapshot");
        }

        [Fact]
        public void Missing_top_level_fields_are_each_named()
        {
            var r = Load("{ }");
            foreach (var f in new[] { "$.name", "$.strategy", "$.drRegion", "$.rto", "$.rpo", "$.resources" })
                AssertError(r, f, "required but missing");
        }

        [Fact]
        public void Invalid_json_names_the_line()
        {
            var r = Load("{ \"name\": \"x\",\n  \"strategy\": }");
            var e = Assert.Single(r.Errors);
            Assert.Equal("$", e.Path);
            Assert.Contains("line 2", e.Message);
        }

        [Fact]
        public void Approvals_name_a_step_kind()
        {
            var ok = Load(Minimal(extraTop: "\"approvals\": [ { \"before\": \"ChangeDns\", \"message\": \"Is the primary fenced?\" } ],"));
            Assert.True(ok.IsValid, string.Join("\n", ok.Issues));
            Assert.Equal(StepKind.ChangeDns, ok.Plan!.Approvals[0].Before);
            var bad = Load(Minimal(extraTop: "\"approvals\": [ { \"before\": \"DnsChange\" } ],"));
            AssertError(bad, "$.approvals[0].before", "is not one of");
            AssertError(bad, "$.approvals[0].message", "required");
        }

        [Fact]
        public void An_approval_before_a_step_kind_the_plan_never_runs_is_a_warning_that_names_what_it_runs()
        {
            // PILOT_LIGHT with app servers only: no database to promote, no DNS to change.
            var r = Load(Minimal(extraTop: """
                "approvals": [ { "before": "PromoteDatabase", "message": "Is the primary fenced?" },
                               { "before": "LaunchInstances", "message": "Launch?" } ],
                """));
            Assert.True(r.IsValid, string.Join("\n", r.Issues));
            var w = Assert.Single(r.Warnings, x => x.Path.StartsWith("$.approvals", StringComparison.Ordinal));
            Assert.Equal("$.approvals[0].before", w.Path);
            Assert.Contains("never asked", w.Message);
            Assert.Contains("LaunchInstances", w.Message); // what the recovery does run

            // ChangeTrafficWeights stands for ChangeDns, as when the recovery inserts the approval.
            var dns = Load(Minimal(extraTop: "\"approvals\": [ { \"before\": \"ChangeTrafficWeights\", \"message\": \"Shift?\" } ],", resources: """
                "appServers": [ { "name": "web", "ami": "ami-0123456789abcdef0", "instanceType": "t3.large" } ],
                "dns": { "hostedZoneId": "Z1", "records": [ { "name": "app.example.com", "type": "CNAME", "routing": "SIMPLE", "ttl": 60,
                         "primary": { "values": ["a.example.com"] }, "dr": { "values": ["b.example.com"] } } ] }
                """));
            Assert.True(dns.IsValid, string.Join("\n", dns.Issues));
            Assert.DoesNotContain(dns.Warnings, x => x.Path.StartsWith("$.approvals", StringComparison.Ordinal));
        }

        [Fact]
        public void An_approval_before_the_fence_is_asked_by_the_failback_of_a_failed_over_database()
        {
            var json = File.ReadAllText(Path.Combine(PlanExamplesTests.RepoRoot(), "docs", "examples", "plans", "pilot-light.json"))
                .Replace("\"before\": \"ChangeDns\"", "\"before\": \"FenceDatabase\"");
            var r = DrPlanLoader.Parse(json);
            Assert.True(r.IsValid, string.Join("\n", r.Issues));
            Assert.DoesNotContain(r.Warnings, x => x.Path.StartsWith("$.approvals", StringComparison.Ordinal));
            // Without a replica nothing is ever fenced: the approval would never be asked.
            var noReplica = DrPlanLoader.Parse(json.Replace("\"replicaInstanceId\": \"orders-db-dr\",", ""));
            Assert.Contains(noReplica.Warnings, x => x.Path == "$.approvals[0].before" && x.Message.Contains("never asked"));
        }

        [Fact]
        public void A_mistyped_region_is_a_warning_with_the_nearest_known_region_and_a_new_region_still_loads()
        {
            var r = Load(Minimal().Replace("\"us-west-2\"", "\"us-wset-2\""));
            Assert.True(r.IsValid, string.Join("\n", r.Issues)); // a warning: a region newer than the SDK must still work
            Assert.Equal("us-wset-2", r.Plan!.DrRegion);
            var w = Assert.Single(r.Warnings, x => x.Path == "$.drRegion");
            Assert.Contains("did you mean 'us-west-2'", w.Message);
            Assert.Contains("Test-DrPlan -Live", w.Message);
            Assert.DoesNotContain(Load(Minimal()).Warnings, x => x.Path.EndsWith("Region", StringComparison.Ordinal));
        }

        [Fact]
        public void A_psd1_hashtable_goes_through_the_same_validation_with_case_insensitive_keys()
        {
            // What Import-PowerShellDataFile returns: Hashtables (case-insensitive keys in PowerShell), object[] arrays.
            var tree = new Hashtable
            {
                ["Name"] = "orders",
                ["Strategy"] = "PilotLight",
                ["DrRegion"] = "us-west-2",
                ["PrimaryRegion"] = "us-east-1",
                ["RTO"] = "PT1H",
                ["RPO"] = TimeSpan.FromMinutes(15),
                ["Resources"] = new Hashtable
                {
                    ["AppServers"] = new object[] { new Hashtable { ["Name"] = "web", ["Ami"] = "ami-0123456789abcdef0", ["InstanceType"] = "t3.large", ["Count"] = 2 } },
                    ["ElasticIps"] = new Hashtable { ["AllocationId"] = "eipalloc-0123456789abcdef0", ["AppServer"] = "web", ["Index"] = 5 },
                },
            };
            var r = DrPlanLoader.FromObject(tree, "orders.psd1");
            AssertError(r, "$.resources.elasticIps[0].index", "5 is out of range");
            ((Hashtable)((Hashtable)tree["Resources"]!)["ElasticIps"]!)["Index"] = 1;
            r = DrPlanLoader.FromObject(tree, "orders.psd1");
            Assert.True(r.IsValid, string.Join("\n", r.Issues));
            Assert.Equal(TimeSpan.FromMinutes(15), r.Plan!.Rpo);
            Assert.Equal(2, r.Plan.Resources.AppServers[0].Count);
            Assert.Equal("orders.psd1", r.Plan.Source);
        }

        [Fact]
        public void A_value_of_an_unsupported_type_is_named_by_path()
        {
            var r = DrPlanLoader.FromObject(new Dictionary<string, object> { ["name"] = new Uri("http://x") });
            AssertError(r, "$.name", "type Uri");
        }

        [Fact]
        public void Duplicate_keys_differing_in_case_are_an_error()
        {
            var r = Load(Minimal(extraTop: "\"RTO\": \"PT2H\","));
            AssertError(r, "$.RTO", "appears twice");
        }
    }
}
