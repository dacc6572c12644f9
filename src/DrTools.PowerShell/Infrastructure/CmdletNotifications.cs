using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using DrTools.Core.Notifications;

namespace DrTools.PowerShell.Infrastructure
{
    /// <summary>
    /// A cmdlet with -NotifyTopicArn and -NotifyOnSuccess (Get-DrStatus, Invoke-DrBackup, Test-DrRestore, the recovery
    /// cmdlets). <see cref="DrCmdlet"/> collects every error such a cmdlet writes and sends one alert at the end of the run
    /// (or before a terminating error); see <see cref="DrCmdlet.NoteSuccess"/> and <see cref="DrCmdlet.SendNotification"/>.
    /// </summary>
    public interface INotifyingCmdlet
    {
        /// <summary>The SNS topic to alert; null: no alerts.</summary>
        string? NotifyTopicArn { get; }
        /// <summary>Send a message also when the run passes.</summary>
        SwitchParameter NotifyOnSuccess { get; }
    }

    /// <summary>What one cmdlet run did, for its alert: failures (from the errors it wrote) and passes. Thread-safe.</summary>
    internal sealed class RunOutcomes
    {
        readonly List<NotificationItem> _failures = new();
        readonly List<NotificationItem> _passes = new();

        public string? Plan { get; set; }
        public string? Target { get; set; }

        public void Failed(NotificationItem item) { lock (_failures) _failures.Add(item); }
        public void Passed(NotificationItem item) { lock (_failures) _passes.Add(item); }

        /// <summary>
        /// The alert for what happened since the last one (null when nothing did, or it passed and -NotifyOnSuccess was not
        /// given), and starts afresh: each piped plan's alert tells only that plan's outcomes, and none is sent twice.
        /// </summary>
        public Notification? TakeNotification(string source, bool onSuccess)
        {
            lock (_failures)
            {
                var failed = _failures.Count > 0;
                if (!failed && (!onSuccess || _passes.Count == 0)) return null;
                var notification = new Notification
                {
                    Source = source,
                    Plan = Plan,
                    Target = Target,
                    Outcome = failed ? NotificationOutcome.Failing : NotificationOutcome.Ok,
                    Items = failed ? _failures.ToList() : _passes.ToList(),
                    Summary = failed && _passes.Count > 0 ? $"Passed as well: {string.Join("; ", _passes.Select(p => p.What))}." : null,
                };
                _failures.Clear();
                _passes.Clear();
                Plan = null;
                Target = null;
                return notification;
            }
        }

        /// <summary>A written error as an alert item: its message, DrTools id and recommended action.</summary>
        public static NotificationItem FromError(ErrorRecord record)
        {
            var id = record.FullyQualifiedErrorId ?? "";
            var comma = id.IndexOf(',');
            if (comma > 0) id = id.Substring(0, comma);
            var message = record.ErrorDetails?.Message is { Length: > 0 } m ? m : record.Exception?.Message ?? id;
            var firstLine = message.Split('\n')[0].Trim();
            return new NotificationItem(firstLine.Length > 400 ? firstLine.Substring(0, 397) + "..." : firstLine, id.Length > 0 ? id : null,
                record.ErrorDetails?.RecommendedAction is { Length: > 0 } a ? a : null);
        }
    }
}
