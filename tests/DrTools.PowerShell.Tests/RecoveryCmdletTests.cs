using System;
using System.IO;
using System.Linq;
using DrTools.Core.Recovery.Engine;
using DrTools.Core.Reprotect;
using DrTools.TestSupport;
using Xunit;

namespace DrTools.PowerShell.Tests
{
    /// <summary>The recovery cmdlets as an admin uses them: -WhatIf shows everything and changes nothing, -Confirm No does nothing, bad input is a DrTools error.</summary>
    public sealed class RecoveryCmdletTests : IDisposable
    {
        const string Keys = "-AccessKey AKIDEXAMPLE -SecretKey secret";
        static readonly string[] Mutating =
        {
            "RunInstances", "PromoteReadReplica", "ModifyDBInstance", "RestoreDBInstanceFromDBSnapshot", "UpdateAutoScalingGroup", "AssociateAddress",
        };
        readonly string _journals = Path.Combine(Path.GetTempPath(), "drtools-journals-" + Guid.NewGuid().ToString("N"));

        public void Dispose()
        {
            try { Directory.Delete(_journals, true); } catch (IOException) { }
        }

        static string Example(string name) => PsHarness.Quote(Path.Combine(PsHarness.RepoRoot, "docs", "examples", "plans", name + ".json"));

        static void AssertNothingChanged(FakeAwsServer aws)
        {
            Assert.DoesNotContain(aws.Requests, r => r.Action != null && Mutating.Contains(r.Action));
            Assert.DoesNotContain(aws.Requests, r => r.Service == "route53" && r.Method == "POST"); // ChangeResourceRecordSets
        }

        [Theory]
        [InlineData("Invoke-DrFailover", "pilot-light", new[] { "launch-web", "launch-worker", "promote-db", "resize-db", "eip-eipalloc-0123456789abcdef0", "approve-change-dns", "change-dns" })]
        [InlineData("Start-DrPilotLight", "pilot-light", new[] { "launch-web", "promote-db", "change-dns" })]
        [InlineData("Start-DrWarmStandby", "warm-standby", new[] { "scale-orders-web-dr", "scale-orders-worker-dr", "promote-db", "resize-db", "change-dns", "wait-healthy" })]
        [InlineData("Invoke-DrFailover", "multi-site", new[] { "scale-orders-web-dr", "promote-db", "shift-traffic", "wait-healthy" })]
        [InlineData("Invoke-DrFailover", "backup-and-restore", new[] { "launch-web", "restore-db", "eip-eipalloc-0123456789abcdef0", "change-dns" })]
        [InlineData("Invoke-DrFailback", "warm-standby", new[] { "check-primary", "change-dns", "wait-healthy", "scale-orders-web-dr-standby" })]
        public void WhatIf_prints_every_step_with_waves_and_resources_and_sends_no_request(string cmdlet, string plan, string[] steps)
        {
            using var aws = new FakeAwsServer(FakeAws.Healthy);
            var r = PsHarness.Run($"{cmdlet} -Plan {Example(plan)} -WhatIf -EndpointUrl {aws.Url} {Keys} -JournalPath {PsHarness.Quote(_journals)}");
            Assert.True(r.Terminating == null && r.Errors.Count == 0, r.Describe());
            Assert.Empty(r.Output);
            Assert.Contains("What if:", r.HostText);
            Assert.Contains("nothing has been changed", r.HostText);
            Assert.Contains("Wave 1", r.HostText);
            foreach (var s in steps) Assert.Contains($". {s} [", r.HostText);
            Assert.Contains("(us-west-2)", r.HostText); // resources name the DR region
            Assert.Empty(aws.Requests); // -WhatIf reads nothing either
            Assert.False(Directory.Exists(_journals)); // and starts no run
        }

        void SaveFailedOver(bool protectedByReplica = true) =>
            new ActiveSideStore(new RecoveryJournalStore(_journals)).SaveAsync(new ActiveSide
            {
                Plan = "orders", Active = PlanSide.Dr, Operation = "Reprotect",
                Writer = new DatabaseLocation { Id = "orders-db-dr", Region = "us-west-2" },
                Replica = protectedByReplica ? new DatabaseLocation { Id = "orders-db", Region = "us-east-1" } : null,
            }, default).GetAwaiter().GetResult();

        [Fact]
        public void WhatIf_of_the_failback_of_a_failed_over_database_lists_the_fence_catch_up_promote_and_reprotect_steps()
        {
            SaveFailedOver();
            using var aws = new FakeAwsServer(FakeAws.Healthy);
            var r = PsHarness.Run($"Invoke-DrFailback -Plan {Example("pilot-light")} -WhatIf -Approve FenceDatabase -EndpointUrl {aws.Url} {Keys} -JournalPath {PsHarness.Quote(_journals)}");
            Assert.True(r.Terminating == null && r.Errors.Count == 0, r.Describe());
            foreach (var s in new[] { "check-primary", "approve-fence-database", "fence-db", "catch-up", "promote-db", "approve-change-dns", "change-dns",
                         "snapshot-db", "copy-snapshot", "set-aside-db", "create-replica", "wait-replica", "record-active-side" })
                Assert.Contains($". {s} [", r.HostText);
            Assert.Contains("stop: AWS::EC2::Instance", r.HostText); // the default fence stops the launched app servers
            Assert.Contains("promote: AWS::RDS::DBInstance orders-db (us-east-1)", r.HostText);
            Assert.Contains("Approval approve-fence-database: given in advance (-Approve)", r.HostText);
            Assert.Contains("Approval approve-change-dns: asked during the run", r.HostText);
            Assert.Empty(aws.Requests);
        }

        [Fact]
        public void Failback_of_a_failed_over_database_without_a_replica_is_refused_with_the_reprotect_command()
        {
            SaveFailedOver(protectedByReplica: false);
            using var aws = new FakeAwsServer(FakeAws.Healthy);
            var r = PsHarness.Run($"Invoke-DrFailback -Plan {Example("pilot-light")} -Confirm:$false -EndpointUrl {aws.Url} {Keys} -JournalPath {PsHarness.Quote(_journals)}");
            var e = Assert.Single(r.AllErrors);
            Assert.StartsWith("DrTools.NotProtected", e.FullyQualifiedErrorId);
            Assert.Contains("Invoke-DrReprotect -Plan '", e.ErrorDetails?.RecommendedAction ?? r.Describe());
            AssertNothingChanged(aws);
        }

        [Fact]
        public void WhatIf_shows_the_resources_each_step_touches()
        {
            using var aws = new FakeAwsServer(FakeAws.Healthy);
            var r = PsHarness.Run($"Invoke-DrFailover -Plan {Example("multi-site")} -WhatIf -EndpointUrl {aws.Url} {Keys}");
            Assert.Contains("promote: AWS::RDS::DBInstance orders-db-dr (us-west-2)", r.HostText);
            Assert.Contains("UPSERT weight 100", r.HostText);
            Assert.Contains("scale to min 4/max 20/desired 8: AWS::AutoScaling::AutoScalingGroup orders-web-dr (us-west-2)", r.HostText);
            Assert.Contains("after: scale-orders-web-dr, promote-db", r.HostText);
        }

        [Fact]
        public void Confirm_answered_no_does_nothing()
        {
            using var aws = new FakeAwsServer(FakeAws.Healthy);
            // Choices of a ShouldProcess prompt: Yes, Yes to All, No, No to All.
            var r = PsHarness.Run($"Invoke-DrFailover -Plan {Example("pilot-light")} -EndpointUrl {aws.Url} {Keys} -JournalPath {PsHarness.Quote(_journals)}", confirmAnswer: 2);
            Assert.True(r.Terminating == null && r.Errors.Count == 0, r.Describe());
            Assert.Empty(r.Output);
            Assert.Empty(aws.Requests);
            AssertNothingChanged(aws);
            Assert.False(Directory.Exists(_journals));
        }

        [Fact]
        public void A_plan_file_that_does_not_exist_is_a_drtools_error_before_anything_happens()
        {
            using var aws = new FakeAwsServer(FakeAws.Healthy);
            var r = PsHarness.Run($"Invoke-DrFailover -Plan ./no-such-plan.json -Confirm:$false -EndpointUrl {aws.Url} {Keys}");
            var e = Assert.Single(r.AllErrors);
            Assert.StartsWith("DrTools.NotFound", e.FullyQualifiedErrorId);
            Assert.Contains("no-such-plan.json", e.Exception.Message);
            Assert.Empty(aws.Requests);
        }

        [Fact]
        public void An_invalid_plan_is_refused_with_every_error_by_json_path()
        {
            using var aws = new FakeAwsServer(FakeAws.Healthy);
            var r = PsHarness.Run($"Invoke-DrFailover -Plan @{{ name = 'x'; strategy = 'PILOT_LIGHT'; rto = 'PT1H' }} -Confirm:$false -EndpointUrl {aws.Url} {Keys}");
            var e = Assert.Single(r.AllErrors);
            Assert.StartsWith("DrTools.InvalidPlan", e.FullyQualifiedErrorId);
            Assert.Contains("$.drRegion", e.Exception.Message);
            Assert.Contains("$.rpo", e.Exception.Message);
            Assert.Empty(aws.Requests);
        }

        [Fact]
        public void Start_DrPilotLight_refuses_a_plan_of_another_strategy()
        {
            using var aws = new FakeAwsServer(FakeAws.Healthy);
            var r = PsHarness.Run($"Start-DrPilotLight -Plan {Example("warm-standby")} -Confirm:$false -EndpointUrl {aws.Url} {Keys}");
            var e = Assert.Single(r.AllErrors);
            Assert.StartsWith("DrTools.InvalidParameter", e.FullyQualifiedErrorId);
            Assert.Contains("Invoke-DrFailover", e.ErrorDetails?.RecommendedAction ?? e.Exception.Message + r.Describe());
            Assert.Empty(aws.Requests);
        }

        [Fact]
        public void The_connection_defaults_to_the_plans_dr_region_and_region_overrides_it()
        {
            using var aws = new FakeAwsServer(FakeAws.Healthy);
            var r = PsHarness.Run($"Invoke-DrFailover -Plan {Example("pilot-light")} -WhatIf -Verbose -EndpointUrl {aws.Url} {Keys}");
            Assert.Contains(r.Verbose, v => v.StartsWith("Region us-west-2", StringComparison.Ordinal));
            var r2 = PsHarness.Run($"Invoke-DrFailover -Plan {Example("pilot-light")} -WhatIf -Verbose -Region eu-west-1 -EndpointUrl {aws.Url} {Keys}");
            Assert.Contains(r2.Verbose, v => v.StartsWith("Region eu-west-1", StringComparison.Ordinal));
        }

        /// <summary>A warm standby plan whose Auto Scaling group does not exist: the scale step fails (DrTools.NotFound).</summary>
        string FailingPlanFile(string approvals = "")
        {
            Directory.CreateDirectory(_journals);
            var file = Path.Combine(_journals, "orders.json");
            File.WriteAllText(file, $$"""
                { "name": "orders", "strategy": "WARM_STANDBY", "drRegion": "us-west-2", "rto": "PT1H", "rpo": "PT15M", {{approvals}}
                  "resources": { "autoScalingGroups": [ { "name": "orders-web-dr", "standby": { "min": 1, "max": 2, "desired": 1 },
                                                         "production": { "min": 2, "max": 4, "desired": 2 } } ] } }
                """);
            return file;
        }

        [Fact]
        public void An_approval_the_plan_never_asks_is_a_warning_in_Import_DrPlan_Test_DrPlan_and_the_recovery_WhatIf()
        {
            using var aws = new FakeAwsServer(FakeAws.Healthy);
            var plan = PsHarness.Quote(FailingPlanFile("\"approvals\": [ { \"before\": \"PromoteDatabase\", \"message\": \"Fenced?\" } ],"));
            foreach (var script in new[]
            {
                $"Import-DrPlan {plan} | Out-Null",
                $"Test-DrPlan {plan} -Live -EndpointUrl {aws.Url} {Keys} | Out-Null",
                $"Invoke-DrFailover -Plan {plan} -WhatIf -EndpointUrl {aws.Url} {Keys}",
            })
            {
                var r = PsHarness.Run(script);
                Assert.True(r.Terminating == null, r.Describe());
                Assert.Contains(r.Warnings, w => w.Contains("$.approvals[0].before") && w.Contains("never asked") && w.Contains("ScaleGroup"));
            }
        }

        [Fact]
        public void A_failed_recovery_under_ErrorActionPreference_Stop_still_hands_over_the_result_and_how_to_resume()
        {
            using var aws = new FakeAwsServer(FakeAws.Healthy);
            var plan = FailingPlanFile();
            var r = PsHarness.Run($$"""
                $ErrorActionPreference = 'Stop'
                $seen = [System.Collections.Generic.List[object]]::new()
                try {
                    Invoke-DrFailover -Plan {{PsHarness.Quote(plan)}} -Confirm:$false -EndpointUrl {{aws.Url}} {{Keys}} -JournalPath {{PsHarness.Quote(_journals)}} |
                        ForEach-Object { $seen.Add($_) }
                    'not reached'
                } catch {
                    [pscustomobject]@{
                        Id = $_.FullyQualifiedErrorId; RunId = $_.TargetObject.RunId; Type = $_.TargetObject.GetType().FullName
                        Action = $_.ErrorDetails.RecommendedAction; SeenRunId = $seen[0].RunId; SeenSucceeded = $seen[0].Succeeded; Seen = $seen.Count
                    }
                }
                """);
            Assert.True(r.Terminating == null, r.Describe());
            var caught = Assert.Single(r.Output);
            string Prop(string name) => caught.Properties[name].Value?.ToString() ?? "";
            Assert.StartsWith("DrTools.NotFound", Prop("Id"));
            Assert.Equal("DrTools.Core.Recovery.Engine.RecoveryResult", Prop("Type"));
            Assert.False(string.IsNullOrEmpty(Prop("RunId")));
            Assert.Equal(Prop("RunId"), Prop("SeenRunId")); // the result was written before the error
            Assert.Equal("1", Prop("Seen"));
            Assert.Equal("False", Prop("SeenSucceeded"));
            Assert.Contains($"Invoke-DrFailover -Plan '{plan}' -Resume -RunId {Prop("RunId")}", Prop("Action"));
        }

        [Fact]
        public void A_failed_recovery_writes_the_result_and_a_non_terminating_error_per_failed_step()
        {
            using var aws = new FakeAwsServer(FakeAws.Healthy);
            var plan = FailingPlanFile();
            var r = PsHarness.Run($"$r = Invoke-DrFailover -Plan {PsHarness.Quote(plan)} -Confirm:$false -EndpointUrl {aws.Url} {Keys} -JournalPath {PsHarness.Quote(_journals)}; $r");
            Assert.Null(r.Terminating);
            var result = Assert.Single(r.Output).BaseObject;
            var error = Assert.Single(r.Errors);
            Assert.StartsWith("DrTools.NotFound", error.FullyQualifiedErrorId);
            Assert.Same(result, error.TargetObject);
            Assert.Contains("-Resume -RunId", error.ErrorDetails.RecommendedAction);
        }

        [Fact]
        public void Resume_without_an_earlier_run_says_so()
        {
            using var aws = new FakeAwsServer(FakeAws.Healthy);
            var r = PsHarness.Run($"Invoke-DrFailover -Plan {Example("pilot-light")} -Resume -Confirm:$false -EndpointUrl {aws.Url} {Keys} -JournalPath {PsHarness.Quote(_journals)}");
            var e = Assert.Single(r.AllErrors);
            Assert.StartsWith("DrTools.NotFound", e.FullyQualifiedErrorId);
            Assert.Contains("no unfinished recovery run", e.Exception.Message);
            AssertNothingChanged(aws);
        }

        [Fact]
        public void An_s3_JournalPath_is_used_through_the_connection_and_an_unreachable_one_stops_before_any_step()
        {
            // The journal's bucket does not exist: the journal cannot be read or written, so nothing may run.
            using var aws = new FakeAwsServer(q => q.Service == "s3"
                ? new FakeResponse(404, "<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message></Error>", "application/xml")
                : FakeAws.Healthy(q));
            var r = PsHarness.Run($"Invoke-DrFailover -Plan {Example("pilot-light")} -Confirm:$false -EndpointUrl {aws.Url} {Keys} -JournalPath s3://drtools-journal-test/journals");
            var e = Assert.Single(r.AllErrors);
            Assert.StartsWith("DrTools.JournalError", e.FullyQualifiedErrorId);
            // The first read is the plan's active side record (is it failed over already?), beside the journals.
            Assert.Matches("s3://drtools-journal-test/journals/(active/)?orders", e.Exception.Message);
            Assert.Contains(aws.Requests, q => q.Service == "s3");
            AssertNothingChanged(aws);
            Assert.Empty(r.Output);
        }

        [Fact]
        public void A_malformed_s3_JournalPath_is_refused_before_anything_happens()
        {
            using var aws = new FakeAwsServer(FakeAws.Healthy);
            var r = PsHarness.Run($"Invoke-DrFailover -Plan {Example("pilot-light")} -Confirm:$false -EndpointUrl {aws.Url} {Keys} -JournalPath s3:corp-dr-state/journals");
            var e = Assert.Single(r.AllErrors);
            Assert.StartsWith("DrTools.InvalidParameter", e.FullyQualifiedErrorId);
            Assert.Contains("s3://corp-dr-state/journals", e.ErrorDetails.RecommendedAction);
            Assert.Empty(aws.Requests);
        }
    }
}
