using System;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using DrTools.Core.Recovery.Engine;
using DrTools.Core.Reports;
using DrTools.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace DrTools.Core.Tests.Reports
{
    /// <summary>
    /// The HTML report in a real headless Chromium (Debian's package): it loads with no console error and no network
    /// request, has one timeline bar per step, marks failed steps in words, shows the result's figures, and prints on A4
    /// without horizontal overflow. Screenshots go to out/TestResults/report-browser/.
    /// </summary>
    public class HtmlReportBrowserTests
    {
        readonly ITestOutputHelper _out;
        public HtmlReportBrowserTests(ITestOutputHelper output) => _out = output;

        static string Artifacts => Path.Combine(PsHarness.RepoRoot, "out", "TestResults", "report-browser");

        /// <summary>A4 (210 mm) less the page margins of 12 mm each side, in CSS pixels (96 per inch).</summary>
        const int A4PrintableWidth = (int)((210 - 24) / 25.4 * 96);

        static string Write(string name, DrReport report)
        {
            Directory.CreateDirectory(Artifacts);
            var path = Path.Combine(Artifacts, name);
            ReportFile.WriteAtomic(path, HtmlReportRenderer.Render(report), overwrite: true);
            return path;
        }

        static int Int(JsonNode? n) => (int)n!.GetValue<double>();

        [ChromiumFact]
        public void The_report_loads_offline_with_every_step_on_the_timeline_failed_steps_marked_and_the_results_figures()
        {
            var inputs = ReportSamples.Everything();
            var report = ReportBuilder.Build(inputs, ReportSamples.Options());
            var path = Write("everything.html", report);
            using var browser = HeadlessChromium.Start();
            browser.SetViewport(1280, 900);
            browser.Open(path);

            Assert.True(browser.ConsoleErrors.Count == 0, string.Join("\n", browser.ConsoleErrors));
            var pageUrl = new Uri(path).AbsoluteUri;
            Assert.True(browser.Requests.All(u => u == pageUrl), "Requests besides the page: " + string.Join(", ", browser.Requests.Where(u => u != pageUrl)));
            Assert.Equal(0, Int(browser.Evaluate("document.scripts.length")));

            var recoveries = inputs.Recoveries.Select(r => (r.RunId, Steps: r.Steps.ToList(), r.AchievedRto, r.RtoTarget, r.RtoMet))
                .Concat(inputs.Drills.Select(d => (d.RunId, Steps: d.Steps.ToList(), d.AchievedRto, d.RtoTarget, d.RtoMet)));
            foreach (var run in recoveries)
            {
                var section = $"document.querySelector('section.run[data-run=\"{run.RunId}\"]')";
                Assert.Equal(run.Steps.Count, Int(browser.Evaluate($"{section}.querySelectorAll('svg.timeline rect.bar').length")));
                // Every step has its bar, by id; failed ones (and only those) are marked failed, in the chart and in words in the table.
                foreach (var step in run.Steps)
                {
                    var bar = $"{section}.querySelector('svg.timeline rect.bar[data-step=\"{step.StepId}\"]')";
                    Assert.Equal(step.Status.ToString(), browser.Evaluate($"{bar}.getAttribute('data-status')")!.GetValue<string>());
                    Assert.Equal(step.Status == StepStatus.Failed, browser.Evaluate($"{bar}.classList.contains('failed')")!.GetValue<bool>());
                    var rowText = browser.Evaluate($"{section}.querySelector('table.steps tr[data-step=\"{step.StepId}\"]').innerText")!.GetValue<string>();
                    Assert.Equal(step.Status == StepStatus.Failed, rowText.Contains("FAILED", StringComparison.Ordinal));
                    if (step.Status == StepStatus.Failed && step.ErrorId != null) Assert.Contains(step.ErrorId, rowText);
                }
                // The figures are the result's, in seconds, and the verdict is said in words.
                Assert.Equal(run.AchievedRto.TotalSeconds, double.Parse(browser.Evaluate($"{section}.querySelector('[data-figure=\"rto-achieved\"]').dataset.seconds")!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture));
                Assert.Equal(run.RtoTarget!.Value.TotalSeconds, double.Parse(browser.Evaluate($"{section}.querySelector('[data-figure=\"rto-target\"]').dataset.seconds")!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture));
                var verdict = browser.Evaluate($"{section}.querySelector('[data-figure=\"rto-met\"]').innerText")!.GetValue<string>();
                var expectedMet = run.RtoMet ?? false;
                Assert.Contains(expectedMet ? "met" : "MISSED", verdict);
            }
            Assert.Equal(report.Readiness.Count(c => c.Ready), Int(browser.Evaluate("Number(document.querySelector('[data-figure=\"ready-count\"]').innerText)")));
            // Every chart has a text alternative, every table has headers.
            Assert.Equal(0, Int(browser.Evaluate("[...document.querySelectorAll('svg')].filter(s => s.getAttribute('role') !== 'img' || !(s.querySelector('title') || s.getAttribute('aria-label'))).length")));
            Assert.Equal(0, Int(browser.Evaluate("[...document.querySelectorAll('table')].filter(t => !t.querySelector('thead th[scope=col]')).length")));
            browser.Screenshot(Path.Combine(Artifacts, "everything-light.png"));
            browser.EmulateMedia("screen", dark: true);
            Assert.Equal("rgb(13, 17, 23)", browser.Evaluate("getComputedStyle(document.body).backgroundColor")!.GetValue<string>());
            browser.Screenshot(Path.Combine(Artifacts, "everything-dark.png"));
            _out.WriteLine("Screenshots in " + Artifacts);
        }

        [ChromiumFact]
        public void The_print_layout_fits_an_A4_page_width_without_horizontal_overflow()
        {
            var path = Write("print.html", ReportBuilder.Build(ReportSamples.Everything(), ReportSamples.Options()));
            using var browser = HeadlessChromium.Start();
            browser.SetViewport(A4PrintableWidth, 1100);
            browser.EmulateMedia("print", dark: true);
            browser.Open(path);
            var overflow = browser.Evaluate(
                "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)" +
                ".map(e => e.tagName + '.' + e.className.baseVal + e.className + ' ' + Math.round(e.getBoundingClientRect().right)).slice(0, 10).join('; ')")!.GetValue<string>();
            Assert.True(overflow.Length == 0, $"Elements wider than the A4 printable width ({A4PrintableWidth}px): {overflow}");
            Assert.True(Int(browser.Evaluate("document.documentElement.scrollWidth")) <= A4PrintableWidth);
            // Printing forces light colours whatever the viewer's scheme: black text on white paper.
            Assert.Equal("rgb(255, 255, 255)", browser.Evaluate("getComputedStyle(document.body).backgroundColor")!.GetValue<string>());
            // The timeline scales down to the page rather than being cut off.
            Assert.True(browser.Evaluate("[...document.querySelectorAll('svg.timeline')].every(s => s.getBoundingClientRect().width <= window.innerWidth)")!.GetValue<bool>());
            browser.Screenshot(Path.Combine(Artifacts, "print-a4.png"));
            var pdf = browser.PrintToPdf(8.27, 11.69);
            Assert.True(pdf.Length > 1000 && pdf[0] == (byte)'%' && pdf[1] == (byte)'P');
            File.WriteAllBytes(Path.Combine(Artifacts, "print-a4.pdf"), pdf);
            var letter = browser.PrintToPdf(8.5, 11);
            File.WriteAllBytes(Path.Combine(Artifacts, "print-letter.pdf"), letter);
        }

        /// <summary>
        /// The README's screenshot: a report of a sample failover, as `Invoke-DrFailover ... | Export-DrReport -Path failover.html` writes it.
        /// DRTOOLS_UPDATE_DOCS_SCREENSHOT=1 also writes it to docs/images/report.png.
        /// </summary>
        [ChromiumFact]
        public void Screenshot_of_a_failover_report_for_the_README()
        {
            var inputs = new ReportInputs();
            inputs.Recoveries.Add(ReportSamples.Failover());
            var options = ReportSamples.Options();
            options.TimeZone = TimeZoneInfo.Utc;
            var path = Write("failover.html", ReportBuilder.Build(inputs, options));
            using var browser = HeadlessChromium.Start();
            browser.SetViewport(1000, 900);
            browser.Open(path);
            Assert.True(browser.ConsoleErrors.Count == 0, string.Join("\n", browser.ConsoleErrors));
            var png = Path.Combine(Artifacts, "failover.png");
            browser.Screenshot(png, wholePage: false);
            Assert.True(new FileInfo(png).Length > 10_000);
            if (Environment.GetEnvironmentVariable("DRTOOLS_UPDATE_DOCS_SCREENSHOT") == "1")
                File.Copy(png, Path.Combine(PsHarness.RepoRoot, "docs", "images", "report.png"), overwrite: true);
        }
    }
}
