using System;
using System.Collections;
using System.Linq;
using DrTools.Core.Plans;
using Xunit;

namespace DrTools.Core.Tests.Plans
{
    /// <summary>The plan's "drill" section and the point-in-time fields of database.restore: validation by JSON path, and the writer round-trip.</summary>
    public class PlanDrillSchemaTests
    {
        static void AssertError(PlanLoadResult r, string path, string fragment) =>
            Assert.True(r.Errors.Any(e => e.Path == path && e.Message.Contains(fragment, StringComparison.OrdinalIgnoreCase)),
                $"no error at {path} containing '{fragment}'; got:\n" + string.Join("\n", r.Issues));

        const string Resources = """
            "appServers": [ { "name": "web", "ami": "ami-0123456789abcdef0", "instanceType": "t3.large" } ],
            "database": { "primaryInstanceId": "orders-db", "replicaInstanceId": "orders-db-dr" },
            "dns": { "hostedZoneId": "Z0123456789ABCDEFGHIJ", "hostedZoneName": "example.com",
                     "records": [ { "name": "orders.example.com", "type": "A", "routing": "SIMPLE", "ttl": 60, "dr": { "values": ["203.0.113.10"] } } ] }
            """;

        static PlanLoadResult Load(string drill, string resources = Resources, string strategy = "PILOT_LIGHT") => DrPlanLoader.Parse($$"""
            { "name": "orders", "strategy": "{{strategy}}", "primaryRegion": "us-east-1", "drRegion": "us-west-2", "rto": "PT1H", "rpo": "PT15M",
              "resources": { {{resources}} },
              "drill": {{drill}} }
            """);

        [Fact]
        public void A_full_drill_section_loads_into_the_model()
        {
            var r = Load("""
                { "subnetId": "subnet-0fedcba9876543210", "securityGroupIds": ["sg-0fedcba9876543210"],
                  "dbSubnetGroupName": "orders-drill", "dbSecurityGroupIds": ["sg-0fedcba9876543211"], "dbInstanceClass": "db.t4g.medium",
                  "dns": { "recordName": "drill.orders.example.com.", "appServer": "WEB", "ttl": 30 },
                  "autoScalingGroups": "SKIP",
                  "probes": [ { "name": "web", "url": "https://{web}:8443/health?x=1", "expectStatus": 204, "within": "PT10M" },
                              { "name": "db", "tcp": "{database}:{database.port}" },
                              { "name": "public", "url": "http://{web.publicIp}/" },
                              { "name": "name", "tcp": "{dns}:443" } ],
                  "stopAlarms": ["orders-5xx"], "maxAge": "P30D" }
                """);
            Assert.True(r.IsValid, string.Join("\n", r.Issues));
            Assert.Empty(r.Issues);
            var d = r.Plan!.Drill!;
            Assert.Equal("subnet-0fedcba9876543210", d.SubnetId);
            Assert.Equal(new[] { "sg-0fedcba9876543210" }, d.SecurityGroupIds);
            Assert.Equal(("orders-drill", "db.t4g.medium"), (d.DbSubnetGroupName, d.DbInstanceClass));
            Assert.Equal(new[] { "sg-0fedcba9876543211" }, d.DbSecurityGroupIds);
            // The zone defaults to the plan's; the role is spelled as the plan spells it.
            Assert.Equal(("Z0123456789ABCDEFGHIJ", "drill.orders.example.com.", "web", 30), (d.Dns!.HostedZoneId, d.Dns.RecordName, d.Dns.AppServer, d.Dns.Ttl));
            Assert.Equal(DrillGroupMode.Skip, d.AutoScalingGroups);
            Assert.Equal(new[] { "web", "db", "public", "name" }, d.Probes.Select(p => p.Name));
            Assert.Equal((204, TimeSpan.FromMinutes(10)), (d.Probes[0].ExpectStatus, d.Probes[0].Within));
            Assert.Equal(("{database}:{database.port}", TimeSpan.FromMinutes(5)), (d.Probes[1].Tcp, d.Probes[1].Within));
            Assert.Equal(new[] { "orders-5xx" }, d.StopAlarms);
            Assert.Equal(TimeSpan.FromDays(30), d.MaxAge);
        }

        /// <summary>docs/examples/plans/backup-and-restore-point-in-time.json: the BACKUP_AND_RESTORE template restoring the latest restorable time.</summary>
        internal static DrPlan PointInTimeExample()
        {
            var t = DrPlanTemplates.Create(DrStrategy.BackupAndRestore);
            var db = t.Resources.Database!;
            return new DrPlan
            {
                Name = t.Name, Strategy = t.Strategy, PrimaryRegion = t.PrimaryRegion, DrRegion = t.DrRegion, Rto = t.Rto, Rpo = TimeSpan.FromHours(1),
                Description = $"{t.Name}: restore the app servers from AMI copies and the database to its latest restorable time from its automated backups replicated to {t.DrRegion}.",
                Options = t.Options, Approvals = t.Approvals, Drill = t.Drill,
                Resources = new PlanResources
                {
                    AppServers = t.Resources.AppServers, ElasticIps = t.Resources.ElasticIps, Dns = t.Resources.Dns,
                    Database = new DatabaseSpec
                    {
                        Engine = db.Engine, PrimaryInstanceId = db.PrimaryInstanceId, TargetInstanceClass = db.TargetInstanceClass,
                        Restore = new DatabaseRestoreSpec { InstanceId = db.Restore!.InstanceId, LatestRestorable = true },
                    },
                },
            };
        }

        [Fact]
        public void The_point_in_time_example_loads_cleanly_and_is_the_template_with_latestRestorable()
        {
            var path = System.IO.Path.Combine(PlanExamplesTests.RepoRoot(), "docs", "examples", "plans", "backup-and-restore-point-in-time.json");
            // Regenerate with DRTOOLS_UPDATE_EXAMPLES=1, as the other examples.
            if (Environment.GetEnvironmentVariable("DRTOOLS_UPDATE_EXAMPLES") == "1") System.IO.File.WriteAllText(path, DrPlanWriter.ToJson(PointInTimeExample()));
            var result = DrPlanLoader.LoadFile(path);
            Assert.Empty(result.Issues);
            Assert.True(result.Plan!.Resources.Database!.Restore!.LatestRestorable);
            Assert.Equal(DrPlanWriter.ToJson(PointInTimeExample()), System.IO.File.ReadAllText(path).Replace("\r\n", "\n"));
        }

        [Fact]
        public void The_drill_section_reads_as_one_line_in_Format_List()
        {
            var drill = DrPlanTemplates.Create(DrStrategy.PilotLight).Drill!;
            Assert.Equal("subnet subnet-0fedcba9876543210, DNS drill.orders.example.com., 2 probes (web, database), 1 stop alarm, maxAge P30D", drill.ToString());
            Assert.Equal("web: http://{web}/health -> 200 within PT10M", drill.Probes[0].ToString());
            Assert.Equal("the app servers' subnets, no DNS, groups skipped, no probes", new DrillSpec { AutoScalingGroups = DrillGroupMode.Skip }.ToString());
        }

        [Fact]
        public void A_plan_without_a_drill_section_has_none_and_an_empty_one_gets_the_defaults()
        {
            Assert.Null(DrPlanLoader.Parse(DrPlanWriter.ToJson(new DrPlan
            {
                Name = "x", Strategy = DrStrategy.PilotLight, DrRegion = "us-west-2", Rto = TimeSpan.FromHours(1), Rpo = TimeSpan.FromMinutes(5),
                Resources = new PlanResources { AppServers = new[] { new AppServerSpec { Name = "web", Ami = new AmiSelector { Id = "ami-0123456789abcdef0" }, InstanceType = "t3.large" } } },
            })).GetPlanOrThrow().Drill);
            var r = Load("{}");
            Assert.True(r.IsValid, string.Join("\n", r.Issues));
            var d = r.Plan!.Drill!;
            Assert.Equal((DrillGroupMode.Copy, (TimeSpan?)null, (DrillDnsSpec?)null), (d.AutoScalingGroups, d.MaxAge, d.Dns));
        }

        [Fact]
        public void Bad_drill_fields_are_each_reported_by_json_path()
        {
            var r = Load("""
                { "subnetId": "sub-1", "securityGroupIds": ["group-1"], "dbSecurityGroupIds": ["sg-1"], "dbInstanceClass": "m5.large",
                  "autoScalingGroups": "CLONE", "maxAge": "P1M", "stopAlarms": [""],
                  "probes": [ { "name": "web", "url": "ftp://{web}/" },
                              { "name": "WEB", "tcp": "{web}:80" },
                              { "name": "both", "url": "http://{web}/", "tcp": "{web}:80" },
                              { "name": "neither" },
                              { "name": "port", "tcp": "{web}" },
                              { "name": "status", "tcp": "{web}:80", "expectStatus": 200 },
                              { "name": "code", "url": "http://{web}/", "expectStatus": 42 },
                              { "name": "ph", "url": "http://{api}/{web.privateIp}" },
                              { "name": "brace", "url": "http://{web/" } ] }
                """);
            Assert.False(r.IsValid);
            AssertError(r, "$.drill.subnetId", "is not a subnet id");
            AssertError(r, "$.drill.securityGroupIds[0]", "is not a security group id");
            AssertError(r, "$.drill.dbSecurityGroupIds[0]", "is not a VPC security group id");
            AssertError(r, "$.drill.dbInstanceClass", "is not an RDS instance class");
            AssertError(r, "$.drill.autoScalingGroups", "'CLONE' is not one of COPY, SKIP");
            AssertError(r, "$.drill.maxAge", "years or months");
            AssertError(r, "$.drill.stopAlarms[0]", "is not a CloudWatch alarm name");
            AssertError(r, "$.drill.probes[0].url", "is not an http:// or https:// URL");
            AssertError(r, "$.drill.probes[1].name", "'WEB' is used by another probe");
            AssertError(r, "$.drill.probes[2]", "exactly one of \"url\"");
            AssertError(r, "$.drill.probes[3]", "exactly one of \"url\"");
            AssertError(r, "$.drill.probes[4].tcp", "is not \"host:port\"");
            AssertError(r, "$.drill.probes[5].expectStatus", "is for \"url\" probes");
            AssertError(r, "$.drill.probes[6].expectStatus", "42 is out of range");
            AssertError(r, "$.drill.probes[7].url", "{api} is not a placeholder a drill can fill; use {web}, {web.publicIp}, {database}, {database.port}");
            AssertError(r, "$.drill.probes[7].url", "{web.privateIp} is not a placeholder");
            AssertError(r, "$.drill.probes[8].url", "unmatched");
        }

        [Fact]
        public void Dns_and_database_placeholders_need_what_they_stand_for()
        {
            var r = Load("""{ "probes": [ { "name": "name", "url": "http://{dns}/" }, { "name": "db", "tcp": "{database}:{database.port}" } ] }""",
                resources: """ "appServers": [ { "name": "web", "ami": "ami-0123456789abcdef0", "instanceType": "t3.large" } ] """);
            AssertError(r, "$.drill.probes[0].url", "{dns} needs a drill.dns section");
            AssertError(r, "$.drill.probes[1].tcp", "{database} needs a resources.database");
            AssertError(r, "$.drill.probes[1].tcp", "{database.port} needs a resources.database");
        }

        [Fact]
        public void The_drill_record_is_fully_qualified_inside_the_zone_and_never_a_production_record()
        {
            AssertError(Load("""{ "dns": { "recordName": "drill.orders.example.com" } }"""), "$.drill.dns.recordName", "must be fully qualified, ending with '.'");
            AssertError(Load("""{ "dns": { "recordName": "drill.example.org." } }"""), "$.drill.dns.recordName", "is not in the hosted zone 'example.com.'");
            var prod = Load("""{ "dns": { "recordName": "Orders.Example.com." } }""");
            AssertError(prod, "$.drill.dns.recordName", "is one of the plan's production records");
            AssertError(prod, "$.drill.dns.recordName", "a drill never changes production DNS");
            AssertError(Load("""{ "dns": { "recordName": "drill.orders.example.com.", "appServer": "api" } }"""), "$.drill.dns.appServer",
                "'api' is not the name of an app server in $.resources.appServers (web)");
            // Another zone: its name is unknown, so only the form is checked; without a plan zone the id is required.
            var other = Load("""{ "dns": { "hostedZoneId": "/hostedzone/ZOTHER", "recordName": "drill.example.org." } }""");
            Assert.True(other.IsValid, string.Join("\n", other.Issues));
            Assert.Equal("ZOTHER", other.Plan!.Drill!.Dns!.HostedZoneId);
            AssertError(Load("""{ "dns": { "recordName": "drill.example.org." } }""",
                resources: """ "appServers": [ { "name": "web", "ami": "ami-0123456789abcdef0", "instanceType": "t3.large" } ] """),
                "$.drill.dns.hostedZoneId", "is required but missing");
        }

        [Fact]
        public void Unknown_drill_fields_are_warnings()
        {
            var r = Load("""{ "maxAg": "P7D", "probes": [ { "name": "web", "url": "http://{web}/", "expectedStatus": 200 } ] }""");
            Assert.True(r.IsValid, string.Join("\n", r.Issues));
            Assert.Contains(r.Warnings, w => w.Path == "$.drill.maxAg" && w.Message.Contains("did you mean 'maxAge'"));
            Assert.Contains(r.Warnings, w => w.Path == "$.drill.probes[0].expectedStatus" && w.Message.Contains("did you mean 'expectStatus'"));
        }

        [Fact]
        public void A_psd1_drill_section_with_timespans_loads()
        {
            var tree = new Hashtable
            {
                ["Name"] = "orders", ["Strategy"] = "PilotLight", ["DrRegion"] = "us-west-2", ["RTO"] = "PT1H", ["RPO"] = "PT15M",
                ["Resources"] = new Hashtable { ["AppServers"] = new Hashtable { ["Name"] = "web", ["Ami"] = "ami-0123456789abcdef0", ["InstanceType"] = "t3.large" } },
                ["Drill"] = new Hashtable { ["MaxAge"] = TimeSpan.FromDays(14), ["Probes"] = new Hashtable { ["Name"] = "web", ["Url"] = "http://{web}/", ["Within"] = TimeSpan.FromMinutes(3) } },
            };
            var r = DrPlanLoader.FromObject(tree);
            Assert.True(r.IsValid, string.Join("\n", r.Issues));
            Assert.Equal((TimeSpan?)TimeSpan.FromDays(14), r.Plan!.Drill!.MaxAge);
            Assert.Equal(TimeSpan.FromMinutes(3), Assert.Single(r.Plan.Drill.Probes).Within);
        }

        [Fact]
        public void The_writer_round_trips_a_drill_section_and_point_in_time_restores()
        {
            var r = Load("""
                { "subnetId": "subnet-0fedcba9876543210", "dbSubnetGroupName": "orders drill", "dbSecurityGroupIds": ["sg-0fedcba9876543211"],
                  "dns": { "recordName": "drill.orders.example.com.", "ttl": 0 }, "autoScalingGroups": "COPY",
                  "probes": [ { "name": "db", "tcp": "{database}:{database.port}", "within": "PT30S" }, { "name": "web", "url": "http://{web}/", "expectStatus": 200 } ],
                  "stopAlarms": ["a", "b"], "maxAge": "P1DT12H" }
                """);
            Assert.True(r.IsValid, string.Join("\n", r.Issues));
            var json = DrPlanWriter.ToJson(r.Plan!);
            var again = DrPlanLoader.Parse(json);
            Assert.Empty(again.Issues);
            Assert.Equal(json, DrPlanWriter.ToJson(again.Plan!));
            Assert.Contains("\"drill\": {", json);
            Assert.Equal(0, again.Plan!.Drill!.Dns!.Ttl);

            foreach (var restore in new[] { """ "pointInTime": "2026-03-14T02:10:00+01:00" """, """ "pointInTime": "2026-03-14T01:10:00.5Z" """, """ "latestRestorable": true """ })
            {
                var p = Load("{}", resources: $$""" "database": { "primaryInstanceId": "orders-db", "restore": { "instanceId": "orders-db-pitr", {{restore}} } } """,
                    strategy: "BACKUP_AND_RESTORE");
                Assert.True(p.IsValid, string.Join("\n", p.Issues));
                var written = DrPlanWriter.ToJson(p.Plan!);
                Assert.Contains(restore.Trim(), written);
                var back = DrPlanLoader.Parse(written).GetPlanOrThrow();
                Assert.Equal(p.Plan!.Resources.Database!.Restore!.PointInTime, back.Resources.Database!.Restore!.PointInTime);
                Assert.Equal(p.Plan.Resources.Database.Restore.LatestRestorable, back.Resources.Database.Restore.LatestRestorable);
                Assert.Equal(written, DrPlanWriter.ToJson(back));
            }
        }

        [Fact]
        public void Point_in_time_restores_need_an_offset_the_primary_and_no_other_source()
        {
            PlanLoadResult Restore(string restore, string primary = "\"primaryInstanceId\": \"orders-db\",") =>
                Load("{}", resources: $$""" "database": { {{primary}} "restore": { "instanceId": "orders-db-pitr", {{restore}} } } """, strategy: "BACKUP_AND_RESTORE");

            var at = Restore("\"pointInTime\": \"2026-03-14T02:10:00+01:00\"");
            Assert.True(at.IsValid, string.Join("\n", at.Issues));
            Assert.Equal(new DateTimeOffset(2026, 3, 14, 1, 10, 0, TimeSpan.Zero), at.Plan!.Resources.Database!.Restore!.PointInTime);
            Assert.True(Restore("\"latestRestorable\": true").Plan!.Resources.Database!.Restore!.LatestRestorable);

            AssertError(Restore("\"pointInTime\": \"2026-03-14T02:10:00\""), "$.resources.database.restore.pointInTime", "has no UTC offset; add one, e.g. \"2026-03-14T02:10:00Z\"");
            AssertError(Restore("\"pointInTime\": \"yesterday\""), "$.resources.database.restore.pointInTime", "is not an ISO 8601 date and time with an offset");
            AssertError(Restore("\"pointInTime\": \"2026-03-14T02:10:00Z\", \"latestRestorable\": true"), "$.resources.database.restore", "give at most one of");
            AssertError(Restore("\"snapshotId\": \"orders-snap\", \"latestRestorable\": true"), "$.resources.database.restore", "not \"snapshotId\" and \"latestRestorable\": true");
            AssertError(Restore("\"latestRestorable\": true", primary: ""), "$.resources.database.primaryInstanceId", "is required with restore.latestRestorable");
            AssertError(Restore("\"pointInTime\": \"2026-03-14T02:10:00Z\"", primary: ""), "$.resources.database.primaryInstanceId", "is required with restore.pointInTime");
            AssertError(Restore("\"latestRestorable\": \"yes\""), "$.resources.database.restore.latestRestorable", "must be true or false");
            // "latestRestorable": false is the same as leaving it out: a snapshot restore.
            var off = Restore("\"latestRestorable\": false, \"snapshotId\": \"orders-snap\"");
            Assert.True(off.IsValid, string.Join("\n", off.Issues));
            Assert.False(off.Plan!.Resources.Database!.Restore!.LatestRestorable);
        }

        [Fact]
        public void A_psd1_point_in_time_may_be_a_datetimeoffset_or_a_utc_datetime()
        {
            Hashtable Tree(object pointInTime) => new()
            {
                ["Name"] = "orders", ["Strategy"] = "BACKUP_AND_RESTORE", ["PrimaryRegion"] = "us-east-1", ["DrRegion"] = "us-west-2", ["RTO"] = "PT8H", ["RPO"] = "PT1H",
                ["Resources"] = new Hashtable
                {
                    ["Database"] = new Hashtable { ["PrimaryInstanceId"] = "orders-db", ["Restore"] = new Hashtable { ["InstanceId"] = "orders-db-pitr", ["PointInTime"] = pointInTime } },
                },
            };
            var when = new DateTimeOffset(2026, 3, 14, 2, 10, 0, TimeSpan.FromHours(1));
            Assert.Equal(when, DrPlanLoader.FromObject(Tree(when)).GetPlanOrThrow().Resources.Database!.Restore!.PointInTime);
            Assert.Equal(when, DrPlanLoader.FromObject(Tree(when.UtcDateTime)).GetPlanOrThrow().Resources.Database!.Restore!.PointInTime);
            AssertError(DrPlanLoader.FromObject(Tree(new DateTime(2026, 3, 14, 2, 10, 0, DateTimeKind.Unspecified))), "$.resources.database.restore.pointInTime", "has no UTC offset");
        }
    }
}
