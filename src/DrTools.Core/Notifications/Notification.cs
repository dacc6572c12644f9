using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using DrTools.Core.Plans.Readiness;
using DrTools.Core.Status;

namespace DrTools.Core.Notifications
{
    /// <summary>How the run a notification reports on ended.</summary>
    public enum NotificationOutcome
    {
        /// <summary>Everything passed (sent only with -NotifyOnSuccess).</summary>
        Ok,
        /// <summary>Passed, but something is close to its target or could not be checked.</summary>
        Warning,
        /// <summary>Something failed or missed its target.</summary>
        Failing,
    }

    /// <summary>One thing that failed (or passed) in a run: what, the DrTools error id, and what to do.</summary>
    public sealed record NotificationItem(string What, string? ErrorId = null, string? NextStep = null);

    /// <summary>
    /// A short, readable alert about one cmdlet run: the subject names the plan (or what was worked on), the outcome and
    /// the first problem; the body lists what failed with each error id and next step. It carries no credentials; every
    /// text passes the caller's redaction before it is sent.
    /// </summary>
    public sealed class Notification
    {
        /// <summary>SNS refuses a subject of 100 characters or more.</summary>
        public const int MaxSubjectLength = 99;
        /// <summary>SNS takes 256 KB; an alert that long is no longer read. Items past this many are counted, not listed.</summary>
        public const int MaxItems = 25;

        /// <summary>The cmdlet that ran (Invoke-DrFailover).</summary>
        public string Source { get; init; } = "";
        /// <summary>The plan's name, when the run was about a plan.</summary>
        public string? Plan { get; init; }
        /// <summary>What the run was about when there is no plan (a repository, a DB instance).</summary>
        public string? Target { get; init; }
        public NotificationOutcome Outcome { get; init; }
        /// <summary>Problems (Warning, Failing) or what passed (Ok), most important first.</summary>
        public IReadOnlyList<NotificationItem> Items { get; init; } = Array.Empty<NotificationItem>();
        /// <summary>A line of context (counts, RPO/RTO) under the list.</summary>
        public string? Summary { get; init; }
        public DateTimeOffset Time { get; init; } = DateTimeOffset.UtcNow;

        /// <summary>"DrTools: plan orders FAILING: ReplicaLag orders-replica: ..." (ASCII, at most 99 characters).</summary>
        public string Subject
        {
            get
            {
                var about = Plan != null ? $"plan {Plan}" : Target ?? Source;
                var head = Items.Count > 0 ? Items[0].What : Source + (Outcome == NotificationOutcome.Ok ? " passed" : "");
                return Clip(Ascii($"DrTools: {about} {Word(Outcome)}: {head}"), MaxSubjectLength);
            }
        }

        /// <summary>The message body: outcome, what failed with error ids and next steps, the summary, when and where.</summary>
        public string Body
        {
            get
            {
                var b = new StringBuilder();
                b.Append("DrTools ").Append(Source);
                if (Plan != null) b.Append(" on plan ").Append(Plan);
                else if (Target != null) b.Append(" on ").Append(Target);
                b.Append(": ").Append(Word(Outcome)).AppendLine();
                b.AppendLine();
                if (Items.Count > 0)
                {
                    b.AppendLine(Outcome == NotificationOutcome.Ok ? "Passed:" : Outcome == NotificationOutcome.Warning ? "Needs attention:" : "What failed:");
                    foreach (var item in Items.Take(MaxItems))
                    {
                        b.Append("- ").Append(item.What);
                        if (item.ErrorId != null) b.Append(" [").Append(item.ErrorId).Append(']');
                        b.AppendLine();
                        if (!string.IsNullOrWhiteSpace(item.NextStep)) b.Append("  Next step: ").AppendLine(item.NextStep!.Trim());
                    }
                    if (Items.Count > MaxItems) b.Append("- and ").Append(Items.Count - MaxItems).AppendLine(" more.");
                    b.AppendLine();
                }
                var first = Items.FirstOrDefault(i => !string.IsNullOrWhiteSpace(i.NextStep));
                if (Outcome != NotificationOutcome.Ok && first != null) b.Append("Do first: ").AppendLine(first.NextStep!.Trim());
                if (Summary != null) b.AppendLine(Summary);
                b.Append("Time: ").Append(Time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)).Append(" UTC; host: ")
                    .Append(Environment.MachineName).AppendLine(".");
                return b.ToString();
            }
        }

        public static string Word(NotificationOutcome outcome) => outcome switch
        {
            NotificationOutcome.Failing => "FAILING",
            NotificationOutcome.Warning => "WARNING",
            _ => "OK",
        };

        /// <summary>
        /// The alert for a Get-DrStatus report: Failing rows and rows that could not be read (the watch is blind there)
        /// are alerts; rows that are only near their target are listed when the summary is sent anyway (-NotifyOnSuccess).
        /// </summary>
        public static Notification ForStatus(DrStatusReport report, string source = "Get-DrStatus")
        {
            var s = report.Summary;
            var problems = report.Rows.Where(r => r.Status != DrStatusLevel.Ok)
                .OrderByDescending(r => r.Status).ThenByDescending(r => r.CountsForRpo)
                .Select(r => new NotificationItem($"{r.Kind} {r.Component}" + (r.Region.Length > 0 && r.Region != ReadinessChecker.GlobalRegion ? $" ({r.Region})" : "") +
                                                  $": {Word(Level(r.Status))} {r.Value}" + (r.Target.Length > 0 ? $" (target {r.Target})" : ""),
                    r.ErrorId, r.Reason))
                .ToList();
            var rpo = s.MeetsRpo switch { true => "meets its RPO", false => "does NOT meet its RPO", _ => "has no recovery point or replica to measure" };
            return new Notification
            {
                Source = source,
                Plan = s.Plan,
                Outcome = Level(s.Status),
                Items = problems,
                Summary = $"Plan {s.Plan} ({s.Strategy}, DR region {s.DrRegion}) {rpo} ({ReadinessChecker.FormatAge(s.Rpo)}); " +
                          $"{s.Ok} ok, {s.Warning} warning, {s.Failing} failing. Next step: {s.NextStep}",
                Time = s.CheckedAt,
            };
        }

        /// <summary>Whether a status report is worth an alert without -NotifyOnSuccess: something fails, or could not be read.</summary>
        public static bool StatusNeedsAlert(DrStatusReport report) =>
            report.Summary.Status == DrStatusLevel.Failing || report.Rows.Any(r => r.ErrorId != null);

        static NotificationOutcome Level(DrStatusLevel level) => level switch
        {
            DrStatusLevel.Failing => NotificationOutcome.Failing,
            DrStatusLevel.Warning => NotificationOutcome.Warning,
            _ => NotificationOutcome.Ok,
        };

        /// <summary>SNS subjects are ASCII without control characters: anything else becomes '?' or a space.</summary>
        static string Ascii(string s)
        {
            var b = new StringBuilder(s.Length);
            foreach (var c in s) b.Append(c is '\r' or '\n' or '\t' ? ' ' : c < 32 || c > 126 ? '?' : c);
            return b.ToString();
        }

        static string Clip(string s, int max) => s.Length <= max ? s : s.Substring(0, max - 3) + "...";
    }
}

namespace DrTools.Core.Notifications
{
    /// <summary>How the results of backup, test-restore, recovery and drill runs read in an alert.</summary>
    public static class NotificationItems
    {
        /// <summary>A test restore or drill: passed, or what failed (the first failure's error id) and the RTO when it was missed.</summary>
        public static (bool Passed, NotificationItem Item) For(Backup.RestoreTestResult r)
        {
            var what = $"Test restore of {r.BackupSetId}" + (r.Repository.Length > 0 ? $" ({r.Repository})" : "");
            if (r.Passed)
                return (true, new NotificationItem($"{what} passed in {ReadinessChecker.FormatAge(r.Duration)}" + (r.RtoTarget is { } t ? $" (RTO {ReadinessChecker.FormatAge(t)})" : "")));
            var first = r.Failures.FirstOrDefault();
            var why = first != null ? $"{first.Path}: {first.Error.Message}"
                : r.RtoMet == false && r.RtoTarget is { } rto ? $"took {ReadinessChecker.FormatAge(r.Duration)}, over the RTO of {ReadinessChecker.FormatAge(rto)}" : "did not pass";
            return (false, new NotificationItem($"{what} FAILED: {why}" + (r.Failures.Length > 1 ? $" (and {r.Failures.Length - 1} more)" : ""),
                first?.Error.ErrorId, first?.Error.RecommendedAction ?? "Look at the result's Failures, fix the cause and test again."));
        }

        /// <summary>A drill that passed: its run, scenario and measured RTO and RPO. A drill that did not pass is reported by its errors.</summary>
        public static NotificationItem ForPassedDrill(Drills.DrillResult r) => new(
            $"Drill {r.RunId} ({r.Scenario}) passed" +
            (r.AchievedRto is { } rto ? $": RTO {ReadinessChecker.FormatAge(rto)}" + (r.RtoTarget is { } t ? $" of {ReadinessChecker.FormatAge(t)}" : "") : "") +
            (r.AchievedRpo is { } rpo ? $", RPO {ReadinessChecker.FormatAge(rpo)}" + (r.RpoTarget is { } p ? $" of {ReadinessChecker.FormatAge(p)}" : "") : "") +
            (r.Kept ? " (kept: remove it with Remove-DrDrill)" : ""));

        /// <summary>A recovery run: succeeded (and within its RTO), or missed the RTO. Failed steps are reported by their errors.</summary>
        public static (bool Passed, NotificationItem Item) For(Recovery.Engine.RecoveryResult r)
        {
            var what = $"{r.Strategy ?? "recovery"} run {r.RunId}";
            if (r.Succeeded && r.RtoMet != false)
                return (true, new NotificationItem($"{what} succeeded in {ReadinessChecker.FormatAge(r.AchievedRto)}" + (r.RtoTarget is { } t ? $" (RTO {ReadinessChecker.FormatAge(t)})" : "") + $": {r.Summary}"));
            if (r.Succeeded)
                return (false, new NotificationItem($"{what} finished but missed the RTO: {ReadinessChecker.FormatAge(r.AchievedRto)} of {ReadinessChecker.FormatAge(r.RtoTarget!.Value)}",
                    null, "Look at the slowest steps in the result's Steps, and rehearse the plan (drill) to find what takes longest."));
            return (false, new NotificationItem($"{what} did not complete: {r.Summary}"));
        }
    }
}
