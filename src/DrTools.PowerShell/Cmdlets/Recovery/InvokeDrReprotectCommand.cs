using System;
using System.Linq;
using System.Management.Automation;
using DrTools.Core.Connection;
using DrTools.Core.Diagnostics;
using DrTools.Core.Notifications;
using DrTools.Core.Recovery.Engine;
using DrTools.Core.Recovery.Strategies;
using DrTools.Core.Reprotect;
using DrTools.PowerShell.Infrastructure;

namespace DrTools.PowerShell.Cmdlets.Recovery
{
    /// <summary>
    /// After a failover: protects the database that now takes writes with a cross-region read replica back in the other
    /// side's region (snapshot, copy, set the stale old primary aside, create and wait for the replica), and records
    /// the replica in the plan's active side record. ConfirmImpact High: it renames the old primary.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Invoke, "DrReprotect", HelpUri = HelpLinks.Cmdlets + "Invoke-DrReprotect.md", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(RecoveryResult))]
    public sealed class InvokeDrReprotectCommand : PlanRunCmdlet, INotifyingCmdlet
    {
        [Parameter]
        public SwitchParameter Resume { get; set; }

        /// <summary>Skips the confirmation (ConfirmImpact High); never a safety check.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        [ValidateSnsTopicArn]
        public string? NotifyTopicArn { get; set; }

        [Parameter]
        public SwitchParameter NotifyOnSuccess { get; set; }

        protected override void ProcessRecord()
        {
            var plan = ResolvePlan();
            NotifyAbout(plan.Name);
            RecoveryJournalStore journals;
            try { journals = OpenJournals(); }
            catch (DrToolsException ex) { ThrowTerminatingError(ErrorRecords.From(ex)); return; }

            using var services = RecoveryServices.Create(new AwsClientFactory(Connection), plan, Reporter);
            var service = new ReprotectService(services, journals, Reporter);
            var options = new RecoveryOptions { Resume = Resume, RunId = RunId, Approve = ApproveAsync };

            ReprotectTarget target = null!;
            Run(async ct => target = await service.ResolveAsync(plan, ct).ConfigureAwait(false));
            if (target.NothingToDo)
            {
                // A result, not an error: running it twice, or after an automatic re-protect, is normal.
                WriteVerbose(target.Reason);
                WriteObject(ReprotectService.NothingToDo(plan, target));
                return;
            }
            RecoveryPlan whatIf;
            try { whatIf = service.Plan(plan, target, options); }
            catch (DrToolsException ex) { ThrowTerminatingError(ErrorRecords.From(ex)); return; }
            var text = string.Join(Environment.NewLine, RecoveryPlanFormatter.Format(whatIf));
            var summary = $"Re-protect plan '{plan.Name}': a read replica {target.ReplicaId} in {target.ReplicaRegion} of {target.Writer}, " +
                          $"renaming an instance {target.ReplicaId} there aside if it is not one ({whatIf.Steps.Count} steps" + (Resume ? ", resuming the earlier run)" : ")");
            if (!Confirmed(text, summary + "?", "Re-protect")) return;

            Run(async ct =>
            {
                RecoveryResult result;
                try
                {
                    result = await service.RunAsync(plan, options, ct).ConfigureAwait(false);
                }
                catch (RecoveryCancelledException ex)
                {
                    Reporter.Warning(ex.Message);
                    throw;
                }
                Emit(result);
                var (passed, item) = NotificationItems.For(result);
                if (passed) NoteSuccess(item.What);
                else if (result.Succeeded || !result.Failed.Any()) NoteFailure(item.What, item.ErrorId, item.NextStep ?? $"Continue with: {ResumeCommand(plan, result.RunId)}");
                if (result.Succeeded) return;
                var resume = ResumeCommand(plan, result.RunId);
                Reporter.Warning($"Re-protect of plan '{plan.Name}' did not complete ({result.Summary}); the database has no replica yet. " +
                                 $"Fix the cause and continue with: {resume} (finished steps are not repeated).");
                foreach (var failed in result.Failed)
                    EmitError(StepError(failed, result, resume));
            });
        }
    }
}
