using System;
using System.Threading;
using System.Threading.Tasks;

namespace DrTools.Core.Recovery.Strategies
{
    /// <summary>What the operator chose for one run; null members fall back to the plan's options.</summary>
    public sealed record RecoveryOptions
    {
        /// <summary>Promote a replica whose lag is unknown or too high, or restore a snapshot older than the RPO.</summary>
        public bool AllowDataLoss { get; init; }
        /// <summary>Failback: skip the check that the primary is healthy and writable (-SkipPrimaryCheck). Never allows data loss.</summary>
        public bool SkipPrimaryCheck { get; init; }
        /// <summary>Failback of a database: how often the fence, catch-up and promote steps poll; null: their defaults (10 s, 30 s, 2 s).</summary>
        public TimeSpan? FailbackPollInterval { get; init; }
        /// <summary>Failback with data loss allowed: how long catch-up waits for a zero lag before accepting the lag as it is; null: 5 minutes.</summary>
        public TimeSpan? DataLossWait { get; init; }
        public bool Resume { get; init; }
        public string? RunId { get; init; }
        public bool? ContinueOnError { get; init; }
        public int? MaxParallelism { get; init; }
        public TimeSpan? StepTimeout { get; init; }
        /// <summary>Re-protect: how long wait-replica waits for the new replica's first lag reading; null: 15 minutes.</summary>
        public TimeSpan? ReplicaLagWait { get; init; }
        /// <summary>How often the re-protect steps poll while they wait; null: their defaults (tests set zero).</summary>
        internal TimeSpan? PollInterval { get; init; }
        /// <summary>Where the last step records which side is active; RecoveryService sets it to the journal store's (null: no record step).</summary>
        public DrTools.Core.Reprotect.ActiveSideStore? ActiveSides { get; init; }
        /// <summary>Asks the operator at manual approval steps; null: approvals fail with DrTools.ApprovalUnavailable.</summary>
        public Func<string, CancellationToken, Task<bool>>? Approve { get; init; }
    }

    /// <summary>Which way a recovery goes.</summary>
    public enum RecoveryOperation
    {
        /// <summary>Bring the application up in the DR region (the plan's strategy decides how).</summary>
        Failover,
        /// <summary>Return traffic to the primary site.</summary>
        Failback,
    }
}
