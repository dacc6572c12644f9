using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using DrTools.Core.Connection;
using DrTools.Core.Diagnostics;
using DrTools.Core.Drills;
using DrTools.Core.Recovery.Strategies;
using DrTools.PowerShell.Cmdlets.Recovery;
using DrTools.PowerShell.Infrastructure;

namespace DrTools.PowerShell.Cmdlets.Drills
{
    /// <summary>
    /// Finds what a drill (or every drill of the plan) left behind by its tags and deletes it, verifying it is gone:
    /// for a drill that crashed, was run with -Keep, or whose cleanup timed out. -WhatIf lists what would be deleted.
    /// </summary>
    [Cmdlet(VerbsCommon.Remove, "DrDrill", HelpUri = HelpLinks.Cmdlets + "Remove-DrDrill.md", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(DrillLeftover))]
    public sealed class RemoveDrDrillCommand : PlanRunCmdlet
    {
        [Parameter]
        public SwitchParameter Force { get; set; }

        [Parameter]
        [ValidateRange(1, 1440)]
        public int TimeoutMinutes { get; set; } = 30;

        protected override void ProcessRecord()
        {
            var plan = ResolvePlan();
            using var services = RecoveryServices.Create(new AwsClientFactory(Connection), plan, Reporter);
            Core.Recovery.Engine.RecoveryJournalStore journals;
            try { journals = OpenJournals(); }
            catch (DrToolsException ex) { WriteError(ErrorRecords.From(ex)); return; }
            var service = new DrillService(services, journals, Reporter);
            IReadOnlyList<DrillLeftover> found = Array.Empty<DrillLeftover>();
            if (!RunItem(async ct => found = await service.FindLeftoversAsync(plan, RunId, ct).ConfigureAwait(false))) return;
            var which = RunId != null ? $"drill {RunId}" : "every drill";
            if (found.Count == 0)
            {
                WriteVerbose($"Nothing tagged by {which} of plan '{plan.Name}' exists in {plan.DrRegion}.");
                return;
            }
            var list = string.Join(Environment.NewLine, found.Select(f => "  " + f + (f.RunId != null ? $" [run {f.RunId}]" : "")));
            var text = $"Delete what {which} of plan '{plan.Name}' left ({found.Count} resource(s)):" + Environment.NewLine + list;
            // The prompt lists them too: whoever answers Yes sees exactly what goes.
            if (!Confirmed(text, $"Delete {found.Count} drill resource(s) of plan '{plan.Name}'?" + Environment.NewLine + list, "Remove drill resources")) return;
            RunItem(async ct =>
            {
                var left = await service.RemoveAsync(plan, RunId, TimeSpan.FromMinutes(TimeoutMinutes), ct).ConfigureAwait(false);
                foreach (var l in left)
                {
                    Emit(l);
                    EmitError(new DrToolsException(ErrorIds.DrillLeftovers, DrErrorCategory.ResourceUnavailable,
                        $"{l} is still there after the cleanup.", l, "Check its state in the console (deletion protection, a dependency) and run Remove-DrDrill again."));
                }
            });
        }
    }
}
