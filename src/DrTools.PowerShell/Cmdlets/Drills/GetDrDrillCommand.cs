using System.Management.Automation;
using DrTools.Core.Diagnostics;
using DrTools.Core.Drills;
using DrTools.Core.Recovery.Engine;
using DrTools.PowerShell.Cmdlets.Recovery;
using DrTools.PowerShell.Infrastructure;

namespace DrTools.PowerShell.Cmdlets.Drills
{
    /// <summary>The plan's past drills from the history beside the journals (-JournalPath), newest first.</summary>
    [Cmdlet(VerbsCommon.Get, "DrDrill", HelpUri = HelpLinks.Cmdlets + "Get-DrDrill.md")]
    [OutputType(typeof(DrillResult))]
    public sealed class GetDrDrillCommand : PlanRunCmdlet
    {
        [Parameter]
        [ValidateRange(1, int.MaxValue)]
        public int? Last { get; set; }

        protected override void ProcessRecord()
        {
            var plan = ResolvePlan();
            RecoveryJournalStore journals;
            try { journals = OpenJournals(); }
            catch (DrToolsException ex) { WriteError(ErrorRecords.From(ex)); return; }
            var history = new DrillHistory(journals);
            RunItem(async ct =>
            {
                foreach (var r in await history.ListAsync(plan.Name, RunId, Last, Reporter, ct).ConfigureAwait(false)) Emit(r);
            });
        }
    }
}
