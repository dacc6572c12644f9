using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace DrTools.Core.Reports
{
    /// <summary>The report as Markdown for tickets and wikis: the same content as the HTML, with a text timeline.</summary>
    public static class MarkdownReportRenderer
    {
        const int TimelineWidth = 40;

        public static string Render(DrReport r)
        {
            var md = new StringBuilder();
            void L(string line = "") => md.Append(line).Append('\n');

            L($"# {Esc(r.Title)}");
            L();
            L($"**Result: {(r.Result == "Passed" ? "PASSED" : "FAILED")}**");
            foreach (var p in r.Problems) L($"- {Esc(p)}");
            L();
            L("| | |");
            L("| --- | --- |");
            if (r.Plans.Count > 0) L($"| Plan | {Esc(string.Join(", ", r.Plans))} |");
            if (r.Strategies.Count > 0) L($"| Strategy | {Esc(string.Join(", ", r.Strategies))} |");
            if (r.Regions.Count > 0) L($"| Regions | {Esc(string.Join(", ", r.Regions))} |");
            L($"| Run by | {Esc(Runner(r.RanBy))} |");
            L($"| Generated | {ReportText.Time(r.Generated)} ({Esc(r.TimeZone)}) |");
            L($"| DrTools | {Esc(r.ToolVersion)} |");
            if (r.Redacted) L("| Redacted | account ids, IP addresses and host names are masked |");
            L();

            foreach (var run in r.Runs) Run(run, text => L(text));
            if (r.Trends.Count > 0)
            {
                L("## Trend");
                L();
                foreach (var t in r.Trends)
                {
                    L($"### Plan {Esc(t.Plan)}: RTO met in {t.RtoMetCount} of {t.Points.Count} runs" +
                      ReportText.TrendRange(t) +
                      (t.LastChange is { } c ? $", last change {(c > TimeSpan.Zero ? "+" : "")}{ReportText.Duration(c)}" : ""));
                    L();
                    L("| Started | Run | Kind | Outcome | RTO | RTO target | RTO met | RPO | RPO target | RPO met |");
                    L("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
                    foreach (var p in t.Points)
                        L($"| {ReportText.Time(p.Started)} | {Esc(p.RunId)} | {p.Kind} | {p.Outcome} | {ReportText.Duration(p.Rto.Achieved)} | {ReportText.Duration(p.Rto.Target)} | {ReportText.Met(p.Rto.Met)} | " +
                          $"{ReportText.Duration(p.Rpo.Achieved)} | {ReportText.Duration(p.Rpo.Target)} | {ReportText.Met(p.Rpo.Met)} |");
                    L();
                }
            }
            if (r.Readiness.Count > 0)
            {
                L($"## Readiness: {r.Readiness.Count(c => c.Ready)} of {r.Readiness.Count} ready");
                L();
                L("| Ready | Plan | Check | Resource | Region | Reason | Observed | Checked |");
                L("| --- | --- | --- | --- | --- | --- | --- | --- |");
                foreach (var c in r.Readiness)
                    L($"| {(c.Ready ? "yes" : "**NO**")} | {Esc(c.Plan)} | {Esc(c.Check)} | {Esc(c.Resource)} | {Esc(c.Region)} | {Esc(c.Reason)}{(c.ErrorId != null ? $" ({c.ErrorId})" : "")} | {Esc(c.Observed ?? "")} | {ReportText.Time(c.CheckedAt)} |");
                L();
            }
            if (r.Backups.Count > 0)
            {
                L("## Backups: RPO age per source");
                L();
                L("| Kind | Source | Region or repository | Backups | Newest | Age | RPO target | RPO met | Size | Last verified restore |");
                L("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
                foreach (var s in r.Backups)
                    L($"| {s.Kind} | {Esc(s.Source)} | {Esc(s.Location)} | {s.Count} | {Esc(s.NewestId ?? "none usable")} {ReportText.Time(s.NewestTime)} | {ReportText.Duration(s.Age)} | " +
                      $"{ReportText.Duration(s.RpoTarget)} | {ReportText.Met(s.RpoMet)} | {(s.SizeBytes is { } b ? ReportText.Size(b) : "")} | {Verified(s.LastVerifiedRestore)} |");
                L();
            }
            if (r.RestoreTests.Count > 0)
            {
                L("## Restore tests");
                L();
                L("| Passed | Backup | Kind | Repository | Backup time | Mode | Files | Size | Duration | RTO | Failures |");
                L("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
                foreach (var t in r.RestoreTests)
                    L($"| {(t.Passed ? "yes" : "**NO**")} | {Esc(t.BackupId)} | {t.Kind ?? "Files"} | {Esc(t.Repository)} | {ReportText.Time(t.BackupTime)} | {t.Mode} | {t.FilesChecked} | " +
                      $"{ReportText.Size(t.BytesChecked)} | {ReportText.Duration(t.Duration)} | {(t.Rto.Target != null ? ReportText.Measure(t.Rto) : "")} | {Esc(string.Join("; ", t.Failures))} |");
                L();
            }
            if (r.Notes.Count > 0)
            {
                L("## Notes");
                L();
                foreach (var n in r.Notes) L($"- {Esc(n)}");
                L();
            }
            return md.ToString();
        }

        static void Run(ReportRun run, Action<string> line)
        {
            void L(string text = "") => line(text);
            L($"## {run.Kind} {Esc(run.RunId)}: {run.Outcome.ToUpperInvariant()}");
            L();
            L($"- Plan: {Esc(run.Plan)}" + (run.Strategy != null ? $" ({Esc(run.Strategy)})" : "") + (run.Scenario != null ? $", scenario {Esc(run.Scenario)}" : ""));
            if (run.Regions.Count > 0) L($"- Regions: {Esc(string.Join(", ", run.Regions))}");
            L($"- Started {ReportText.Time(run.Started)}, finished {(run.Finished is { } f ? ReportText.Time(f) : "not yet")}, attempt {run.Attempt}");
            L($"- RTO: {ReportText.Measure(run.Rto)}");
            if (run.Rpo.Achieved != null || run.Kind == "Drill") L($"- RPO: {ReportText.Measure(run.Rpo)}");
            L($"- Steps: {run.Summary}");
            L();

            // The text timeline: one row per step, its bar placed on a scale of the whole run.
            var total = Math.Max(run.Duration.TotalSeconds, 1);
            L("```text");
            var width = Math.Max(8, run.Steps.Select(s => s.Id.Length).DefaultIfEmpty(8).Max());
            foreach (var wave in run.Waves)
            {
                L($"Wave {wave.Number}{(wave.Inferred ? " (inferred from times)" : "")}" + (wave.Duration is { } wd ? $": {ReportText.Duration(wd)}" : ""));
                foreach (var s in run.Steps.Where(s => s.Wave == wave.Number))
                {
                    var bar = new string(' ', TimelineWidth).ToCharArray();
                    if (s.Offset is { } off)
                    {
                        var from = (int)Math.Floor(Math.Max(0, off.TotalSeconds) / total * TimelineWidth);
                        var len = (int)Math.Ceiling((s.Duration?.TotalSeconds ?? 0) / total * TimelineWidth);
                        from = Math.Min(from, TimelineWidth - 1);
                        len = Math.Max(1, Math.Min(len, TimelineWidth - from));
                        var ch = s.Status switch { "Failed" => 'X', "Cancelled" => 'C', "Skipped" => '=', "Running" => '>', _ => s.Marker == "Approval" ? 'A' : s.Marker == "Wait" ? 'w' : '#' };
                        for (var i = from; i < from + len; i++) bar[i] = ch;
                    }
                    else for (var i = 0; i < TimelineWidth; i++) bar[i] = '.';
                    L($"  {s.Id.PadRight(width)} |{new string(bar)}| {StatusWord(s)} {ReportText.Duration(s.Duration)}".TrimEnd());
                }
            }
            L("```");
            L("Legend: # done, = skipped (already done), X failed, C cancelled, A approval, w wait, . not started.");
            L();
            L("| Wave | Step | Status | Start | Duration | Resources | Message |");
            L("| --- | --- | --- | --- | --- | --- | --- |");
            foreach (var s in run.Steps)
            {
                var resources = s.Resources.Concat(s.ResourceIds.Count > 0 ? new[] { "ids: " + string.Join(", ", s.ResourceIds) } : Array.Empty<string>());
                L($"| {s.Wave} | {Esc(s.Id)}: {Esc(s.Description)}{(s.Marker != null ? $" ({s.Marker.ToLowerInvariant()})" : "")} | {StatusWord(s)} | {(s.Started is { } st ? ReportText.Time(st) : "")} | " +
                  $"{ReportText.Duration(s.Duration)} | {Esc(string.Join("; ", resources))} | {Esc(s.Message ?? "")}{(s.ErrorId != null ? $" ({s.ErrorId})" : "")} |");
            }
            L();
            if (run.Drill is { } d)
            {
                L($"### Drill: {(d.Passed ? "passed" : "FAILED")}" + (d.StopReason != null ? $", stopped: {Esc(d.StopReason)}" : ""));
                L();
                if (d.Rpo.Count > 0)
                {
                    L("| Component | Source | Data time | Age | RPO met |");
                    L("| --- | --- | --- | --- | --- |");
                    foreach (var c in d.Rpo) L($"| {Esc(c.Component)} | {Esc(c.Source)} | {ReportText.Time(c.DataTime)} | {ReportText.Duration(c.Age)} | {ReportText.Met(c.Met)} |");
                    L();
                }
                if (d.Validation.Count > 0)
                {
                    L("| Validation | Passed | Duration | Message |");
                    L("| --- | --- | --- | --- |");
                    foreach (var v in d.Validation) L($"| {Esc(v.Name)} | {(v.Passed ? "yes" : "**NO**")} | {ReportText.Duration(v.Duration)} | {Esc(v.Message ?? "")} |");
                    L();
                }
                L($"Cleanup: {(d.CleanedUp && d.Leftovers.Count == 0 ? "everything the drill created was removed." : $"INCOMPLETE, {d.Leftovers.Count} resource(s) left behind:")}");
                foreach (var l in d.Leftovers) L($"- {Esc(l.Kind)} {Esc(l.Id)}" + (l.Region != null ? $" in {Esc(l.Region)}" : "") + (l.State != null ? $" ({Esc(l.State)})" : ""));
                L();
            }
        }

        static string StatusWord(ReportStep s) => s.Status switch
        {
            "Failed" => "FAILED",
            "NotStarted" => "not started",
            _ => s.Status.ToLowerInvariant(),
        };

        static string Runner(ReportRunner r)
        {
            var parts = new List<string> { r.OsUser + (r.Machine != null ? "@" + r.Machine : "") };
            if (r.Arn != null) parts.Add(r.Arn);
            else if (r.Account != null) parts.Add("account " + r.Account);
            return string.Join(", AWS ", parts);
        }

        static string Verified(ReportVerifiedRestore? v) =>
            v == null ? "none" : $"{(v.Passed ? "passed" : "FAILED")}: {Esc(v.BackupId)} of {ReportText.Time(v.BackupTime)} ({v.Mode}, {ReportText.Duration(v.Duration)})";

        /// <summary>Keeps table cells and text from being read as Markdown (pipes, emphasis, links, HTML).</summary>
        internal static string Esc(string s)
        {
            if (string.IsNullOrEmpty(s)) return s;
            var sb = new StringBuilder(s.Length + 8);
            foreach (var c in s)
            {
                if (c is '\r') continue;
                if (c is '\n') { sb.Append("<br>"); continue; }
                if (c is '|' or '*' or '_' or '`' or '[' or ']' or '<' or '>' or '\\' or '#') sb.Append('\\');
                sb.Append(c);
            }
            return sb.ToString();
        }
    }
}
