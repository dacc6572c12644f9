using System;
using System.Collections.Generic;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Diagnostics;

namespace DrTools.Core.Recovery.Engine
{
    /// <summary>What the engine hands a running step.</summary>
    public sealed class StepContext
    {
        readonly Func<string, IReadOnlyDictionary<string, string>?> _outputsOf;
        readonly Func<string, CancellationToken, Task<bool>>? _approve;

        /// <summary>Public so steps can be unit-tested on their own; the engine builds the real one.</summary>
        public StepContext(string planName, string runId, string stepId, IOperationReporter? reporter = null, int attempt = 1,
            int progressActivityId = 100, int parentProgressActivityId = -1,
            Func<string, IReadOnlyDictionary<string, string>?>? outputsOf = null,
            Func<string, CancellationToken, Task<bool>>? approve = null)
        {
            PlanName = planName;
            RunId = runId;
            StepId = stepId;
            Reporter = reporter ?? NullReporter.Instance;
            Attempt = attempt;
            ProgressActivityId = progressActivityId;
            ParentProgressActivityId = parentProgressActivityId;
            _outputsOf = outputsOf ?? (_ => null);
            _approve = approve;
            ClientToken = MakeClientToken(planName, runId, stepId);
        }

        public string PlanName { get; }
        public string RunId { get; }
        public string StepId { get; }
        /// <summary>1 on the first try; higher when a resumed run tries a step that had started before (crash, Ctrl+C, failure).</summary>
        public int Attempt { get; }
        /// <summary>Verbose lines and warnings, already prefixed with the step id.</summary>
        public IOperationReporter Reporter { get; }
        /// <summary>The progress activity of this step; pass it to Aws.Waiter so waits show under the step.</summary>
        public int ProgressActivityId { get; }
        public int ParentProgressActivityId { get; }

        /// <summary>
        /// An idempotency token stable for this plan, run and step (≤ 64 ASCII characters, as EC2 ClientToken requires):
        /// a resumed run sends the same token, so AWS does not create a second copy of what the crashed run created.
        /// </summary>
        public string ClientToken { get; }

        /// <summary>The outputs of a finished step (including one finished in an earlier attempt of this run).</summary>
        /// <exception cref="InvalidOperationException">The step has not finished: a missing DependsOn.</exception>
        public IReadOnlyDictionary<string, string> OutputsOf(string stepId) =>
            _outputsOf(stepId) ?? throw new InvalidOperationException(
                $"Step '{StepId}' read the outputs of step '{stepId}', which has not finished; add it to DependsOn.");

        /// <summary>Asks the operator (the cmdlet prompts on the pipeline thread); true means go on.</summary>
        /// <exception cref="DrToolsException">DrTools.ApprovalUnavailable when no one can be asked (non-interactive run).</exception>
        public Task<bool> ApproveAsync(string question, CancellationToken cancellationToken)
        {
            if (_approve == null)
                throw new DrToolsException(ErrorIds.ApprovalUnavailable, DrErrorCategory.InvalidOperation,
                    $"Step '{StepId}' needs a manual approval, but this run has no way to ask: {question}", StepId,
                    "Run the recovery interactively, or remove the approval from the plan if the runbook is unattended.");
            return _approve(question, cancellationToken);
        }

        static string MakeClientToken(string plan, string run, string step)
        {
            using var sha = SHA256.Create();
            var hash = sha.ComputeHash(Encoding.UTF8.GetBytes(plan + "\n" + run + "\n" + step));
            var sb = new StringBuilder("drtools-", 64);
            for (var i = 0; i < 24; i++) sb.Append(hash[i].ToString("x2"));
            return sb.ToString();
        }
    }
}
