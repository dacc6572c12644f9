using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using DrTools.Core.Plans;
using DrTools.Core.Plans.Readiness;
using DrTools.TestSupport;
using Xunit;
using static DrTools.TestSupport.PsHarness;

namespace DrTools.PowerShell.Tests
{
    /// <summary>New-DrPlan, Import-DrPlan and Test-DrPlan in the real engine; -Live against a loopback fake AWS.</summary>
    public sealed class PlanCmdletTests : IDisposable
    {
        const string Keys = "-AccessKey AKIDTEST -SecretKey TopSecretValue42";
        readonly string _root = Path.Combine(Path.GetTempPath(), "drtools-plans-" + Guid.NewGuid().ToString("N").Substring(0, 8));

        public PlanCmdletTests() => Directory.CreateDirectory(_root);

        public void Dispose()
        {
            try { Directory.Delete(_root, true); } catch (IOException) { }
        }

        string At(string name) => Path.Combine(_root, name);

        static void Ok(PsResult r) => Assert.True(r.Terminating == null && r.Errors.Count == 0, r.Describe());

        const string BrokenPlan = """
        {
          "name": "orders db",
          "strategy": "HOT_SPARE",
          "drRegion": "mars-1",
          "rto": "one hour",
          "rpo": "PT15M",
          "resources": {
            "appServers": [ { "name": "web", "ami": { "id": "ami-123" }, "instanceType": "t3.large", "count": 0 } ]
          }
        }
        """;

        // ---------------------------------------------------------------- New-DrPlan

        [Fact]
        public void New_DrPlan_writes_the_documented_example_that_Import_DrPlan_loads_back()
        {
            var file = At("orders.json");
            var r = Run($"New-DrPlan -Strategy PILOT_LIGHT -Path {Quote(file)}; Import-DrPlan -Path {Quote(file)}");
            Ok(r);
            Assert.Empty(r.Warnings);
            var written = Assert.IsType<DrPlan>(r.Output[0].BaseObject);
            var loaded = Assert.IsType<DrPlan>(r.Output[1].BaseObject);
            Assert.Equal(file, written.Source);
            Assert.Equal(file, loaded.Source);
            Assert.Equal((DrStrategy.PilotLight, "orders", "us-west-2", TimeSpan.FromHours(1)), (loaded.Strategy, loaded.Name, loaded.DrRegion, loaded.Rto));
            Assert.Equal(DrPlanWriter.ToJson(written), DrPlanWriter.ToJson(loaded));
            // docs/plan-schema.md promises the examples are exactly what New-DrPlan writes.
            Assert.Equal(File.ReadAllText(Path.Combine(RepoRoot, "docs", "examples", "plans", "pilot-light.json")).Trim(), File.ReadAllText(file).Trim());
        }

        [Fact]
        public void New_DrPlan_without_a_path_emits_the_plan_with_the_names_and_regions_given()
        {
            var r = Run("New-DrPlan MULTI_SITE -Name billing -PrimaryRegion eu-west-1 -DrRegion eu-central-1");
            Ok(r);
            var plan = Assert.IsType<DrPlan>(Assert.Single(r.Output).BaseObject);
            Assert.Equal((DrStrategy.MultiSite, "billing", "eu-west-1", "eu-central-1"), (plan.Strategy, plan.Name, plan.PrimaryRegion, plan.DrRegion));
            Assert.Null(plan.Source);
            Assert.Equal("billing-web-dr", plan.Resources.AutoScalingGroups.Single().Name);
            Assert.Empty(Directory.GetFiles(_root));
        }

        [Fact]
        public void New_DrPlan_refuses_an_invalid_name_before_writing_anything()
        {
            var file = At("bad.json");
            var r = Run($"New-DrPlan -Strategy WARM_STANDBY -Name 'orders app' -Path {Quote(file)}");
            var e = Assert.Single(r.AllErrors);
            Assert.StartsWith("DrTools.InvalidPlan", e.FullyQualifiedErrorId);
            Assert.Contains("$.name:", e.ErrorDetails.Message);
            Assert.False(File.Exists(file));
        }

        [Fact]
        public void New_DrPlan_does_not_overwrite_without_Overwrite_and_WhatIf_writes_nothing()
        {
            var file = At("orders.json");
            File.WriteAllText(file, "my edited plan");
            var refused = Run($"New-DrPlan -Strategy BACKUP_AND_RESTORE -Path {Quote(file)}");
            var e = Assert.Single(refused.AllErrors);
            Assert.StartsWith("DrTools.AlreadyExists", e.FullyQualifiedErrorId);
            Assert.Contains("-Overwrite", e.ErrorDetails.RecommendedAction);
            Assert.Equal("my edited plan", File.ReadAllText(file));

            // -Force only skips the confirmation; it never replaces a plan.
            var forceOnly = Run($"New-DrPlan -Strategy BACKUP_AND_RESTORE -Path {Quote(file)} -Force");
            Assert.StartsWith("DrTools.AlreadyExists", Assert.Single(forceOnly.AllErrors).FullyQualifiedErrorId);
            Assert.Equal("my edited plan", File.ReadAllText(file));

            var whatIf = Run($"New-DrPlan -Strategy BACKUP_AND_RESTORE -Path {Quote(file)} -Overwrite -Force -WhatIf");
            Ok(whatIf);
            Assert.Empty(whatIf.Output);
            Assert.Contains(file, whatIf.HostText);
            Assert.Contains("Overwrite", whatIf.HostText);
            Assert.Equal("my edited plan", File.ReadAllText(file));

            var replaced = Run($"New-DrPlan -Strategy BACKUP_AND_RESTORE -Path {Quote(file)} -Overwrite");
            Ok(replaced);
            Assert.Equal(DrStrategy.BackupAndRestore, DrPlanLoader.LoadFile(file).GetPlanOrThrow().Strategy);
            Assert.Single(Directory.GetFiles(_root)); // no temporary file left behind
        }

        [Fact]
        public void New_DrPlan_resolves_a_relative_path_against_the_PowerShell_location()
        {
            var r = Run($"$ExecutionContext.SessionState.Path.SetLocation({Quote(_root)}) | Out-Null; New-DrPlan -Strategy WARM_STANDBY -Path plan.json | Out-Null");
            Ok(r);
            Assert.True(File.Exists(At("plan.json")));
        }

        // ---------------------------------------------------------------- Import-DrPlan

        [Fact]
        public void Import_DrPlan_of_a_broken_plan_is_one_InvalidPlan_error_listing_every_field_by_JSON_path()
        {
            var file = At("broken.json");
            File.WriteAllText(file, BrokenPlan);
            var r = Run($"Import-DrPlan {Quote(file)}");
            Assert.Empty(r.Output);
            var e = Assert.Single(r.AllErrors);
            Assert.StartsWith("DrTools.InvalidPlan", e.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.InvalidData, e.CategoryInfo.Category);
            var message = e.ErrorDetails.Message;
            Assert.Contains(file, message);
            foreach (var path in new[] { "$.name:", "$.strategy:", "$.drRegion:", "$.rto:", "$.resources.appServers[0].ami.id:", "$.resources.appServers[0].count:" })
                Assert.Contains(path, message);
            Assert.Contains("docs/plan-schema.md", e.ErrorDetails.RecommendedAction);
        }

        [Fact]
        public void Import_DrPlan_reads_a_psd1_plan_as_data()
        {
            var file = At("orders.psd1");
            File.WriteAllText(file, """
            @{
                Name = 'orders'
                Strategy = 'WARM_STANDBY'
                DrRegion = 'us-west-2'
                Rto = 'PT30M'
                Rpo = '00:05:00'
                Resources = @{
                    AutoScalingGroups = @{ Name = 'orders-web-dr'; Standby = @{ Min = 1; Max = 2; Desired = 1 }; Production = @{ Min = 2; Max = 10; Desired = 4 } }
                }
            }
            """);
            var r = Run($"Import-DrPlan {Quote(file)}");
            Ok(r);
            var plan = Assert.IsType<DrPlan>(Assert.Single(r.Output).BaseObject);
            Assert.Equal((DrStrategy.WarmStandby, TimeSpan.FromMinutes(5), "orders-web-dr"), (plan.Strategy, plan.Rpo, plan.Resources.AutoScalingGroups.Single().Name));
            Assert.Equal(new GroupSize(2, 10, 4), plan.Resources.AutoScalingGroups[0].Production);
        }

        [Fact]
        public void Import_DrPlan_warns_about_an_unknown_field_and_still_loads_the_plan()
        {
            var file = At("typo.json");
            File.WriteAllText(file, DrPlanWriter.ToJson(DrPlanTemplates.Create(DrStrategy.WarmStandby)).Replace("\"rpo\":", "\"rpoo\": \"PT1M\", \"rpo\":"));
            var r = Run($"Import-DrPlan {Quote(file)}");
            Ok(r);
            Assert.IsType<DrPlan>(Assert.Single(r.Output).BaseObject);
            var warning = Assert.Single(r.Warnings);
            Assert.Contains("$.rpoo", warning);
            Assert.Contains("'rpo'", warning);
        }

        [Fact]
        public void Import_DrPlan_takes_FileInfo_objects_and_wildcards_from_the_pipeline()
        {
            foreach (var s in new[] { DrStrategy.PilotLight, DrStrategy.MultiSite })
                File.WriteAllText(At($"{s}.json"), DrPlanWriter.ToJson(DrPlanTemplates.Create(s)));
            var r = Run($"[System.IO.FileInfo]::new({Quote(At("PilotLight.json"))}) | Import-DrPlan; Import-DrPlan {Quote(Path.Combine(_root, "M*.json"))}");
            Ok(r);
            Assert.Equal(new[] { DrStrategy.PilotLight, DrStrategy.MultiSite }, r.Output.Select(o => ((DrPlan)o.BaseObject).Strategy));
        }

        [Fact]
        public void Import_DrPlan_validates_a_hashtable_and_reports_a_missing_file()
        {
            var r = Run("Import-DrPlan -Plan @{ name = 'orders'; strategy = 'WARM_STANDBY'; drRegion = 'us-west-2'; rto = 'PT30M'; rpo = 'PT5M'; " +
                        "resources = @{ autoScalingGroups = @{ name = 'web'; standby = @{ min = 1; max = 2; desired = 1 }; production = @{ min = 2; max = 10; desired = 4 } } } }");
            Ok(r);
            Assert.Equal("orders", ((DrPlan)Assert.Single(r.Output).BaseObject).Name);

            var missing = Run($"Import-DrPlan {Quote(At("nope.json"))}");
            Assert.StartsWith("DrTools.NotFound", Assert.Single(missing.AllErrors).FullyQualifiedErrorId);
        }

        // ---------------------------------------------------------------- Test-DrPlan (static)

        [Fact]
        public void Test_DrPlan_reports_validity_for_each_plan_without_failing_and_touches_no_AWS()
        {
            var good = At("good.json");
            var bad = At("bad.json");
            File.WriteAllText(good, DrPlanWriter.ToJson(DrPlanTemplates.Create(DrStrategy.PilotLight)));
            File.WriteAllText(bad, BrokenPlan);
            // No region, no credentials, an endpoint that does not exist: static validation must not need any of them.
            var r = Run($"{Quote(good)}, {Quote(bad)}, {Quote(At("missing.json"))}, {Quote(good)} | Test-DrPlan -EndpointUrl http://127.0.0.1:1");
            var results = r.Output.Select(o => Assert.IsType<PlanValidationResult>(o.BaseObject)).ToList();
            Assert.Equal(new[] { true, false, true }, results.Select(x => x.Valid));
            Assert.Equal("orders", results[0].Name);
            Assert.NotNull(results[0].Plan);
            Assert.Null(results[1].Plan);
            Assert.Equal(bad, results[1].Source);
            Assert.Contains(results[1].Errors, i => i.Path == "$.strategy");
            Assert.Contains(results[1].Errors, i => i.Path == "$.resources.appServers[0].count");
            // The missing file is a non-terminating error; the plan after it was still tested.
            Assert.Null(r.Terminating);
            Assert.StartsWith("DrTools.NotFound", Assert.Single(r.Errors).FullyQualifiedErrorId);
        }

        // ---------------------------------------------------------------- Test-DrPlan -Live

        static readonly string AmiCreated = DateTime.UtcNow.AddDays(-1).AddHours(-2).AddMinutes(-10).ToString("yyyy-MM-ddTHH:mm:ss.000Z");

        internal const string LivePlan = "@{ name = 'orders'; strategy = 'PILOT_LIGHT'; primaryRegion = 'us-east-1'; drRegion = 'us-west-2'; rto = 'PT1H'; rpo = 'PT15M'; " +
            "resources = @{ appServers = @{ name = 'web'; ami = 'ami-0123456789abcdef0'; instanceType = 't3.large'; maxAmiAge = 'P7D' }; " +
            "database = @{ primaryInstanceId = 'orders-db'; replicaInstanceId = 'orders-db-dr' }; " +
            "elasticIps = @{ allocationId = 'eipalloc-0123456789abcdef0'; appServer = 'web' } } }";

        internal static FakeResponse LiveAnswers(FakeRequest q, bool rdsDenied) => (q.Service, q.Action) switch
        {
            ("ec2", "DescribeRegions") => new(200,
                "<DescribeRegionsResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"><requestId>r0</requestId><regionInfo>" +
                string.Concat(new[] { "us-east-1", "us-west-2", "eu-west-1" }.Select(r =>
                    $"<item><regionName>{r}</regionName><regionEndpoint>ec2.{r}.amazonaws.com</regionEndpoint><optInStatus>opt-in-not-required</optInStatus></item>")) +
                "<item><regionName>af-south-1</regionName><regionEndpoint>ec2.af-south-1.amazonaws.com</regionEndpoint><optInStatus>not-opted-in</optInStatus></item>" +
                "</regionInfo></DescribeRegionsResponse>"),
            ("ec2", "DescribeImages") => new(200,
                "<DescribeImagesResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"><requestId>r1</requestId><imagesSet><item>" +
                $"<imageId>ami-0123456789abcdef0</imageId><imageState>available</imageState><name>orders-web-1</name><creationDate>{AmiCreated}</creationDate>" +
                "<imageOwnerId>123456789012</imageOwnerId><blockDeviceMapping/><tagSet/></item></imagesSet></DescribeImagesResponse>"),
            ("ec2", "DescribeAddresses") => new(400,
                "<Response><Errors><Error><Code>InvalidAllocationID.NotFound</Code><Message>The allocation ID 'eipalloc-0123456789abcdef0' does not exist</Message></Error></Errors><RequestID>fake-request-id</RequestID></Response>"),
            ("ec2", "DescribeInstances") => new(200, "<DescribeInstancesResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"><requestId>r2</requestId><reservationSet/></DescribeInstancesResponse>"),
            ("ec2", "DescribeInstanceTypes") => new(200,
                "<DescribeInstanceTypesResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"><requestId>r3</requestId><instanceTypeSet><item>" +
                "<instanceType>t3.large</instanceType><vCpuInfo><defaultVCpus>2</defaultVCpus></vCpuInfo></item></instanceTypeSet></DescribeInstanceTypesResponse>"),
            ("servicequotas", _) => new(200, "{\"Quota\":{\"ServiceCode\":\"ec2\",\"QuotaCode\":\"L-1216C47A\",\"Value\":64.0}}", "application/x-amz-json-1.1"),
            ("monitoring", "GetMetricStatistics") => new(200,
                "<GetMetricStatisticsResponse xmlns=\"http://monitoring.amazonaws.com/doc/2010-08-01/\"><GetMetricStatisticsResult><Label>ReplicaLag</Label><Datapoints><member>" +
                $"<Timestamp>{DateTime.UtcNow.AddMinutes(-1):yyyy-MM-ddTHH:mm:ssZ}</Timestamp><Maximum>3.0</Maximum><Unit>Seconds</Unit></member></Datapoints></GetMetricStatisticsResult>" +
                "<ResponseMetadata><RequestId>r4</RequestId></ResponseMetadata></GetMetricStatisticsResponse>"),
            ("rds", "DescribeDBInstances") when rdsDenied => FakeAwsServer.QueryError(403, "AccessDenied", "User: arn:aws:iam::123456789012:user/dr-admin is not authorized to perform: rds:DescribeDBInstances"),
            ("rds", "DescribeDBInstances") => new(200,
                "<DescribeDBInstancesResponse xmlns=\"http://rds.amazonaws.com/doc/2014-10-31/\"><DescribeDBInstancesResult><DBInstances><DBInstance>" +
                "<DBInstanceIdentifier>orders-db-dr</DBInstanceIdentifier><DBInstanceClass>db.t3.micro</DBInstanceClass><DBInstanceStatus>available</DBInstanceStatus>" +
                "<ReadReplicaSourceDBInstanceIdentifier>arn:aws:rds:us-east-1:123456789012:db:orders-db</ReadReplicaSourceDBInstanceIdentifier>" +
                "</DBInstance></DBInstances></DescribeDBInstancesResult><ResponseMetadata><RequestId>fake-request-id</RequestId></ResponseMetadata></DescribeDBInstancesResponse>"),
            _ => FakeAwsServer.QueryError(400, "UnknownOperation", $"no fake answer for {q.Service} {q.Action}"),
        };

        [Fact]
        public void Test_DrPlan_Live_checks_the_plans_DR_region_and_reports_each_check()
        {
            using var aws = new FakeAwsServer(q => LiveAnswers(q, rdsDenied: false));
            var r = Run($"Test-DrPlan -Plan {LivePlan} -Live -EndpointUrl {aws.Url} {Keys}");
            Ok(r);
            var checks = r.Output.Select(o => Assert.IsType<ReadinessCheck>(o.BaseObject)).ToList();
            Assert.Equal(new[] { "RegionEnabled", "AmiExists", "AmiAge", "DbReplica", "ReplicaLag", "Protection", "InstanceQuota", "ElasticIp" }, checks.Select(c => c.Check));
            Assert.Equal(new[] { true, true, true, true, true, true, true, false }, checks.Select(c => c.Ready));
            Assert.Contains("is 1d 2h old; the plan allows 7d (maxAmiAge).", checks[2].Reason);
            Assert.Equal("orders-db-dr is 3s behind; the plan allows 15m (rpo).", checks[4].Reason);
            Assert.Equal("quota 64 vCPUs, 0 in use, 64 free; the plan launches 2 vCPUs (web 1 x t3.large = 2)", checks[6].Observed);
            Assert.Equal("eipalloc-0123456789abcdef0 (for web[0])", checks[7].Resource);
            Assert.StartsWith("Elastic IP eipalloc-0123456789abcdef0 does not exist in us-west-2.", checks[7].Reason);
            var quota = aws.Requests.Single(q => q.Service == "servicequotas");
            Assert.Equal("ServiceQuotasV20190624.GetServiceQuota", quota.Headers["X-Amz-Target"]);
            Assert.Equal("DBInstanceIdentifier", aws.Requests.Single(q => q.Service == "monitoring").Form["Dimensions.member.1.Name"]);
            // No -Region and no default region: every call went to the plan's DR region with the keys given (the list of
            // regions is asked in the primary region: a DR region that is not enabled cannot answer for itself).
            Assert.All(aws.Requests.Where(q => q.Action != "DescribeRegions"), q => Assert.Equal(("us-west-2", "AKIDTEST"), (q.Region, q.AccessKey)));
            Assert.Equal("true", aws.Requests.Single(q => q.Action == "DescribeRegions" && q.Region == "us-east-1").Form["AllRegions"]);
            var images = aws.Requests.Single(q => q.Action == "DescribeImages");
            Assert.Equal("ami-0123456789abcdef0", images.Form["ImageId.1"]);
            Assert.Equal("orders-db-dr", aws.Requests.Single(q => q.Action == "DescribeDBInstances").Form["DBInstanceIdentifier"]);
            Assert.Equal("eipalloc-0123456789abcdef0", aws.Requests.Single(q => q.Action == "DescribeAddresses").Form["AllocationId.1"]);
            var warning = Assert.Single(r.Warnings);
            Assert.Contains("Plan 'orders' is not ready in us-west-2: 1 of 8 checks failed (ElasticIp eipalloc-0123456789abcdef0", warning);
        }

        [Fact]
        public void Test_DrPlan_Live_turns_a_denied_call_into_a_not_ready_check_and_honours_Region()
        {
            using var aws = new FakeAwsServer(q => LiveAnswers(q, rdsDenied: true));
            var r = Run($"Test-DrPlan -Plan {LivePlan} -Live -Region eu-west-1 -EndpointUrl {aws.Url} {Keys}");
            Assert.Null(r.Terminating);
            Assert.Empty(r.Errors);
            var db = r.Output.Select(o => (ReadinessCheck)o.BaseObject).Single(c => c.Check == "DbReplica");
            Assert.False(db.Ready);
            Assert.Equal("DrTools.AccessDenied", db.ErrorId);
            Assert.StartsWith("Could not check: DrTools.AccessDenied", db.Reason);
            Assert.Equal("eu-west-1", db.Region);
            Assert.All(aws.Requests.Where(q => q.Action != "DescribeRegions"), q => Assert.Equal("eu-west-1", q.Region));
        }

        [Fact]
        public void Test_DrPlan_Live_reports_a_DR_region_that_is_not_enabled_for_the_account_as_the_one_check()
        {
            using var aws = new FakeAwsServer(q => LiveAnswers(q, rdsDenied: false));
            var r = Run($"Test-DrPlan -Plan {LivePlan.Replace("drRegion = 'us-west-2'", "drRegion = 'af-south-1'")} -Live -EndpointUrl {aws.Url} {Keys}");
            Assert.Null(r.Terminating);
            var check = Assert.IsType<ReadinessCheck>(Assert.Single(r.Output).BaseObject);
            Assert.Equal(("RegionEnabled", false), (check.Check, check.Ready));
            Assert.Contains("not enabled for this account", check.Reason);
            Assert.Contains(r.Warnings, w => w.Contains("not ready in af-south-1"));
        }

        [Fact]
        public void Test_DrPlan_Live_stops_on_rejected_credentials_with_one_error()
        {
            using var aws = new FakeAwsServer(q => q.Service == "ec2"
                ? new FakeResponse(401, "<Response><Errors><Error><Code>AuthFailure</Code><Message>AWS was not able to validate the provided access credentials</Message></Error></Errors><RequestID>fake-request-id</RequestID></Response>")
                : FakeAwsServer.QueryError(403, "InvalidClientTokenId", "The security token included in the request is invalid."));
            var r = Run($"Test-DrPlan -Plan {LivePlan} -Live -EndpointUrl {aws.Url} {Keys}");
            var e = Assert.Single(r.AllErrors);
            Assert.StartsWith("DrTools.InvalidCredentials", e.FullyQualifiedErrorId);
            Assert.Empty(r.Output);
        }

        [Fact]
        public void Test_DrPlan_Live_reports_an_invalid_plan_as_one_error_and_checks_nothing()
        {
            using var aws = new FakeAwsServer(q => LiveAnswers(q, rdsDenied: false));
            var file = At("broken.json");
            File.WriteAllText(file, BrokenPlan);
            var r = Run($"Test-DrPlan {Quote(file)} -Live -EndpointUrl {aws.Url} {Keys}");
            var e = Assert.Single(r.AllErrors);
            Assert.StartsWith("DrTools.InvalidPlan", e.FullyQualifiedErrorId);
            Assert.Contains("$.strategy:", e.ErrorDetails.Message);
            Assert.Empty(aws.Requests);
        }
    }
}
