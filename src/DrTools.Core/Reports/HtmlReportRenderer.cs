using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Text;

namespace DrTools.Core.Reports
{
    /// <summary>
    /// The report as one self-contained HTML page: inline CSS and SVG, no script, no font and no URL from anywhere
    /// (it must open on an air-gapped jump box and attach to a ticket). Light and dark by prefers-color-scheme,
    /// printable on A4 or Letter (the SVG timeline scales to the page width, tables wrap), accessible: headings,
    /// table headers, text alternatives for every chart, and pass/fail always said in words and symbols, not colour alone.
    /// Elements carry data-* attributes (data-step, data-status, data-figure, data-seconds) so tests can read the figures.
    /// </summary>
    public static class HtmlReportRenderer
    {
        static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
        const double ChartLeft = 300, ChartRight = 985, Row = 22, WaveRow = 20, AxisTop = 26;

        public static string Render(DrReport r)
        {
            var h = new StringBuilder(32 * 1024);
            h.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
             .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
             .Append("<meta name=\"color-scheme\" content=\"light dark\">\n")
             .Append("<meta name=\"generator\" content=\"DrTools ").Append(E(r.ToolVersion)).Append("\">\n")
             .Append("<title>").Append(E(r.Title)).Append("</title>\n<style>").Append(Css).Append("</style>\n</head>\n<body>\n");

            var passed = r.Result == "Passed";
            h.Append("<header>\n<h1>").Append(E(r.Title)).Append("</h1>\n")
             .Append("<p class=\"result ").Append(passed ? "ok" : "bad").Append("\" data-figure=\"result\">")
             .Append(passed ? "<span aria-hidden=\"true\">&#10003;</span> PASSED" : "<span aria-hidden=\"true\">&#10007;</span> FAILED").Append("</p>\n");
            if (r.Problems.Count > 0)
            {
                h.Append("<ul class=\"problems\" aria-label=\"Problems\">\n");
                foreach (var p in r.Problems) h.Append("<li>").Append(E(p)).Append("</li>\n");
                h.Append("</ul>\n");
            }
            h.Append("<dl class=\"facts\">\n");
            Fact(h, "Plan", string.Join(", ", r.Plans));
            Fact(h, "Strategy", string.Join(", ", r.Strategies));
            Fact(h, "Regions", string.Join(", ", r.Regions));
            Fact(h, "Run by", r.RanBy.OsUser + (r.RanBy.Machine != null ? "@" + r.RanBy.Machine : ""));
            Fact(h, "AWS caller", r.RanBy.Arn ?? (r.RanBy.Account != null ? "account " + r.RanBy.Account : "not checked (see notes)"));
            Fact(h, "Generated", ReportText.Time(r.Generated) + " (" + r.TimeZone + ")");
            Fact(h, "DrTools", r.ToolVersion);
            if (r.Redacted) Fact(h, "Redacted", "account ids, IP addresses and host names are masked");
            h.Append("</dl>\n</header>\n<main>\n");

            var runIndex = 0;
            foreach (var run in r.Runs) Run(h, run, ++runIndex);
            if (r.Trends.Count > 0) Trends(h, r.Trends);
            if (r.Readiness.Count > 0) Readiness(h, r.Readiness);
            if (r.Backups.Count > 0) Backups(h, r.Backups);
            if (r.RestoreTests.Count > 0) RestoreTests(h, r.RestoreTests);
            if (r.Notes.Count > 0)
            {
                h.Append("<section aria-labelledby=\"notes\">\n<h2 id=\"notes\">Notes</h2>\n<ul>\n");
                foreach (var n in r.Notes) h.Append("<li>").Append(E(n)).Append("</li>\n");
                h.Append("</ul>\n</section>\n");
            }
            h.Append("</main>\n<footer>Made by DrTools ").Append(E(r.ToolVersion)).Append(" on ").Append(E(ReportText.Time(r.Generated)))
             .Append(". Times are ").Append(E(r.TimeZone)).Append(".</footer>\n</body>\n</html>\n");
            return h.ToString();
        }

        static void Run(StringBuilder h, ReportRun run, int index)
        {
            var id = "run" + index;
            var ok = run.Outcome == "Succeeded";
            h.Append("<section class=\"run\" id=\"").Append(id).Append("\" aria-labelledby=\"").Append(id).Append("-h\" data-run=\"").Append(E(run.RunId)).Append("\">\n")
             .Append("<h2 id=\"").Append(id).Append("-h\">").Append(run.Kind).Append(' ').Append(E(run.RunId)).Append(": <span class=\"").Append(ok ? "ok" : "bad").Append("\">")
             .Append(ok ? "&#10003; " : "&#10007; ").Append(E(run.Outcome.ToUpperInvariant())).Append("</span></h2>\n<dl class=\"facts\">\n");
            Fact(h, "Plan", run.Plan + (run.Strategy != null ? " (" + run.Strategy + ")" : "") + (run.Scenario != null ? ", scenario " + run.Scenario : ""));
            Fact(h, "Regions", string.Join(", ", run.Regions));
            Fact(h, "Started", ReportText.Time(run.Started));
            Fact(h, "Finished", run.Finished is { } f ? ReportText.Time(f) : "not yet (the journal shows it running)");
            Fact(h, "Attempt", run.Attempt.ToString(Inv));
            Fact(h, "Steps", run.Summary);
            h.Append("</dl>\n<div class=\"gauges\">\n");
            Gauge(h, "RTO", "rto", run.Rto, "recovery time");
            if (run.Rpo.Achieved != null || run.Kind == "Drill") Gauge(h, "RPO", "rpo", run.Rpo, "age of the restored data");
            h.Append("</div>\n");
            Timeline(h, run, id);
            StepTable(h, run, id);
            if (run.Drill is { } d) Drill(h, d, id);
            h.Append("</section>\n");
        }

        /// <summary>A figure against its target: the numbers in words, and a bar with the target marked.</summary>
        static void Gauge(StringBuilder h, string name, string key, ReportMeasure m, string what)
        {
            var state = m.Met switch { true => "ok", false => "bad", null => "none" };
            var words = m.Met switch { true => "&#10003; met", false => "&#10007; MISSED", null => m.Achieved == null ? "not measured" : "no target" };
            h.Append("<div class=\"gauge ").Append(state).Append("\" data-figure=\"").Append(key).Append("\">\n<h3>").Append(name).Append("</h3>\n<p class=\"figure\">")
             .Append("<span data-figure=\"").Append(key).Append("-achieved\" data-seconds=\"").Append(Sec(m.Achieved)).Append("\">").Append(E(m.Achieved is { } a ? ReportText.Duration(a) : "n/a")).Append("</span>")
             .Append(" of <span data-figure=\"").Append(key).Append("-target\" data-seconds=\"").Append(Sec(m.Target)).Append("\">").Append(E(m.Target is { } t ? ReportText.Duration(t) : "no target")).Append("</span>")
             .Append(" <strong class=\"verdict\" data-figure=\"").Append(key).Append("-met\" data-met=\"").Append(m.Met is { } met ? (met ? "true" : "false") : "").Append("\">").Append(words).Append("</strong></p>\n");
            if (m.Achieved is { } achieved)
            {
                var max = Math.Max(achieved.TotalSeconds, m.Target?.TotalSeconds ?? 0) * 1.15;
                if (max <= 0) max = 1;
                var w = achieved.TotalSeconds / max * 280;
                var label = $"{name} {what}: {ReportText.Measure(m)}";
                h.Append("<svg class=\"bar-gauge\" viewBox=\"0 0 300 26\" width=\"300\" height=\"26\" role=\"img\" aria-label=\"").Append(E(label)).Append("\">")
                 .Append("<title>").Append(E(label)).Append("</title>")
                 .Append("<rect class=\"track\" x=\"10\" y=\"6\" width=\"280\" height=\"14\" rx=\"3\"/>")
                 .Append("<rect class=\"fill ").Append(state).Append("\" x=\"10\" y=\"6\" width=\"").Append(N(Math.Max(w, 1))).Append("\" height=\"14\" rx=\"3\"/>");
                if (m.Target is { } target)
                {
                    var x = 10 + target.TotalSeconds / max * 280;
                    h.Append("<line class=\"target\" x1=\"").Append(N(x)).Append("\" x2=\"").Append(N(x)).Append("\" y1=\"1\" y2=\"25\"/>");
                }
                h.Append("</svg>\n");
            }
            h.Append("</div>\n");
        }

        /// <summary>The Gantt chart: a row per step, grouped by wave, each bar placed on the run's time scale.</summary>
        static void Timeline(StringBuilder h, ReportRun run, string id)
        {
            var total = Math.Max(run.Duration.TotalSeconds, 0.001);
            var scale = (ChartRight - ChartLeft) / total;
            var height = AxisTop + run.Waves.Count * WaveRow + run.Steps.Count * Row + 8;
            var failed = run.Steps.Count(s => s.Status == "Failed");
            var desc = $"{run.Steps.Count} steps in {run.Waves.Count} waves over {ReportText.Duration(run.Duration)}; {run.Summary}." +
                       (failed > 0 ? " Failed: " + string.Join(", ", run.Steps.Where(s => s.Status == "Failed").Select(s => s.Id)) + "." : "") +
                       " The steps table below has every step's times.";
            h.Append("<h3 id=\"").Append(id).Append("-tl\">Timeline</h3>\n<figure class=\"timeline\">\n")
             .Append("<svg class=\"timeline\" viewBox=\"0 0 1000 ").Append(N(height)).Append("\" role=\"img\" aria-labelledby=\"").Append(id).Append("-tt ").Append(id).Append("-td\" preserveAspectRatio=\"xMinYMin meet\">\n")
             .Append("<title id=\"").Append(id).Append("-tt\">Timeline of ").Append(E(run.Kind.ToLowerInvariant())).Append(' ').Append(E(run.RunId)).Append("</title>\n")
             .Append("<desc id=\"").Append(id).Append("-td\">").Append(E(desc)).Append("</desc>\n");
            // Axis: start, quarters, end.
            for (var q = 0; q <= 4; q++)
            {
                var x = ChartLeft + (ChartRight - ChartLeft) * q / 4;
                h.Append("<line class=\"grid\" x1=\"").Append(N(x)).Append("\" x2=\"").Append(N(x)).Append("\" y1=\"").Append(N(AxisTop - 6)).Append("\" y2=\"").Append(N(height - 4)).Append("\"/>")
                 .Append("<text class=\"axis\" x=\"").Append(N(x)).Append("\" y=\"14\" text-anchor=\"").Append(q == 0 ? "start" : q == 4 ? "end" : "middle").Append("\">")
                 .Append(q == 0 ? "0" : "+" + E(ReportText.Duration(TimeSpan.FromSeconds(total * q / 4)))).Append("</text>\n");
            }
            var y = AxisTop;
            foreach (var wave in run.Waves)
            {
                h.Append("<text class=\"wave\" x=\"4\" y=\"").Append(N(y + 14)).Append("\">Wave ").Append(wave.Number)
                 .Append(wave.Inferred ? " (inferred)" : "").Append(wave.Duration is { } wd ? " \u2013 " + E(ReportText.Duration(wd)) : "").Append("</text>\n");
                y += WaveRow;
                foreach (var s in run.Steps.Where(s => s.Wave == wave.Number))
                {
                    var cls = StatusClass(s);
                    var label = Symbol(s) + " " + (s.Id.Length > 34 ? s.Id.Substring(0, 33) + "\u2026" : s.Id);
                    h.Append("<g class=\"step ").Append(cls).Append("\" data-step=\"").Append(E(s.Id)).Append("\" data-status=\"").Append(s.Status).Append("\">")
                     .Append("<title>").Append(E($"{s.Id}: {StatusWord(s)}" + (s.Duration is { } dd ? ", " + ReportText.Duration(dd) : "") + (s.Message != null ? " \u2013 " + s.Message : ""))).Append("</title>")
                     .Append("<text class=\"label\" x=\"16\" y=\"").Append(N(y + 15)).Append("\">").Append(E(label)).Append("</text>");
                    double bx, bw;
                    if (s.Offset is { } off)
                    {
                        bx = ChartLeft + Math.Max(0, off.TotalSeconds) * scale;
                        bw = Math.Max(3, (s.Duration?.TotalSeconds ?? (total - off.TotalSeconds)) * scale);
                        if (bx + bw > ChartRight) bw = Math.Max(3, ChartRight - bx);
                        if (bx > ChartRight - 3) bx = ChartRight - 3;
                    }
                    else
                    {
                        // Never started: an outlined marker at the end of the run.
                        bx = ChartRight - 60;
                        bw = 60;
                    }
                    h.Append("<rect class=\"bar ").Append(cls).Append("\" data-step=\"").Append(E(s.Id)).Append("\" data-status=\"").Append(s.Status)
                     .Append("\" x=\"").Append(N(bx)).Append("\" y=\"").Append(N(y + 4)).Append("\" width=\"").Append(N(bw)).Append("\" height=\"").Append(N(Row - 8)).Append("\" rx=\"2\"/>");
                    // The status in words beside the bar (inside the chart when the bar ends near the edge).
                    var word = StatusWord(s) + (s.Duration is { } d2 && s.Status != "NotStarted" ? " " + ReportText.Duration(d2) : "");
                    var tx = bx + bw + 4;
                    var anchor = "start";
                    if (tx > ChartRight - 110) { tx = bx - 4; anchor = "end"; }
                    h.Append("<text class=\"status\" x=\"").Append(N(tx)).Append("\" y=\"").Append(N(y + 15)).Append("\" text-anchor=\"").Append(anchor).Append("\">").Append(E(word)).Append("</text>");
                    h.Append("</g>\n");
                    y += Row;
                }
            }
            h.Append("</svg>\n<figcaption>")
             .Append("<span class=\"key succeeded\">&#10003; succeeded</span> <span class=\"key skipped\">= skipped (already done)</span> ")
             .Append("<span class=\"key failed\">&#10007; failed</span> <span class=\"key cancelled\">&#8856; cancelled</span> ")
             .Append("<span class=\"key approval\">&#9670; approval</span> <span class=\"key wait\">&#9684; wait</span> <span class=\"key notstarted\">&#9675; not started</span>")
             .Append("</figcaption>\n</figure>\n");
        }

        static void StepTable(StringBuilder h, ReportRun run, string id)
        {
            h.Append("<table class=\"steps\">\n<caption>Steps of ").Append(E(run.RunId)).Append(", by wave</caption>\n<thead><tr>")
             .Append("<th scope=\"col\">Wave</th><th scope=\"col\">Step</th><th scope=\"col\">Status</th><th scope=\"col\">Start</th><th scope=\"col\">Duration</th>")
             .Append("<th scope=\"col\">Resources</th><th scope=\"col\">Outcome</th></tr></thead>\n<tbody>\n");
            foreach (var s in run.Steps)
            {
                h.Append("<tr class=\"").Append(StatusClass(s)).Append("\" data-step=\"").Append(E(s.Id)).Append("\" data-status=\"").Append(s.Status).Append("\">")
                 .Append("<td>").Append(s.Wave).Append("</td>")
                 .Append("<th scope=\"row\"><code>").Append(E(s.Id)).Append("</code><br><span class=\"desc\">").Append(E(s.Description)).Append("</span>")
                 .Append(s.Marker != null ? "<br><span class=\"marker\">" + E(s.Marker.ToLowerInvariant()) + "</span>" : "").Append("</th>")
                 .Append("<td class=\"st\">").Append(Symbol(s)).Append(' ').Append(E(StatusWord(s))).Append(s.Attempts > 1 ? $" ({s.Attempts} attempts)" : "").Append("</td>")
                 .Append("<td>").Append(s.Started is { } st ? E(ReportText.Clock(st)) + (s.Offset is { } o ? " <span class=\"dim\">(+" + E(ReportText.Duration(o)) + ")</span>" : "") : "").Append("</td>")
                 .Append("<td data-seconds=\"").Append(Sec(s.Duration)).Append("\">").Append(E(ReportText.Duration(s.Duration))).Append("</td><td>");
                foreach (var res in s.Resources) h.Append(E(res)).Append("<br>");
                if (s.ResourceIds.Count > 0) h.Append("<span class=\"ids\">").Append(E(string.Join(", ", s.ResourceIds))).Append("</span>");
                h.Append("</td><td>").Append(E(s.Message ?? "")).Append(s.ErrorId != null ? " <code class=\"err\">" + E(s.ErrorId) + "</code>" : "").Append("</td></tr>\n");
            }
            h.Append("</tbody>\n</table>\n");
        }

        static void Drill(StringBuilder h, ReportDrillDetails d, string id)
        {
            h.Append("<h3>Drill: ").Append(d.Passed ? "<span class=\"ok\">&#10003; passed</span>" : "<span class=\"bad\">&#10007; FAILED</span>")
             .Append(d.StopReason != null ? ", stopped: " + E(d.StopReason) : "").Append("</h3>\n");
            if (d.Rpo.Count > 0)
            {
                h.Append("<table class=\"drill-rpo\">\n<caption>Data age per component</caption>\n<thead><tr><th scope=\"col\">Component</th><th scope=\"col\">Source</th>")
                 .Append("<th scope=\"col\">Data time</th><th scope=\"col\">Age</th><th scope=\"col\">RPO</th></tr></thead>\n<tbody>\n");
                foreach (var c in d.Rpo)
                    h.Append("<tr><th scope=\"row\">").Append(E(c.Component)).Append("</th><td>").Append(E(c.Source)).Append("</td><td>").Append(E(ReportText.Time(c.DataTime)))
                     .Append("</td><td data-seconds=\"").Append(Sec(c.Age)).Append("\">").Append(E(ReportText.Duration(c.Age))).Append("</td><td class=\"").Append(MetClass(c.Met)).Append("\">").Append(MetWords(c.Met)).Append("</td></tr>\n");
                h.Append("</tbody>\n</table>\n");
            }
            if (d.Validation.Count > 0)
            {
                h.Append("<table class=\"validation\">\n<caption>Validation</caption>\n<thead><tr><th scope=\"col\">Check</th><th scope=\"col\">Result</th><th scope=\"col\">Duration</th><th scope=\"col\">Message</th></tr></thead>\n<tbody>\n");
                foreach (var v in d.Validation)
                    h.Append("<tr class=\"").Append(v.Passed ? "succeeded" : "failed").Append("\" data-validation=\"").Append(E(v.Name)).Append("\" data-passed=\"").Append(v.Passed ? "true" : "false").Append("\"><th scope=\"row\">")
                     .Append(E(v.Name)).Append("</th><td>").Append(v.Passed ? "&#10003; passed" : "&#10007; FAILED").Append("</td><td>").Append(E(ReportText.Duration(v.Duration))).Append("</td><td>")
                     .Append(E(v.Message ?? "")).Append("</td></tr>\n");
                h.Append("</tbody>\n</table>\n");
            }
            var clean = d.CleanedUp && d.Leftovers.Count == 0;
            h.Append("<p class=\"cleanup ").Append(clean ? "ok" : "bad").Append("\" data-figure=\"cleanup\">Cleanup: ")
             .Append(clean ? "&#10003; everything the drill created was removed." : $"&#10007; INCOMPLETE, {d.Leftovers.Count} resource(s) left behind.").Append("</p>\n");
            if (d.Leftovers.Count > 0)
            {
                h.Append("<table class=\"leftovers\">\n<caption>Left behind (remove these)</caption>\n<thead><tr><th scope=\"col\">Kind</th><th scope=\"col\">Id</th><th scope=\"col\">Region</th><th scope=\"col\">State</th></tr></thead>\n<tbody>\n");
                foreach (var l in d.Leftovers)
                    h.Append("<tr><td>").Append(E(l.Kind)).Append("</td><th scope=\"row\"><code>").Append(E(l.Id)).Append("</code></th><td>").Append(E(l.Region ?? "")).Append("</td><td>").Append(E(l.State ?? "")).Append("</td></tr>\n");
                h.Append("</tbody>\n</table>\n");
            }
        }

        static void Trends(StringBuilder h, IReadOnlyList<ReportTrend> trends)
        {
            h.Append("<section aria-labelledby=\"trend\">\n<h2 id=\"trend\">Trend</h2>\n");
            var n = 0;
            foreach (var t in trends)
            {
                n++;
                var summary = $"RTO met in {t.RtoMetCount} of {t.Points.Count} runs" + ReportText.TrendRange(t) +
                              (t.LastChange is { } c ? $"; last change {(c > TimeSpan.Zero ? "+" : "")}{ReportText.Duration(c)}" : "");
                h.Append("<h3>Plan ").Append(E(t.Plan)).Append("</h3>\n<p>").Append(E(summary)).Append("</p>\n");
                // One column per run: the achieved RTO, the target as a line.
                var max = t.Points.Select(p => Math.Max(p.Rto.Achieved?.TotalSeconds ?? 0, p.Rto.Target?.TotalSeconds ?? 0)).DefaultIfEmpty(1).Max() * 1.1;
                if (max <= 0) max = 1;
                const double chartH = 120, top = 10;
                var colW = Math.Min(60, 940.0 / Math.Max(1, t.Points.Count));
                var desc = string.Join("; ", t.Points.Select(p => $"{p.RunId} {p.Outcome}: {ReportText.Measure(p.Rto)}"));
                h.Append("<svg class=\"trend\" viewBox=\"0 0 1000 ").Append(N(chartH + top + 24)).Append("\" role=\"img\" aria-labelledby=\"tr").Append(n).Append("t tr").Append(n).Append("d\">")
                 .Append("<title id=\"tr").Append(n).Append("t\">Achieved RTO per run of plan ").Append(E(t.Plan)).Append("</title><desc id=\"tr").Append(n).Append("d\">").Append(E(desc)).Append("</desc>\n");
                var i = 0;
                foreach (var p in t.Points)
                {
                    var x = 50 + i * colW;
                    var v = p.Rto.Achieved?.TotalSeconds ?? 0;
                    var bh = v / max * chartH;
                    var cls = p.Rto.Met switch { true => "ok", false => "bad", null => "none" };
                    h.Append("<rect class=\"point ").Append(cls).Append("\" data-run=\"").Append(E(p.RunId)).Append("\" data-seconds=\"").Append(Sec(p.Rto.Achieved)).Append("\" x=\"").Append(N(x + 4)).Append("\" y=\"")
                     .Append(N(top + chartH - bh)).Append("\" width=\"").Append(N(colW - 8)).Append("\" height=\"").Append(N(Math.Max(bh, 1))).Append("\"><title>")
                     .Append(E($"{p.RunId} ({ReportText.Time(p.Started)}): {ReportText.Measure(p.Rto)}")).Append("</title></rect>")
                     .Append("<text class=\"axis\" x=\"").Append(N(x + colW / 2)).Append("\" y=\"").Append(N(top + chartH + 16)).Append("\" text-anchor=\"middle\">")
                     .Append(p.Rto.Met switch { true => "&#10003;", false => "&#10007;", null => "&#8211;" }).Append(' ').Append(i + 1).Append("</text>\n");
                    if (p.Rto.Target is { } target)
                    {
                        var ty = top + chartH - target.TotalSeconds / max * chartH;
                        h.Append("<line class=\"target\" x1=\"").Append(N(x)).Append("\" x2=\"").Append(N(x + colW)).Append("\" y1=\"").Append(N(ty)).Append("\" y2=\"").Append(N(ty)).Append("\"/>\n");
                    }
                    i++;
                }
                h.Append("<text class=\"axis\" x=\"4\" y=\"").Append(N(top + 10)).Append("\">").Append(E(ReportText.Duration(TimeSpan.FromSeconds(max)))).Append("</text>")
                 .Append("<text class=\"axis\" x=\"4\" y=\"").Append(N(top + chartH)).Append("\">0</text></svg>\n");
                h.Append("<table class=\"trend\">\n<caption>Runs of plan ").Append(E(t.Plan)).Append(", oldest first</caption>\n<thead><tr><th scope=\"col\">#</th><th scope=\"col\">Run</th><th scope=\"col\">Kind</th>")
                 .Append("<th scope=\"col\">Started</th><th scope=\"col\">Outcome</th><th scope=\"col\">RTO</th><th scope=\"col\">RPO</th></tr></thead>\n<tbody>\n");
                i = 0;
                foreach (var p in t.Points)
                    h.Append("<tr><td>").Append(++i).Append("</td><th scope=\"row\"><code>").Append(E(p.RunId)).Append("</code></th><td>").Append(E(p.Kind)).Append("</td><td>").Append(E(ReportText.Time(p.Started)))
                     .Append("</td><td>").Append(E(p.Outcome)).Append("</td><td class=\"").Append(MetClass(p.Rto.Met)).Append("\">").Append(E(ReportText.Measure(p.Rto))).Append("</td><td class=\"")
                     .Append(MetClass(p.Rpo.Met)).Append("\">").Append(E(p.Rpo.Achieved != null || p.Rpo.Target != null ? ReportText.Measure(p.Rpo) : "")).Append("</td></tr>\n");
                h.Append("</tbody>\n</table>\n");
            }
            h.Append("</section>\n");
        }

        static void Readiness(StringBuilder h, IReadOnlyList<ReportReadinessCheck> checks)
        {
            h.Append("<section aria-labelledby=\"readiness\">\n<h2 id=\"readiness\">Readiness: <span data-figure=\"ready-count\">").Append(checks.Count(c => c.Ready)).Append("</span> of ")
             .Append(checks.Count).Append(" ready</h2>\n<table class=\"readiness\">\n<caption>Readiness checks (Test-DrPlan -Live)</caption>\n<thead><tr><th scope=\"col\">Ready</th><th scope=\"col\">Check</th>")
             .Append("<th scope=\"col\">Resource</th><th scope=\"col\">Region</th><th scope=\"col\">Reason</th><th scope=\"col\">Observed</th></tr></thead>\n<tbody>\n");
            foreach (var c in checks)
                h.Append("<tr class=\"").Append(c.Ready ? "succeeded" : "failed").Append("\" data-ready=\"").Append(c.Ready ? "true" : "false").Append("\"><td>")
                 .Append(c.Ready ? "&#10003; yes" : "&#10007; NO").Append("</td><th scope=\"row\">").Append(E(c.Check)).Append(c.Plan.Length > 0 ? "<br><span class=\"dim\">" + E(c.Plan) + "</span>" : "")
                 .Append("</th><td><code>").Append(E(c.Resource)).Append("</code></td><td>").Append(E(c.Region)).Append("</td><td>").Append(E(c.Reason))
                 .Append(c.ErrorId != null ? " <code class=\"err\">" + E(c.ErrorId) + "</code>" : "").Append("</td><td>").Append(E(c.Observed ?? "")).Append("</td></tr>\n");
            h.Append("</tbody>\n</table>\n</section>\n");
        }

        static void Backups(StringBuilder h, IReadOnlyList<ReportBackupSource> sources)
        {
            h.Append("<section aria-labelledby=\"backups\">\n<h2 id=\"backups\">Backups: RPO age per source</h2>\n<table class=\"backups\">\n<caption>Newest usable backup of each source, its age now, and the last verified restore</caption>\n")
             .Append("<thead><tr><th scope=\"col\">Source</th><th scope=\"col\">Kind</th><th scope=\"col\">Region or repository</th><th scope=\"col\">Newest</th><th scope=\"col\">Age</th>")
             .Append("<th scope=\"col\">RPO</th><th scope=\"col\">Size</th><th scope=\"col\">Last verified restore</th></tr></thead>\n<tbody>\n");
            foreach (var s in sources)
            {
                h.Append("<tr class=\"").Append(s.RpoMet == false || s.NewestTime == null ? "failed" : "succeeded").Append("\"><th scope=\"row\"><code>").Append(E(s.Source)).Append("</code></th><td>").Append(E(s.Kind))
                 .Append("</td><td>").Append(E(s.Location)).Append("</td><td>").Append(s.NewestId != null ? "<code>" + E(s.NewestId) + "</code><br>" + E(ReportText.Time(s.NewestTime)) : "&#10007; none usable")
                 .Append(s.Count > 1 ? $" <span class=\"dim\">({s.Count} backups)</span>" : "").Append("</td><td data-seconds=\"").Append(Sec(s.Age)).Append("\">").Append(E(ReportText.Duration(s.Age)))
                 .Append("</td><td class=\"").Append(MetClass(s.RpoMet)).Append("\">").Append(s.RpoTarget is { } t ? E(ReportText.Duration(t)) + " " + MetWords(s.RpoMet) : "no target")
                 .Append("</td><td>").Append(s.SizeBytes is { } b ? E(ReportText.Size(b)) : "").Append("</td><td>");
                if (s.LastVerifiedRestore is { } v)
                    h.Append(v.Passed ? "&#10003; passed: " : "&#10007; FAILED: ").Append("<code>").Append(E(v.BackupId)).Append("</code> of ").Append(E(ReportText.Time(v.BackupTime)))
                     .Append(" (").Append(E(v.Mode)).Append(", ").Append(E(ReportText.Duration(v.Duration))).Append(')');
                else h.Append("none in this report");
                h.Append("</td></tr>\n");
            }
            h.Append("</tbody>\n</table>\n</section>\n");
        }

        static void RestoreTests(StringBuilder h, IReadOnlyList<ReportRestoreTest> tests)
        {
            h.Append("<section aria-labelledby=\"restoretests\">\n<h2 id=\"restoretests\">Restore tests</h2>\n<table class=\"restore-tests\">\n<caption>Test-DrRestore results</caption>\n<thead><tr>")
             .Append("<th scope=\"col\">Result</th><th scope=\"col\">Backup</th><th scope=\"col\">Mode</th><th scope=\"col\">Checked</th><th scope=\"col\">Duration and RTO</th><th scope=\"col\">Failures</th></tr></thead>\n<tbody>\n");
            foreach (var t in tests)
                h.Append("<tr class=\"").Append(t.Passed ? "succeeded" : "failed").Append("\" data-passed=\"").Append(t.Passed ? "true" : "false").Append("\"><td>").Append(t.Passed ? "&#10003; passed" : "&#10007; FAILED")
                 .Append("</td><th scope=\"row\"><code>").Append(E(t.BackupId)).Append("</code><br><span class=\"dim\">").Append(E(t.Repository)).Append(", ").Append(E(ReportText.Time(t.BackupTime))).Append("</span></th><td>")
                 .Append(E(t.Kind != null ? t.Mode + " (" + t.Kind + ")" : t.Mode)).Append("</td><td>").Append(t.FilesChecked).Append(" files, ").Append(E(ReportText.Size(t.BytesChecked)))
                 .Append("</td><td class=\"").Append(MetClass(t.Rto.Met)).Append("\">").Append(E(t.Rto.Target != null ? ReportText.Measure(t.Rto) : ReportText.Duration(t.Duration))).Append("</td><td>")
                 .Append(E(string.Join("; ", t.Failures))).Append("</td></tr>\n");
            h.Append("</tbody>\n</table>\n</section>\n");
        }

        static void Fact(StringBuilder h, string name, string value)
        {
            if (string.IsNullOrEmpty(value)) return;
            h.Append("<div><dt>").Append(E(name)).Append("</dt><dd>").Append(E(value)).Append("</dd></div>\n");
        }

        static string StatusClass(ReportStep s) => s.Status switch
        {
            "Succeeded" => s.Marker == "Approval" ? "succeeded approval" : s.Marker == "Wait" ? "succeeded wait" : "succeeded",
            "Skipped" => "skipped",
            "Failed" => "failed",
            "Cancelled" => "cancelled",
            "Running" => "running",
            _ => "notstarted",
        };

        static string Symbol(ReportStep s) => s.Status switch
        {
            "Failed" => "\u2717",
            "Cancelled" => "\u2298",
            "NotStarted" => "\u25CB",
            "Skipped" => "=",
            "Running" => "\u25B7",
            _ => s.Marker == "Approval" ? "\u25C6" : s.Marker == "Wait" ? "\u25D4" : "\u2713",
        };

        static string StatusWord(ReportStep s) => s.Status switch
        {
            "Failed" => "FAILED",
            "NotStarted" => "not started",
            "Skipped" => "skipped (already done)",
            _ => s.Status.ToLowerInvariant(),
        };

        static string MetClass(bool? met) => met switch { true => "ok", false => "bad", null => "" };
        static string MetWords(bool? met) => met switch { true => "&#10003; met", false => "&#10007; MISSED", null => "" };
        static string Sec(TimeSpan? t) => t is { } v ? Math.Round(v.TotalSeconds, 3).ToString("0.###", Inv) : "";
        static string N(double v) => Math.Round(v, 1).ToString("0.#", Inv);
        static string E(string? s) => WebUtility.HtmlEncode(s ?? "");

        const string Css = @"
:root{--bg:#fff;--fg:#1b1f24;--dim:#57606a;--line:#d0d7de;--panel:#f6f8fa;--ok:#1a7f37;--okbg:#dafbe1;--bad:#cf222e;--badbg:#ffebe9;--skip:#8c959f;--wait:#9a6700;--appr:#8250df;--track:#eaeef2;--run:#0969da}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--dim:#9da7b3;--line:#30363d;--panel:#161b22;--ok:#3fb950;--okbg:#12261e;--bad:#f85149;--badbg:#2d1214;--skip:#6e7681;--wait:#d29922;--appr:#a371f7;--track:#21262d;--run:#58a6ff}}
*{box-sizing:border-box}
html{background:var(--bg);color:var(--fg)}
body{margin:0 auto;max-width:1100px;padding:16px 20px;font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans','DejaVu Sans',sans-serif;background:var(--bg);color:var(--fg)}
h1{font-size:1.6em;margin:.2em 0}h2{font-size:1.3em;margin:1.4em 0 .4em;border-bottom:1px solid var(--line);padding-bottom:.2em}h3{font-size:1.05em;margin:1em 0 .3em}
code{font-family:ui-monospace,'Cascadia Mono','DejaVu Sans Mono',Consolas,monospace;font-size:.92em;overflow-wrap:anywhere}
.result{display:inline-block;font-weight:700;font-size:1.2em;padding:.15em .6em;border-radius:4px;border:2px solid}
.result.ok,.ok{color:var(--ok)}.result.ok{background:var(--okbg)}.result.bad,.bad{color:var(--bad)}.result.bad{background:var(--badbg)}
.problems{color:var(--bad)}
dl.facts{display:grid;grid-template-columns:repeat(auto-fill,minmax(230px,1fr));gap:4px 16px;margin:.6em 0;padding:8px 12px;background:var(--panel);border:1px solid var(--line);border-radius:6px}
dl.facts div{min-width:0}dt{font-size:.8em;color:var(--dim);text-transform:uppercase;letter-spacing:.03em}dd{margin:0;overflow-wrap:anywhere}
.gauges{display:flex;flex-wrap:wrap;gap:12px}
.gauge{flex:1 1 300px;border:1px solid var(--line);border-radius:6px;padding:6px 12px;background:var(--panel)}
.gauge h3{margin:.1em 0}.gauge .figure{margin:.2em 0}.gauge.ok .verdict{color:var(--ok)}.gauge.bad .verdict{color:var(--bad)}
svg{max-width:100%;height:auto;display:block}
svg text{fill:var(--fg);font-family:system-ui,'DejaVu Sans',sans-serif;font-size:12px}
svg .axis{fill:var(--dim);font-size:11px}svg .wave{font-weight:700;font-size:12px}svg .status{fill:var(--dim);font-size:11px}
svg .grid{stroke:var(--line);stroke-width:1}
.track{fill:var(--track)}.fill.ok,.point.ok{fill:var(--ok)}.fill.bad,.point.bad{fill:var(--bad)}.fill.none,.point.none{fill:var(--skip)}
line.target{stroke:var(--fg);stroke-width:2;stroke-dasharray:4 2}
rect.bar{stroke-width:1}
rect.bar.succeeded{fill:var(--ok)}rect.bar.approval{fill:var(--appr)}rect.bar.wait{fill:var(--wait)}
rect.bar.skipped{fill:var(--skip)}rect.bar.running{fill:var(--run)}
rect.bar.failed{fill:var(--bad);stroke:var(--fg);stroke-width:1.5}
rect.bar.cancelled{fill:var(--bg);stroke:var(--bad);stroke-width:1.5;stroke-dasharray:3 2}
rect.bar.notstarted{fill:none;stroke:var(--skip);stroke-width:1.5;stroke-dasharray:4 3}
g.failed .label,g.failed .status{fill:var(--bad);font-weight:700}
figure{margin:0}figure.timeline{border:1px solid var(--line);border-radius:6px;padding:6px;background:var(--bg)}
figcaption{font-size:.85em;color:var(--dim);margin-top:4px}.key{margin-right:10px;white-space:nowrap}
.key.failed{color:var(--bad)}.key.succeeded{color:var(--ok)}
table{width:100%;border-collapse:collapse;margin:.6em 0 1em;font-size:.92em}
caption{text-align:left;font-weight:600;padding:.2em 0;color:var(--dim)}
th,td{border:1px solid var(--line);padding:4px 6px;text-align:left;vertical-align:top;overflow-wrap:anywhere;word-break:break-word}
thead th{background:var(--panel);word-break:normal;overflow-wrap:normal}tbody th{font-weight:400}
tr.failed td.st,tr.failed>td:first-child{color:var(--bad);font-weight:700}tr.failed{background:var(--badbg)}
td.ok{color:var(--ok)}td.bad{color:var(--bad);font-weight:700}
.desc,.dim,.ids{color:var(--dim)}.marker{font-size:.85em;color:var(--appr)}.err{color:var(--bad)}
.cleanup{font-weight:600}
footer{margin-top:2em;font-size:.85em;color:var(--dim);border-top:1px solid var(--line);padding-top:.5em}
@page{margin:12mm}
@media print{
 :root{--bg:#fff;--fg:#000;--dim:#444;--line:#bbb;--panel:#f3f3f3;--ok:#1a7f37;--okbg:#dafbe1;--bad:#cf222e;--badbg:#ffebe9;--skip:#8c959f;--wait:#9a6700;--appr:#8250df;--track:#e5e5e5;--run:#0969da}
 html,body{background:#fff;color:#000}
 body{max-width:none;padding:0;font-size:9.5pt}
 *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
 h2{break-after:avoid}h3{break-after:avoid}
 figure,tr,.gauge,dl.facts{break-inside:avoid}
 thead{display:table-header-group}
 svg.timeline{width:100%}
}
";
    }
}
