using System.Management.Automation;
using DrTools.Core.Aws.CloudWatch;
using DrTools.Core.Connection;
using DrTools.Core.Diagnostics;
using DrTools.Core.Drills;
using DrTools.Core.Notifications;
using DrTools.Core.Plans;
using DrTools.Core.Reprotect;
using DrTools.Core.Status;
using DrTools.PowerShell.Infrastructure;

namespace DrTools.PowerShell.Cmdlets.Status
{
    /// <summary>
    /// The plan's status now: one <see cref="DrStatusRow"/> per measurement, then one <see cref="DrStatusSummary"/>; with
    /// -NotifyTopicArn an SNS alert when something fails, with -PublishMetrics the ages and lags as CloudWatch metrics.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "DrStatus", HelpUri = HelpLinks.Cmdlets + "Get-DrStatus.md")]
    [OutputType(typeof(DrStatusRow), typeof(DrStatusSummary))]
    public sealed class GetDrStatusCommand : DrCmdlet, INotifyingCmdlet
    {
        DrPlan? _current;

        /// <summary>A plan object (Import-DrPlan), a .json/.psd1 path, or a hashtable.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
        [ValidateNotNull]
        [ArgumentCompleter(typeof(PlanFileCompleter))]
        public object Plan { get; set; } = null!;

        [Parameter]
        [ValidateNotNullOrEmpty]
        [ValidateSnsTopicArn]
        public string? NotifyTopicArn { get; set; }

        [Parameter]
        public SwitchParameter NotifyOnSuccess { get; set; }

        [Parameter]
        public SwitchParameter PublishMetrics { get; set; }

        /// <summary>Where drill history and the active side records live (as on Invoke-DrDrill and Invoke-DrFailover), for the LastDrill and Protection rows; default the local journal folder.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? JournalPath { get; set; }

        /// <summary>The plan's DR region is the connection region unless -Region says otherwise.</summary>
        protected override string? PlanRegion => _current?.DrRegion;

        protected override void ProcessRecord()
        {
            DrPlan plan;
            try
            {
                var loaded = PlanInput.Load(this, Plan);
                foreach (var warning in loaded.Warnings) WriteWarning($"Plan {loaded.Source ?? ""} {warning}".Replace("  ", " "));
                NotifyAbout(null, loaded.Source);
                plan = loaded.GetPlanOrThrow();
            }
            catch (DrToolsException ex)
            {
                // A plan that cannot be read is that plan's error (and alert); the next plan is still checked.
                WriteError(ErrorRecords.From(ex));
                SendNotification();
                return;
            }
            _current = plan;
            NotifyAbout(plan.Name);
            var region = Region ?? plan.DrRegion;
            var connection = Connection.Region == region ? Connection : Connection.ForRegion(region);
            DrStatusReport? report = null;
            DrillHistory? history;
            ActiveSideStore? activeSides;
            // On the pipeline thread (it resolves a PowerShell path); only plans with drill.maxAge read the history,
            // only plans with a database the active side record (which side is active, the writer and its replica).
            try
            {
                var journals = plan.Drill?.MaxAge != null || plan.Resources.Database != null ? OpenJournals(JournalPath) : null;
                history = plan.Drill?.MaxAge != null ? new DrillHistory(journals!) : null;
                activeSides = plan.Resources.Database != null ? new ActiveSideStore(journals!) : null;
            }
            catch (DrToolsException ex)
            {
                WriteError(ErrorRecords.From(ex));
                SendNotification();
                return;
            }
            // One plan is one item: a plan whose status cannot be read does not hide the next plan's.
            if (!RunItem(async ct =>
            {
                using var services = StatusServices.ForConnection(new AwsClientFactory(connection), Reporter, history, activeSides);
                report = await new StatusService(services, Reporter).GetAsync(plan, region, ct).ConfigureAwait(false);
                if (!PublishMetrics) return;
                try
                {
                    using var cloudWatch = new CloudWatchMetrics(new AwsClientFactory(connection));
                    await StatusMetricData.PublishAsync(cloudWatch, report, Reporter, ct).ConfigureAwait(false);
                }
                catch (DrToolsException ex)
                {
                    // The status stands; metrics that could not be written are a warning, like a failed alert.
                    Reporter.Warning($"Plan '{plan.Name}': metrics were not written to CloudWatch ({ex.ErrorId}: {ex.Message}) {ex.RecommendedAction}".TrimEnd());
                }
            }))
            {
                SendNotification();
                return;
            }
            foreach (var row in report!.Rows) WriteObject(row);
            WriteObject(report.Summary);
            var s = report.Summary;
            if (s.Status != DrStatusLevel.Ok)
                WriteWarning($"Plan '{plan.Name}' is {s.Status.ToString().ToUpperInvariant()} ({s.Failing} failing, {s.Warning} warning). Next step: {s.NextStep}");
            if (NotifyTopicArn != null && (NotifyOnSuccess || Notification.StatusNeedsAlert(report)))
                SendNotification(Notification.ForStatus(report));
        }
    }
}
