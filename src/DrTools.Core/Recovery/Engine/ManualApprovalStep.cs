using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Diagnostics;

namespace DrTools.Core.Recovery.Engine
{
    /// <summary>
    /// A pause until the operator says go (e.g. "the primary site is fenced, switch DNS?"). Asks through
    /// <see cref="RecoveryRequest.Approve"/>; "no" fails the step with DrTools.ApprovalDenied, so its dependents do not
    /// start and a resumed run asks again. Once approved, a resume does not ask again (the journal has it).
    /// </summary>
    public sealed class ManualApprovalStep : IRecoveryStep
    {
        public ManualApprovalStep(string id, string question, IEnumerable<string>? dependsOn = null)
        {
            if (string.IsNullOrWhiteSpace(id)) throw new ArgumentException("A step id is required.", nameof(id));
            Id = id;
            Question = string.IsNullOrWhiteSpace(question) ? "Continue the recovery?" : question;
            DependsOn = dependsOn != null ? new List<string>(dependsOn) : new List<string>();
        }

        public string Id { get; }
        public string Question { get; }
        public StepKind Kind => StepKind.ManualApproval;
        public string Description => "Wait for approval: " + Question;
        public IReadOnlyList<string> DependsOn { get; }
        public IReadOnlyList<StepResource> Resources => Array.Empty<StepResource>();
        /// <summary>A person may take long to answer at 3 a.m.; the run's default step timeout does not apply.</summary>
        public TimeSpan? Timeout { get; init; } = TimeSpan.FromHours(12);

        /// <summary>An approval is never "already done" outside the journal of its run.</summary>
        public Task<StepOutcome?> CheckDoneAsync(StepContext context, CancellationToken cancellationToken) => Task.FromResult<StepOutcome?>(null);

        public async Task<StepOutcome> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
        {
            if (await context.ApproveAsync(Question, cancellationToken).ConfigureAwait(false))
                return StepOutcome.Done($"Approved: {Question}");
            throw new DrToolsException(ErrorIds.ApprovalDenied, DrErrorCategory.OperationStopped,
                $"The operator declined: {Question}", Id,
                "The steps after this approval were not started. Resume the run (-Resume) when ready to continue.");
        }
    }
}
