using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace DrTools.Core.Recovery.Engine
{
    /// <summary>What a step does; used for -WhatIf text, approvals ("pause before ChangeDns") and reports.</summary>
    public enum StepKind
    {
        LaunchInstances,
        PromoteDatabase,
        RestoreDatabase,
        ResizeDatabase,
        ScaleGroup,
        AssociateElasticIp,
        ChangeDns,
        ChangeTrafficWeights,
        WaitHealthy,
        ManualApproval,
        // After a failover, and the failback without data loss (Reprotect/, Recovery/Strategies/Failback.cs).
        SnapshotDatabase,
        CopySnapshot,
        SetAsideDatabase,
        CreateReplica,
        WaitReplica,
        FenceDatabase,
        WaitCatchUp,
        RecordActiveSide,
        // Aurora.
        SwitchoverGlobalDatabase,
        FailoverGlobalDatabase,
        RestoreCluster,
        Custom,
    }

    /// <summary>
    /// One resource a step reads or changes, for -WhatIf and the timeline.
    /// </summary>
    /// <param name="Type">CloudFormation-style type, e.g. "AWS::EC2::Instance", "AWS::RDS::DBInstance".</param>
    /// <param name="Id">Id or name ("orders-db-dr", "2 x web from ami-0abc").</param>
    /// <param name="Region">AWS region; null for global services (Route 53).</param>
    /// <param name="Action">What the step does to it ("launch", "promote", "scale to min 2/max 10/desired 4").</param>
    public sealed record StepResource(string Type, string Id, string? Region, string Action)
    {
        public override string ToString() => $"{Action}: {Type} {Id}" + (Region != null ? $" ({Region})" : "");
    }

    /// <summary>
    /// One unit of recovery work. Contract:
    /// <list type="bullet">
    /// <item><see cref="CheckDoneAsync"/> is the idempotency check: it looks at the real resources (existence,
    /// state, tags, client tokens) and returns an outcome when the work is already done, so a re-run skips it even
    /// without a journal. The engine calls it before every <see cref="ExecuteAsync"/>.</item>
    /// <item><see cref="ExecuteAsync"/> does the work and waits until it is complete (use Aws.Waiter); it must
    /// honour the token promptly and be safe to call again after a crash half-way (use <see cref="StepContext.ClientToken"/>).</item>
    /// <item>Failures are thrown as DrToolsException (mapped AWS errors); the engine records them.</item>
    /// </list>
    /// </summary>
    public interface IRecoveryStep
    {
        /// <summary>Unique within a recovery, stable across runs (the journal is keyed by it): "promote-db", "scale-web".</summary>
        string Id { get; }
        StepKind Kind { get; }
        /// <summary>One line for the host: "Promote read replica orders-db-dr in us-west-2".</summary>
        string Description { get; }
        /// <summary>Ids of the steps that must finish (succeed or be already done) first.</summary>
        IReadOnlyList<string> DependsOn { get; }
        /// <summary>The resources the step touches, shown by -WhatIf before anything changes.</summary>
        IReadOnlyList<StepResource> Resources { get; }
        /// <summary>Step-specific time limit; null uses the run's default.</summary>
        TimeSpan? Timeout { get; }

        /// <summary>Returns an outcome when the work is already done (the step is then skipped), else null.</summary>
        Task<StepOutcome?> CheckDoneAsync(StepContext context, CancellationToken cancellationToken);

        /// <summary>Does the work; returns what was done and the ids of the resources it created or changed.</summary>
        Task<StepOutcome> ExecuteAsync(StepContext context, CancellationToken cancellationToken);
    }

    /// <summary>What a step did (or found already done).</summary>
    public sealed class StepOutcome
    {
        public StepOutcome(string message, IEnumerable<string>? resourceIds = null, IReadOnlyDictionary<string, string>? outputs = null)
        {
            Message = message ?? "";
            ResourceIds = resourceIds?.ToArray() ?? Array.Empty<string>();
            Outputs = outputs ?? new Dictionary<string, string>();
        }

        public string Message { get; }
        /// <summary>Ids of the resources created or changed (instance ids, DB id, change id).</summary>
        public IReadOnlyList<string> ResourceIds { get; }
        /// <summary>Values later steps need (e.g. "instanceIds" -> "i-1,i-2"); saved in the journal so they survive a resume.</summary>
        public IReadOnlyDictionary<string, string> Outputs { get; }

        public static StepOutcome Done(string message, params string[] resourceIds) => new(message, resourceIds);

        /// <summary>A copy with one more output value.</summary>
        public StepOutcome WithOutput(string key, string value)
        {
            var outputs = new Dictionary<string, string>(Outputs.Count + 1, StringComparer.Ordinal);
            foreach (var kv in Outputs) outputs[kv.Key] = kv.Value;
            outputs[key] = value;
            return new StepOutcome(Message, ResourceIds, outputs);
        }

        public override string ToString() => Message;
    }
}
