using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using DrTools.Core.Connection;
using DrTools.Core.Diagnostics;
using DrTools.Core.Drills;
using DrTools.Core.Plans;
using DrTools.Core.Plans.Readiness;
using DrTools.Core.Reprotect;
using DrTools.PowerShell.Infrastructure;

namespace DrTools.PowerShell.Cmdlets.Plans
{
    /// <summary>
    /// Without -Live: validates plans and reports every error and warning (no AWS). With -Live: the readiness check
    /// against the DR region, one <see cref="ReadinessCheck"/> per check.
    /// </summary>
    [Cmdlet(VerbsDiagnostic.Test, "DrPlan", HelpUri = HelpLinks.Cmdlets + "Test-DrPlan.md")]
    [OutputType(typeof(PlanValidationResult), typeof(ReadinessCheck))]
    public sealed class TestDrPlanCommand : DrCmdlet
    {
        DrPlan? _current;

        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
        [ValidateNotNull]
        [ArgumentCompleter(typeof(PlanFileCompleter))]
        public object Plan { get; set; } = null!;

        [Parameter]
        public SwitchParameter Live { get; set; }

        /// <summary>Where drill history and the active side records live (as on Invoke-DrDrill and Invoke-DrFailover), for the LastDrill and Protection checks; default the local journal folder.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? JournalPath { get; set; }

        /// <summary>The plan's DR region is the connection region unless -Region says otherwise.</summary>
        protected override string? PlanRegion => _current?.DrRegion;

        protected override void ProcessRecord()
        {
            PlanLoadResult result;
            try
            {
                result = PlanInput.Load(this, Plan);
            }
            catch (DrToolsException ex)
            {
                // One unreadable plan must not hide the results of the others in the pipeline.
                WriteError(ErrorRecords.From(ex));
                return;
            }
            if (!Live)
            {
                WriteObject(PlanValidationResult.From(result));
                return;
            }

            foreach (var warning in result.Warnings) WriteWarning($"Plan {result.Source ?? ""} {warning}".Replace("  ", " "));
            DrPlan plan;
            try
            {
                plan = result.GetPlanOrThrow();
            }
            catch (DrToolsException ex)
            {
                WriteError(ErrorRecords.From(ex));
                return;
            }
            _current = plan;
            var region = Region ?? plan.DrRegion;
            var connection = Connection.Region == region ? Connection : Connection.ForRegion(region);
            IReadOnlyList<ReadinessCheck> checks = new List<ReadinessCheck>();
            DrillHistory? history;
            ActiveSideStore? activeSides;
            try // on the pipeline thread: it resolves a PowerShell path
            {
                history = DrillHistoryOf(plan);
                // Plans with a database: which side is active (after a failover the checks follow the writer) and the Protection check.
                activeSides = plan.Resources.Database != null ? new ActiveSideStore(OpenJournals(JournalPath)) : null;
            }
            catch (DrToolsException ex) { WriteError(ErrorRecords.From(ex)); return; }
            // One plan is one item: a failed check run does not hide the results of the next plan.
            if (!RunItem(async ct =>
            {
                using var services = ReadinessServices.ForConnection(new AwsClientFactory(connection), Reporter, history, activeSides);
                checks = await new ReadinessChecker(services, Reporter).CheckAsync(plan, region, ct).ConfigureAwait(false);
            })) return;
            foreach (var check in checks) WriteObject(check);
            var notReady = checks.Where(c => !c.Ready).ToList();
            if (notReady.Count > 0)
                WriteWarning($"Plan '{plan.Name}' is not ready in {region}: {notReady.Count} of {checks.Count} checks failed ("
                             + string.Join("; ", notReady.Select(c => $"{c.Check} {c.Resource}")) + ").");
            else
                WriteVerbose($"Plan '{plan.Name}': all {checks.Count} checks are ready in {region}.");
        }

        /// <summary>The drill history for plans with drill.maxAge (null for the others: no journal location is opened).</summary>
        DrillHistory? DrillHistoryOf(DrPlan plan) => plan.Drill?.MaxAge != null ? new DrillHistory(OpenJournals(JournalPath)) : null;
    }
}
