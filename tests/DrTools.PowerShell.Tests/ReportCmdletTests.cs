using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using DrTools.Core.Recovery.Engine;
using DrTools.Core.Reports;
using DrTools.TestSupport;
using Xunit;
using static DrTools.TestSupport.PsHarness;

namespace DrTools.PowerShell.Tests
{
    /// <summary>Export-DrReport in the real engine: piped results, -Plan -Last from journals, -Force/-WhatIf, secrets, redaction.</summary>
    public sealed class ReportCmdletTests : IDisposable
    {
        const string Keys = "-AccessKey AKIDTEST -SecretKey TopSecretValue42";
        readonly string _root = Path.Combine(Path.GetTempPath(), "drtools-report-" + Guid.NewGuid().ToString("N").Substring(0, 8));

        public ReportCmdletTests() => Directory.CreateDirectory(_root);

        public void Dispose()
        {
            try { Directory.Delete(_root, true); } catch (IOException) { }
        }

        string At(string name) => Path.Combine(_root, name);

        static void Ok(PsResult r) => Assert.True(r.Terminating == null && r.Errors.Count == 0, r.Describe());

        static Dictionary<string, object?> Vars(params (string Name, object? Value)[] vars) => vars.ToDictionary(v => v.Name, v => v.Value);

        /// <summary>A warm standby plan whose Auto Scaling group does not exist: the run fails at its scale step.</summary>
        string FailingPlanFile()
        {
            var file = At("orders.json");
            File.WriteAllText(file, """
                { "name": "orders", "strategy": "WARM_STANDBY", "drRegion": "us-west-2", "rto": "PT1H", "rpo": "PT15M",
                  "resources": { "autoScalingGroups": [ { "name": "orders-web-dr", "standby": { "min": 1, "max": 2, "desired": 1 },
                                                         "production": { "min": 2, "max": 4, "desired": 2 } } ] } }
                """);
            return file;
        }

        [Fact]
        public void Invoke_DrFailover_piped_to_Export_DrReport_writes_the_runs_page_with_who_ran_it_then_Plan_Last_reads_it_back_from_the_journal()
        {
            using var aws = new FakeAwsServer(FakeAws.Healthy);
            var plan = Quote(FailingPlanFile());
            var journals = Quote(At("journals"));
            var html = At("failover.html");
            var r = Run($"Invoke-DrFailover -Plan {plan} -Confirm:$false -EndpointUrl {aws.Url} {Keys} -JournalPath {journals} -ErrorAction SilentlyContinue | " +
                        $"Export-DrReport -Path {Quote(html)} -EndpointUrl {aws.Url} {Keys}");
            Assert.True(r.Terminating == null, r.Describe());
            var file = Assert.IsType<FileInfo>(Assert.Single(r.Output).BaseObject);
            Assert.Equal(html, file.FullName);
            var page = File.ReadAllText(html);
            Assert.StartsWith("<!DOCTYPE html>", page);
            Assert.Contains("scale-orders-web-dr", page);
            Assert.Contains("data-status=\"Failed\"", page);
            // Who ran it: the caller identity from STS through the same connection parameters, and the OS user.
            Assert.Contains("arn:aws:iam::123456789012:user/dr-admin", page);
            Assert.Contains(Environment.UserName, page);
            Assert.Contains(aws.Requests, q => q.Service == "sts" && q.Action == "GetCallerIdentity");

            // The same run, read back from the journal the failover wrote, with its waves.
            var json = At("runs.json");
            var r2 = Run($"Export-DrReport -Plan {plan} -Last 10 -JournalPath {journals} -Path {Quote(json)}");
            Ok(r2);
            using var doc = JsonDocument.Parse(File.ReadAllText(json));
            var run = Assert.Single(doc.RootElement.GetProperty("runs").EnumerateArray());
            Assert.Equal("Failed", run.GetProperty("outcome").GetString());
            Assert.Equal("Journal", run.GetProperty("source").GetString());
            Assert.Equal(3600, run.GetProperty("rto").GetProperty("targetSeconds").GetDouble());
            Assert.Contains(run.GetProperty("steps").EnumerateArray(), s => s.GetProperty("id").GetString() == "scale-orders-web-dr" && s.GetProperty("wave").GetInt32() >= 1);
            Assert.False(run.GetProperty("waves")[0].GetProperty("inferred").GetBoolean());
            Assert.Equal(new[] { "us-west-2" }, doc.RootElement.GetProperty("regions").EnumerateArray().Select(e => e.GetString()));

            // With the step errors merged into the pipeline (2>&1) the run is reported once and the errors are not refused.
            var merged = At("merged.html");
            var m = Run($"Invoke-DrFailover -Plan {plan} -Confirm:$false -EndpointUrl {aws.Url} {Keys} -JournalPath {journals} 2>&1 | Export-DrReport -Path {Quote(merged)}");
            Assert.True(m.Terminating == null && m.Errors.Count == 0, m.Describe());
            Assert.Single(System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(merged), "<section class=\"run\""));
        }

        [Fact]
        public void Plan_Last_reports_the_newest_runs_with_a_trend_and_RunId_finds_a_run_without_the_plan()
        {
            var journals = At("journals");
            var store = new RecoveryJournalStore(journals);
            foreach (var (id, day, minutes) in new[] { ("run-1", 1, 25), ("run-2", 2, 40), ("run-3", 3, 20) })
            {
                var start = ReportSamples.T0.AddDays(day);
                store.Save(new RecoveryJournal
                {
                    PlanName = "orders", RunId = id, Strategy = "PILOT_LIGHT", RtoTarget = TimeSpan.FromMinutes(30), Started = start,
                    Updated = start.AddMinutes(minutes), Finished = start.AddMinutes(minutes), State = RunState.Succeeded,
                    Steps = { new JournalStep { Id = "promote-db", Wave = 1, Status = StepStatus.Succeeded, Started = start, Finished = start.AddMinutes(minutes) } },
                });
            }
            var plan = At("plan.json");
            Ok(Run($"New-DrPlan -Strategy PILOT_LIGHT -Name orders -Path {Quote(plan)} | Out-Null"));
            var md = At("trend.md");
            var r = Run($"Export-DrReport -Plan {Quote(plan)} -Last 2 -JournalPath {Quote(journals)} -Path {Quote(md)} -TimeZone UTC");
            Ok(r);
            var text = File.ReadAllText(md);
            Assert.Contains("## Trend", text);
            Assert.Contains("RTO met in 1 of 2 runs", text);
            Assert.Contains("run-3", text);
            Assert.DoesNotContain("run-1", text);
            Assert.Contains("+00:00", text);
            // The note says why there is no caller identity: journals in a folder, and no credentials here.
            Assert.Contains("caller identity was not checked", text);

            var one = At("one.json");
            Ok(Run($"Export-DrReport -RunId run-1 -JournalPath {Quote(journals)} -Path {Quote(one)}"));
            Assert.Equal("run-1", JsonDocument.Parse(File.ReadAllText(one)).RootElement.GetProperty("runs")[0].GetProperty("runId").GetString());
            var missing = Run($"Export-DrReport -RunId no-such-run -JournalPath {Quote(journals)} -Path {Quote(At("none.json"))}");
            Assert.StartsWith("DrTools.NotFound", Assert.Single(missing.AllErrors).FullyQualifiedErrorId);
            Assert.False(File.Exists(At("none.json")));
        }

        [Fact]
        public async System.Threading.Tasks.Task Plan_Last_also_reports_the_plans_newest_drills_kept_beside_the_journals()
        {
            var journals = At("journals");
            var history = new DrTools.Core.Drills.DrillHistory(new RecoveryJournalStore(journals));
            foreach (var (id, day, passed) in new[] { ("drill-1", 1, true), ("drill-2", 2, false), ("drill-3", 3, true) })
            {
                var start = ReportSamples.T0.AddDays(day);
                await history.SaveAsync(new DrTools.Core.Drills.DrillResult
                {
                    Plan = "orders", RunId = id, Passed = passed, Started = start, Finished = start.AddMinutes(20),
                    AchievedRto = passed ? TimeSpan.FromMinutes(20) : null, RtoTarget = TimeSpan.FromMinutes(30), CleanedUp = true,
                }, default);
            }
            var plan = At("plan.json");
            Ok(Run($"New-DrPlan -Strategy PILOT_LIGHT -Name orders -Path {Quote(plan)} | Out-Null"));
            var json = At("drills.json");
            Ok(Run($"Export-DrReport -Plan {Quote(plan)} -Last 2 -JournalPath {Quote(journals)} -Path {Quote(json)}"));
            // Runs and drills share "runs" (oldest first); drills carry their details under "drill".
            var drills = JsonDocument.Parse(File.ReadAllText(json)).RootElement.GetProperty("runs").EnumerateArray()
                .Where(r => r.TryGetProperty("drill", out var d) && d.ValueKind == JsonValueKind.Object).ToList();
            Assert.Equal(new[] { "drill-2", "drill-3" }, drills.Select(d => d.GetProperty("runId").GetString()).ToArray());
            Assert.False(drills[0].GetProperty("drill").GetProperty("passed").GetBoolean());
        }

        [S3ServerFact]
        public async System.Threading.Tasks.Task Plan_Last_reads_the_runs_from_journals_in_S3()
        {
            var bucket = await S3Server.NewBucketAsync("report");
            try
            {
                var store = new RecoveryJournalStore(new Core.Backup.Storage.S3Store(new Core.Aws.S3.S3Service(new Core.Connection.AwsClientFactory(S3Server.Connection())), bucket, "dr/journals/",
                    new Core.Backup.Storage.S3StoreOptions { NoServerSideEncryption = true }));
                var start = ReportSamples.T0;
                store.Save(new RecoveryJournal
                {
                    PlanName = "orders", RunId = "s3-run", RtoTarget = TimeSpan.FromMinutes(30), Started = start, Updated = start.AddMinutes(12), Finished = start.AddMinutes(12),
                    State = RunState.Succeeded, Steps = { new JournalStep { Id = "promote-db", Wave = 1, Status = StepStatus.Succeeded, Started = start, Finished = start.AddMinutes(12) } },
                });
                var plan = At("plan.json");
                Ok(Run($"New-DrPlan -Strategy PILOT_LIGHT -Name orders -Path {Quote(plan)} | Out-Null"));
                var json = At("s3.json");
                var r = Run($"Export-DrReport -Plan {Quote(plan)} -JournalPath s3://{bucket}/dr/journals -Path {Quote(json)} " +
                            $"-Region us-east-1 -EndpointUrl {S3Server.Endpoint} -AccessKey {S3Server.AccessKey} -SecretKey {S3Server.SecretKey}");
                Ok(r);
                var run = JsonDocument.Parse(File.ReadAllText(json)).RootElement.GetProperty("runs").EnumerateArray().Single();
                Assert.Equal("s3-run", run.GetProperty("runId").GetString());
                Assert.True(run.GetProperty("rto").GetProperty("met").GetBoolean());
                Assert.DoesNotContain(S3Server.SecretKey, File.ReadAllText(json));
            }
            finally { await S3Server.DropBucketAsync(bucket); }
        }

        [Fact]
        public void Test_DrPlan_Live_piped_to_Export_DrReport_lists_every_check_with_ready_reason_and_region()
        {
            using var aws = new FakeAwsServer(q => q.Service == "sts" ? FakeAws.Healthy(q) : PlanCmdletTests.LiveAnswers(q, rdsDenied: false));
            var md = At("readiness.md");
            var r = Run($"Test-DrPlan -Plan {PlanCmdletTests.LivePlan} -Live -EndpointUrl {aws.Url} {Keys} -WarningAction SilentlyContinue | Export-DrReport -Path {Quote(md)} -EndpointUrl {aws.Url} {Keys}");
            Ok(r);
            var text = File.ReadAllText(md);
            Assert.Contains("## Readiness: 7 of 8 ready", text);
            Assert.Contains("| **NO** | orders | ElasticIp |", text);
            Assert.Contains("| us-west-2 |", text);
            // The identity was asked in the plan's DR region (no -Region, no default region).
            Assert.Equal("us-west-2", aws.Requests.Single(q => q.Action == "GetCallerIdentity").Region);
        }

        [Fact]
        public void Objects_that_are_not_reportable_are_a_non_terminating_error_each_and_nothing_reportable_writes_nothing()
        {
            var html = At("r.html");
            var r = Run($"$result, 'text', 42 | Export-DrReport -Path {Quote(html)}", Vars(("result", ReportSamples.Failover())));
            Assert.Null(r.Terminating);
            Assert.Equal(2, r.Errors.Count);
            Assert.All(r.Errors, e => Assert.StartsWith(ReportErrorIds.UnsupportedInput, e.FullyQualifiedErrorId));
            Assert.Equal("text", r.Errors[0].TargetObject);
            Assert.True(File.Exists(html));

            var none = Run($"'text' | Export-DrReport -Path {Quote(At("none.html"))}");
            Assert.Equal(new[] { ReportErrorIds.UnsupportedInput, ReportErrorIds.NothingToReport }, none.AllErrors.Select(e => e.FullyQualifiedErrorId.Split(',')[0]));
            Assert.False(File.Exists(At("none.html")));
        }

        [Fact]
        public void An_existing_report_needs_Force_and_WhatIf_writes_nothing()
        {
            var html = At("r.html");
            File.WriteAllText(html, "earlier report");
            var vars = Vars(("result", ReportSamples.Failover()));
            var r = Run($"$result | Export-DrReport -Path {Quote(html)}", vars);
            var exists = Assert.Single(r.AllErrors);
            Assert.StartsWith("DrTools.AlreadyExists", exists.FullyQualifiedErrorId);
            Assert.Contains("-Force", exists.ErrorDetails.RecommendedAction);
            Assert.Empty(r.Output);
            Assert.Equal("earlier report", File.ReadAllText(html));

            var whatIf = Run($"$result | Export-DrReport -Path {Quote(At("new.html"))} -WhatIf", vars);
            Ok(whatIf);
            Assert.Contains("What if:", whatIf.HostText);
            Assert.Contains("Write an HTML DR report of 1 recovery run", whatIf.HostText);
            Assert.Empty(whatIf.Output);
            Assert.False(File.Exists(At("new.html")));

            Ok(Run($"$result | Export-DrReport -Path {Quote(html)} -Force", vars));
            Assert.StartsWith("<!DOCTYPE html>", File.ReadAllText(html));
            Assert.Single(Directory.GetFiles(_root));
        }

        [Fact]
        public void No_secret_key_or_session_token_from_parameters_or_the_environment_reaches_any_format()
        {
            using var aws = new FakeAwsServer(FakeAws.Healthy);
            const string token = "IQoJb3JpZ2luX2VjEXAMPLEtokenFROMenv0123456789abcdef==";
            const string paramToken = "FwoGZXIvYXdzEXAMPLEtokenFROMparam9876543210==";
            // A step message that carries both, as a careless custom step might.
            var result = ReportSamples.Failover(succeeded: false);
            var steps = result.Steps.ToList();
            steps[0] = new StepResult { StepId = "promote-db", Status = StepStatus.Succeeded, Message = $"env {token} param {paramToken} key TopSecretValue42" };
            var leaky = new RecoveryResult { Plan = "orders", RunId = result.RunId, Started = result.Started, Finished = result.Finished, Steps = steps };
            var before = Environment.GetEnvironmentVariable("AWS_SESSION_TOKEN");
            Environment.SetEnvironmentVariable("AWS_SESSION_TOKEN", token);
            try
            {
                foreach (var ext in new[] { "html", "md", "json" })
                {
                    var path = At("r." + ext);
                    var r = Run($"$result | Export-DrReport -Path {Quote(path)} -Region us-west-2 -EndpointUrl {aws.Url} {Keys} -SessionToken {paramToken} -Verbose",
                        Vars(("result", leaky)));
                    Ok(r);
                    var everything = File.ReadAllText(path) + string.Join("\n", r.Verbose) + r.HostText;
                    Assert.DoesNotContain(token, everything);
                    Assert.DoesNotContain(paramToken, everything);
                    Assert.DoesNotContain("TopSecretValue42", everything);
                    Assert.Contains("secret removed", everything);
                }
            }
            finally { Environment.SetEnvironmentVariable("AWS_SESSION_TOKEN", before); }
        }

        [Fact]
        public void Redact_masks_account_ids_addresses_and_host_names_and_Open_without_a_desktop_only_warns()
        {
            var html = At("r.html");
            var r = Run($"$result | Export-DrReport -Path {Quote(html)} -Redact -Open", Vars(("result", ReportSamples.Failover(succeeded: false))));
            Assert.True(r.Terminating == null && r.Errors.Count == 0, r.Describe());
            Assert.IsType<FileInfo>(Assert.Single(r.Output).BaseObject);
            var page = File.ReadAllText(html);
            Assert.DoesNotContain("123456789012", page);
            Assert.DoesNotContain("10.20.1.15", page);
            Assert.DoesNotContain("orders.example.com", page);
            Assert.Contains("[account-1]", page);
            if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DISPLAY")) && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("WAYLAND_DISPLAY"))
                && !OperatingSystem.IsWindows() && !OperatingSystem.IsMacOS())
                Assert.Contains(r.Warnings, w => w.StartsWith("-Open: there is no desktop session", StringComparison.Ordinal) && w.Contains(html));
        }

        [Fact]
        public void An_unknown_time_zone_is_an_invalid_parameter_and_nothing_is_written()
        {
            var r = Run($"$result | Export-DrReport -Path {Quote(At("r.html"))} -TimeZone Mars/Olympus", Vars(("result", ReportSamples.Failover())));
            var e = Assert.Single(r.AllErrors);
            Assert.StartsWith("DrTools.InvalidParameter", e.FullyQualifiedErrorId);
            Assert.Contains("Get-TimeZone -ListAvailable", e.ErrorDetails.RecommendedAction);
            Assert.False(File.Exists(At("r.html")));
        }
    }
}
