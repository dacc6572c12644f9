using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading;
using DrTools.Core.Reports;
using DrTools.TestSupport;
using Xunit;

namespace DrTools.Core.Tests.Reports
{
    public class ReportRenderTests
    {
        // Not [CallerFilePath]: CI builds are deterministic and map source paths to /_/.
        static string GoldenDir() => Path.Combine(DrTools.Core.Tests.Plans.PlanExamplesTests.RepoRoot(), "tests", "DrTools.Core.Tests", "Reports", "Golden");

        /// <summary>
        /// Compares with the golden file; DRTOOLS_UPDATE_GOLDEN=1 rewrites it instead (then review the diff and commit it).
        /// Rendered under a culture with comma decimals, so nothing may depend on the machine's culture.
        /// </summary>
        static void Golden(string name, Func<DrReport, string> render)
        {
            var culture = CultureInfo.CurrentCulture;
            CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = new CultureInfo("de-DE");
            string text;
            try { text = render(ReportBuilder.Build(ReportSamples.Everything(), ReportSamples.Options())); }
            finally { CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = culture; }
            var path = Path.Combine(GoldenDir(), name);
            if (Environment.GetEnvironmentVariable("DRTOOLS_UPDATE_GOLDEN") == "1")
            {
                Directory.CreateDirectory(GoldenDir());
                File.WriteAllText(path, text);
            }
            Assert.True(File.Exists(path), $"No golden file {path}: run with DRTOOLS_UPDATE_GOLDEN=1 once and review it.");
            Assert.Equal(File.ReadAllText(path).Replace("\r\n", "\n"), text);
        }

        [Fact]
        public void Markdown_matches_the_golden_file() => Golden("report.md", MarkdownReportRenderer.Render);

        [Fact]
        public void Json_matches_the_golden_file() => Golden("report.json", JsonReportRenderer.Render);

        [Fact]
        public void Json_has_the_schema_version_seconds_and_times_with_offsets()
        {
            var report = ReportBuilder.Build(ReportSamples.Everything(), ReportSamples.Options());
            using var doc = JsonDocument.Parse(JsonReportRenderer.Render(report));
            var root = doc.RootElement;
            Assert.Equal(DrReport.CurrentSchemaVersion, root.GetProperty("schemaVersion").GetInt32());
            var run = root.GetProperty("runs").EnumerateArray().First(r => r.GetProperty("runId").GetString() == "20260314T020000Z-a1b2c3");
            Assert.Equal(1140, run.GetProperty("rto").GetProperty("achievedSeconds").GetDouble());
            Assert.Equal(1800, run.GetProperty("rto").GetProperty("targetSeconds").GetDouble());
            Assert.False(run.GetProperty("rto").GetProperty("met").GetBoolean());
            Assert.Equal("2026-03-14T04:00:00.000+02:00", run.GetProperty("started").GetString());
            var dns = run.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("id").GetString() == "change-dns");
            Assert.Equal("Failed", dns.GetProperty("status").GetString());
            Assert.Equal(1020, dns.GetProperty("offsetSeconds").GetDouble());
        }

        [Fact]
        public void Every_json_property_is_documented_in_the_report_schema()
        {
            var report = ReportBuilder.Build(ReportSamples.Everything(), ReportSamples.Options());
            var schema = File.ReadAllText(Path.Combine(PsHarness.RepoRoot, "docs", "report-schema.md"));
            var names = new System.Collections.Generic.SortedSet<string>(StringComparer.Ordinal);
            void Walk(JsonElement e)
            {
                if (e.ValueKind == JsonValueKind.Object)
                    foreach (var p in e.EnumerateObject()) { names.Add(p.Name); Walk(p.Value); }
                else if (e.ValueKind == JsonValueKind.Array)
                    foreach (var i in e.EnumerateArray()) Walk(i);
            }
            using var doc = JsonDocument.Parse(JsonReportRenderer.Render(report));
            Walk(doc.RootElement);
            Assert.Contains("marker", names);
            var undocumented = string.Join(", ", names.Where(n => !schema.Contains("`" + n + "`", StringComparison.Ordinal)));
            Assert.True(undocumented.Length == 0, "Not in docs/report-schema.md: " + undocumented);
        }

        [Fact]
        public void Html_is_self_contained_with_no_script_no_external_url_and_no_resource_reference()
        {
            var html = HtmlReportRenderer.Render(ReportBuilder.Build(ReportSamples.Everything(), ReportSamples.Options()));
            Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotMatch(new Regex(@"(?i)\b(src|href|xlink:href|action|srcset|poster|data)\s*="), html);
            Assert.DoesNotMatch(new Regex(@"(?i)url\s*\(|@import|@font-face"), html);
            // The only "://" is in the text of the sample drill's validation name (shown as text, never a link).
            Assert.DoesNotContain("://", html.Replace("GET https://10.20.9.9/health", ""));
            Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("<iframe", html, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("prefers-color-scheme:dark", html);
            Assert.Contains("@media print", html);
        }

        [Fact]
        public void Html_has_one_timeline_bar_per_step_failed_steps_marked_in_words_and_the_figures_of_the_result()
        {
            var result = ReportSamples.Failover(succeeded: false);
            var inputs = new ReportInputs();
            inputs.Recoveries.Add(result);
            var html = HtmlReportRenderer.Render(ReportBuilder.Build(inputs, ReportSamples.Options()));
            Assert.Equal(result.Steps.Count, Regex.Matches(html, "<rect class=\"bar ").Count);
            Assert.Single(Regex.Matches(html, "<rect class=\"bar failed\" data-step=\"change-dns\""));
            Assert.Contains("\u2717 FAILED", html.Replace("&#10007;", "\u2717"));
            Assert.Contains($"data-figure=\"rto-achieved\" data-seconds=\"{result.AchievedRto.TotalSeconds}\"", html);
            Assert.Contains($"data-figure=\"rto-target\" data-seconds=\"{result.RtoTarget!.Value.TotalSeconds}\"", html);
            Assert.Contains("role=\"img\"", html);
            Assert.Contains("<desc id=\"run1-td\">", html);
            Assert.Contains("<th scope=\"col\">", html);
        }

        [Fact]
        public void Text_from_results_is_escaped_in_HTML_and_Markdown()
        {
            var inputs = new ReportInputs();
            inputs.Recoveries.Add(ReportSamples.Failover());
            inputs.Readiness.Add(new Core.Plans.Readiness.ReadinessCheck { Plan = "orders", Check = "X", Resource = "<img src=x onerror=alert(1)>", Region = "us-west-2", Reason = "a | b", CheckedAt = ReportSamples.Now });
            var report = ReportBuilder.Build(inputs, ReportSamples.Options());
            var html = HtmlReportRenderer.Render(report);
            Assert.DoesNotContain("<img src=x", html);
            Assert.Contains("&lt;img src=x onerror=alert(1)&gt;", html);
            Assert.Contains("a \\| b", MarkdownReportRenderer.Render(report));
        }

        [Fact]
        public void No_secret_from_the_options_or_the_environment_appears_in_any_format()
        {
            const string token = "IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKENvalue0123456789==";
            const string secretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
            var result = ReportSamples.Failover(succeeded: false);
            // A message that carried the secrets (as a careless step might) and the token in the environment.
            var steps = result.Steps.ToList();
            steps[0] = new DrTools.Core.Recovery.Engine.StepResult { StepId = "promote-db", Status = DrTools.Core.Recovery.Engine.StepStatus.Succeeded, Message = $"used {secretKey} and {token}" };
            var leaky = new DrTools.Core.Recovery.Engine.RecoveryResult { Plan = result.Plan, RunId = result.RunId, Started = result.Started, Finished = result.Finished, Steps = steps };
            var inputs = new ReportInputs();
            inputs.Recoveries.Add(leaky);
            var options = ReportSamples.Options();
            options.Secrets.Add(secretKey);
            var before = Environment.GetEnvironmentVariable("AWS_SESSION_TOKEN");
            Environment.SetEnvironmentVariable("AWS_SESSION_TOKEN", token);
            try
            {
                var report = ReportBuilder.Build(inputs, options);
                foreach (var format in Enum.GetValues<ReportFormat>())
                {
                    var text = ReportFile.Render(report, format);
                    Assert.DoesNotContain(token, text);
                    Assert.DoesNotContain(secretKey, text);
                    Assert.Contains("[secret removed]", text.Replace("\\[", "[").Replace("\\]", "]"));
                }
            }
            finally { Environment.SetEnvironmentVariable("AWS_SESSION_TOKEN", before); }
        }

        [Fact]
        public void Durations_and_times_read_the_same_in_every_culture()
        {
            Assert.Equal("45s", ReportText.Duration(TimeSpan.FromSeconds(45)));
            Assert.Equal("2.5s", ReportText.Duration(TimeSpan.FromSeconds(2.5)));
            Assert.Equal("12m 30s", ReportText.Duration(TimeSpan.FromSeconds(750)));
            Assert.Equal("1h 02m 03s", ReportText.Duration(new TimeSpan(1, 2, 3)));
            Assert.Equal("2d 03h 10m", ReportText.Duration(new TimeSpan(2, 3, 10, 0)));
            Assert.Equal("-14m 00s", ReportText.Duration(TimeSpan.FromMinutes(-14)));
            Assert.Equal("1.5 GiB", ReportText.Size(3L << 29));
            Assert.Equal("2026-03-14 04:00:00 +02:00", ReportText.Time(TimeZoneInfo.ConvertTime(ReportSamples.T0, ReportSamples.Zone)));
            Assert.Equal("UTC+02:00 (Test/Plus2)", ReportText.Zone(ReportSamples.Zone, ReportSamples.T0));
            Assert.Equal("UTC", ReportText.Zone(TimeZoneInfo.Utc, ReportSamples.T0));
        }
    }
}
