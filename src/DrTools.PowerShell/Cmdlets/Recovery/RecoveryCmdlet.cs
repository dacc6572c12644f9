using System;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Connection;
using DrTools.Core.Diagnostics;
using DrTools.Core.Notifications;
using DrTools.Core.Plans;
using DrTools.Core.Recovery.Engine;
using DrTools.Core.Recovery.Strategies;
using DrTools.Core.Reprotect;
using DrTools.PowerShell.Infrastructure;

namespace DrTools.PowerShell.Cmdlets.Recovery
{
    /// <summary>
    /// Shared by Start-DrPilotLight, Start-DrWarmStandby, Invoke-DrFailover and Invoke-DrFailback: resolve the plan,
    /// connect to its DR region, ask once for the whole recovery (the -WhatIf text is the full ordered plan), run it,
    /// prompt for the plan's approvals on the pipeline thread, and write the result and one error per failed step.
    /// </summary>
    public abstract class RecoveryCmdlet : PlanRunCmdlet, INotifyingCmdlet
    {
        [Parameter]
        public SwitchParameter AllowDataLoss { get; set; }

        [Parameter]
        public SwitchParameter Resume { get; set; }

        [Parameter]
        public SwitchParameter ContinueOnError { get; set; }

        /// <summary>Approval steps given in advance (step id or the kind they stand before), for unattended runs.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? Approve { get; set; }

        /// <summary>Skips the one confirmation of the whole recovery (ConfirmImpact High); never an approval step, never a safety check.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        [ValidateSnsTopicArn]
        public string? NotifyTopicArn { get; set; }

        [Parameter]
        public SwitchParameter NotifyOnSuccess { get; set; }

        /// <summary>Which way this cmdlet recovers.</summary>
        protected abstract RecoveryOperation Operation { get; }
        /// <summary>The strategy the cmdlet is for; null: any.</summary>
        protected virtual DrStrategy? RequiredStrategy => null;
        /// <summary>Failback's -SkipPrimaryCheck.</summary>
        protected virtual bool SkipPrimaryCheckRequested => false;
        protected virtual string ActionName => "Start recovery";
        /// <summary>Invoke-DrFailover's -Reprotect.</summary>
        protected virtual bool ReprotectRequested => false;

        protected override void ProcessRecord()
        {
            var plan = ResolvePlan();
            NotifyAbout(plan.Name);
            if (RequiredStrategy is { } required)
            {
                try { RecoveryService.RequireStrategy(plan, required, MyInvocation.MyCommand.Name); }
                catch (DrToolsException ex) { ThrowTerminatingError(ErrorRecords.From(ex)); }
            }
            var options = new RecoveryOptions
            {
                AllowDataLoss = AllowDataLoss,
                SkipPrimaryCheck = SkipPrimaryCheckRequested,
                Resume = Resume,
                RunId = RunId,
                ContinueOnError = ContinueOnError.IsPresent ? true : null,
                Approve = ApproveAsync,
            };
            RecoveryJournalStore journals;
            try { journals = OpenJournals(); }
            catch (DrToolsException ex) { ThrowTerminatingError(ErrorRecords.From(ex)); return; }
            // A plan that runs on its DR side already is failed back, not failed over again; -Resume finishes an unfinished run.
            if (Operation == RecoveryOperation.Failover && !Resume) RefuseIfFailedOver(plan, journals);

            using var services = RecoveryServices.Create(new AwsClientFactory(Connection), plan, Reporter);
            var service = new RecoveryService(services, journals, Reporter);

            // Failback moves a failed-over database back: which side is active decides the steps (also for -WhatIf).
            DrTools.Core.Reprotect.ActiveSide? active = null;
            if (Operation == RecoveryOperation.Failback)
                Run(async ct => active = await service.LoadActiveSideAsync(plan, ct).ConfigureAwait(false));

            // One confirmation for the whole recovery; -WhatIf prints every step, its wave and what it touches.
            RecoveryPlan whatIf;
            try
            {
                whatIf = service.Plan(plan, Operation, options, active);
                PreApprove(whatIf, Approve);
            }
            catch (DrToolsException ex) { ThrowTerminatingError(ErrorRecords.From(ex)); return; }
            var reprotect = Operation == RecoveryOperation.Failover && (ReprotectRequested || plan.Resources.Database?.Reprotect?.AfterFailover == true)
                            && plan.Resources.Database != null;
            var text = string.Join(Environment.NewLine, RecoveryPlanFormatter.Format(whatIf)) + ApprovalLines(whatIf)
                       + (reprotect ? Environment.NewLine + $"Then, once the failover has succeeded, as its own run ({ReprotectService.RunName(plan)}): Invoke-DrReprotect " +
                                      "(snapshot-db, set-aside-db, copy-snapshot, create-replica, wait-replica, record-active-side)." : "");
            var summary = $"{ActionName} of plan '{plan.Name}' ({whatIf.Strategy}) in {Connection.Region}: {whatIf.Steps.Count} steps" +
                          (Resume ? " (resuming the earlier run)" : "") + (AllowDataLoss ? ", DATA LOSS ALLOWED" : "");
            if (!Confirmed(text, summary + "?", ActionName)) return;

            Run(async ct =>
            {
                RecoveryResult result;
                try
                {
                    result = await service.RunAsync(plan, Operation, options, ct).ConfigureAwait(false);
                }
                catch (RecoveryCancelledException ex)
                {
                    Reporter.Warning(ex.Message);
                    throw;
                }
                // The result first: with $ErrorActionPreference = 'Stop' the first error below ends the cmdlet, and the run id,
                // timeline and what to resume must reach the caller anyway (also as each error's TargetObject).
                Emit(result);
                var (passed, item) = NotificationItems.For(result);
                if (passed) NoteSuccess(item.What);
                else if (result.Succeeded || !result.Failed.Any()) NoteFailure(item.What, item.ErrorId, item.NextStep ?? $"Continue with: {ResumeCommand(plan, result.RunId)}");
                if (result.Succeeded)
                {
                    if (reprotect) await ReprotectAfterFailoverAsync(plan, services, journals, ct).ConfigureAwait(false);
                    return;
                }
                var resume = ResumeCommand(plan, result.RunId);
                Reporter.Warning($"Recovery of plan '{result.Plan}' did not complete ({result.Summary}). " +
                                 $"Fix the cause and continue with: {resume} (finished steps are not repeated).");
                foreach (var failed in result.Failed)
                    EmitError(StepError(failed, result, resume));
            });
        }

        /// <summary>
        /// -Reprotect / reprotect.afterFailover: the re-protect as its own run after a successful failover. Its failure
        /// (the old region is often still down) leaves the failover a success and writes a non-terminating
        /// DrTools.NotProtected error saying to run Invoke-DrReprotect later.
        /// </summary>
        async System.Threading.Tasks.Task ReprotectAfterFailoverAsync(DrPlan plan, RecoveryServices services, RecoveryJournalStore journals, System.Threading.CancellationToken ct)
        {
            var planArgument = plan.CommandArgument("<plan>");
            var command = $"Invoke-DrReprotect -Plan {planArgument}" + JournalPathArgument;
            Reporter.Verbose($"Re-protecting plan '{plan.Name}' after the failover, as its own run ({ReprotectService.RunName(plan)}).");
            try
            {
                var result = await new ReprotectService(services, journals, Reporter).RunAsync(plan, new RecoveryOptions { Approve = ApproveAsync }, ct).ConfigureAwait(false);
                Emit(result);
                if (result.Succeeded) return;
                var failed = result.Failed.FirstOrDefault();
                EmitError(NotProtected(plan, $"the re-protect run {result.RunId} did not complete ({result.Summary})" +
                                             (failed != null ? $"; step {failed.StepId}: {failed.Message}" : ""),
                    result, $"Fix the cause, then run: {command} -Resume -RunId {result.RunId}", failed?.Error));
            }
            catch (DrToolsException ex)
            {
                EmitError(NotProtected(plan, ex.Message, plan.Name,
                    (ex.RecommendedAction is { Length: > 0 } a ? a.TrimEnd() + " " : "") + $"Run {command} later (when the region is reachable).", ex));
            }
        }

        static DrToolsException NotProtected(DrPlan plan, string why, object target, string action, Exception? inner) =>
            new(ErrorIds.NotProtected, DrErrorCategory.ResourceUnavailable,
                $"Plan '{plan.Name}' failed over successfully, but its database is not protected by a replica yet: {why}", target, action, inner);
    }

    /// <summary>
    /// The plumbing of the cmdlets that run (or read) a plan's journaled runs: recoveries and drills. Resolves -Plan,
    /// connects to the plan's DR region, opens -JournalPath (folder or S3), and asks the plan's approvals on the pipeline
    /// thread (or takes them from -Approve).
    /// </summary>
    public abstract class PlanRunCmdlet : DrCmdlet
    {
        DrPlan? _plan;
        PreApprovals? _preApproved;

        /// <summary>A plan object (Import-DrPlan), a .json/.psd1 path, or a hashtable.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
        [ValidateNotNull]
        [ArgumentCompleter(typeof(PlanFileCompleter))]
        public object Plan { get; set; } = null!;

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? RunId { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? JournalPath { get; set; }

        /// <summary>Work in the plan's DR region unless -Region says otherwise.</summary>
        protected override string? PlanRegion => _plan?.DrRegion;

        /// <summary>Validates -Plan (terminating DrTools.InvalidPlan) and remembers it for the region and prompts.</summary>
        protected DrPlan ResolvePlan() => _plan = PlanInput.Resolve(this, Plan);

        /// <summary>Resolves -Approve against the approval steps of <paramref name="whatIf"/> (DrTools.InvalidParameter for an unknown name).</summary>
        protected void PreApprove(RecoveryPlan whatIf, string[]? approve) => _preApproved = PreApprovals.Resolve(whatIf, approve);

        /// <summary>The -WhatIf lines saying which approvals are given in advance and which will be asked.</summary>
        protected string ApprovalLines(RecoveryPlan whatIf)
        {
            var text = "";
            foreach (var (id, question) in PreApprovals.ApprovalsOf(whatIf))
                text += Environment.NewLine + (_preApproved?.ApprovedStepIds.Contains(id) == true
                    ? $"Approval {id}: given in advance (-Approve): {question}"
                    : $"Approval {id}: asked during the run (default No; pass -Approve {id} for an unattended run): {question}");
            return text;
        }

        /// <summary>-NotifyTopicArn: one alert for the whole run (the failed steps' errors, or the result with -NotifyOnSuccess).</summary>
        protected override void EndProcessing() => SendNotification();

        /// <summary>-JournalPath, or the local journal folder (<see cref="DrCmdlet.OpenJournals(string?)"/>).</summary>
        protected RecoveryJournalStore OpenJournals() => OpenJournals(JournalPath);

        /// <summary>
        /// Ends the cmdlet with DrTools.WrongSide when the plan's active side record (in <paramref name="journals"/>) says
        /// the DR side is active already (failed over, not failed back): a second failover or a drill would work on the
        /// wrong side. A record that cannot be read ends it with DrTools.JournalError.
        /// </summary>
        protected void RefuseIfFailedOver(DrPlan plan, RecoveryJournalStore journals)
        {
            var store = new ActiveSideStore(journals);
            ActiveSide? record = null;
            Run(async ct => record = await store.LoadAsync(plan.Name, ct).ConfigureAwait(false));
            if (ActiveSideGuard.RefuseFailover(plan, record, MyInvocation.MyCommand.Name, store.PathOf(plan.Name)) is { } refused)
                ThrowTerminatingError(ErrorRecords.From(refused));
        }

        /// <summary>The command that continues this run, as the operator would type it.</summary>
        protected string ResumeCommand(DrPlan plan, string runId)
        {
            var planArgument = plan.CommandArgument("<plan>");
            return $"{MyInvocation.MyCommand.Name} -Plan {planArgument} -Resume -RunId {runId}" + JournalPathArgument;
        }

        /// <summary>" -JournalPath '...'" as the operator would type it when this run used one; "" when it did not.</summary>
        protected string JournalPathArgument => JournalPath != null ? " -JournalPath '" + JournalPath.Replace("'", "''") + "'" : "";

        /// <summary>A failed step's error, carrying <paramref name="target"/> (the whole result) and naming the resume command.</summary>
        protected static DrToolsException StepError(StepResult failed, object target, string resume, string then = "Then continue the run: ")
        {
            var cause = failed.Error as DrToolsException;
            var action = (cause?.RecommendedAction is { Length: > 0 } a ? a.TrimEnd() + (a.TrimEnd().EndsWith(".", StringComparison.Ordinal) ? " " : ". ") : "Fix the cause. ")
                         + then + resume;
            var message = cause != null ? $"Step {failed.StepId} failed: {cause.Message}" : $"Step {failed.StepId} ({failed.Description}) failed: {failed.Message}";
            return new DrToolsException(cause?.ErrorId ?? failed.ErrorId ?? ErrorIds.StepFailed, cause?.Category ?? DrErrorCategory.InvalidOperation,
                message, target, action, failed.Error)
            {
                AwsErrorCode = cause?.AwsErrorCode, RequestId = cause?.RequestId, Service = cause?.Service,
            };
        }

        /// <summary>
        /// A manual approval: given in advance by -Approve, or asked on the pipeline thread with No as the default
        /// answer (Enter at 3 a.m. must not move production traffic); a host that cannot ask means no approval.
        /// </summary>
        protected async Task<bool> ApproveAsync(string question, CancellationToken ct)
        {
            if (_preApproved?.IsApproved(question) == true)
            {
                Reporter.Warning($"Approval given in advance by -Approve: {question}");
                return true;
            }
            try
            {
                return await OnPipelineThreadAsync(() => AskNoByDefault(question, $"Plan '{_plan!.Name}': approval")).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is PSInvalidOperationException or System.Management.Automation.Host.HostException or NotSupportedException or NotImplementedException)
            {
                throw new DrToolsException(ErrorIds.ApprovalUnavailable, DrErrorCategory.InvalidOperation,
                    $"The plan asks for approval ('{question}') but this PowerShell host cannot ask: {ex.Message}", question,
                    "Run interactively, or give the approval in advance with -Approve (see -WhatIf for the names).", ex);
            }
        }

        bool AskNoByDefault(string question, string caption)
        {
            var choices = new System.Collections.ObjectModel.Collection<System.Management.Automation.Host.ChoiceDescription>
            {
                new("&Yes", "Approve: the run continues with the steps after this approval."),
                new("&No", "Do not approve: the steps after this approval do not start; resume the run later."),
            };
            var ui = Host?.UI ?? throw new PSInvalidOperationException("The host has no user interface.");
            return ui.PromptForChoice(caption, question, choices, 1) == 0;
        }
    }
}
