using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace DrTools.Core.Recovery.Engine
{
    /// <summary>One recovery to run: the steps, the limits, and whether it is a new run or a resume.</summary>
    public sealed class RecoveryRequest
    {
        /// <summary>The plan's name; journals are kept per plan.</summary>
        public string PlanName { get; init; } = "";
        /// <summary>The strategy, as the plan spells it (PILOT_LIGHT...); carried into the result.</summary>
        public string? Strategy { get; init; }
        public TimeSpan? RtoTarget { get; init; }
        public IReadOnlyList<IRecoveryStep> Steps { get; init; } = Array.Empty<IRecoveryStep>();

        /// <summary>
        /// False: a new run (a new run id; steps whose work is already done are still skipped by their own check).
        /// True: continue an earlier run: the one named by <see cref="RunId"/>, else the newest unfinished run of
        /// the plan (DrTools.NotFound when there is none). Steps that run finished are not executed again.
        /// </summary>
        public bool Resume { get; init; }
        /// <summary>With <see cref="Resume"/>: the run to continue. Without: the id for the new run (default: a UTC timestamp plus random suffix).</summary>
        public string? RunId { get; init; }

        /// <summary>How many independent steps may run at once.</summary>
        public int MaxParallelism { get; init; } = 4;
        /// <summary>Time limit of a step that sets none itself.</summary>
        public TimeSpan DefaultStepTimeout { get; init; } = TimeSpan.FromMinutes(30);
        /// <summary>After a failure, keep starting steps that do not depend on the failed one.</summary>
        public bool ContinueOnError { get; init; }
        /// <summary>How long a step that ignores cancellation or its timeout is waited for before it is abandoned.</summary>
        public TimeSpan StopGracePeriod { get; init; } = TimeSpan.FromSeconds(5);

        /// <summary>
        /// Asks the operator a yes/no question (manual approval steps). The cmdlet layer supplies one that prompts on
        /// the pipeline thread; null means nobody can be asked and approval steps fail with DrTools.ApprovalUnavailable.
        /// </summary>
        public Func<string, CancellationToken, Task<bool>>? Approve { get; init; }
    }
}
