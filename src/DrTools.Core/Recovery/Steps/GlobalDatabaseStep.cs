using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Aws.Rds;
using DrTools.Core.Diagnostics;
using DrTools.Core.Recovery.Engine;

namespace DrTools.Core.Recovery.Steps
{
    /// <summary>
    /// Makes one cluster of an Aurora Global Database its writer. When the current writer (the primary cluster) answers
    /// and is available, a planned switchover (SwitchoverGlobalCluster: no data loss). Otherwise, in
    /// <see cref="GlobalDatabaseMode.Failover"/> mode only, a failover with data loss (FailoverGlobalCluster
    /// AllowDataLoss), and only when <see cref="AllowDataLoss"/> is set: without it DrTools.DataLossRisk, naming the
    /// replication lag (AuroraGlobalDBReplicationLag of the target) and the limit. The switchover step
    /// (<see cref="GlobalDatabaseMode.Switchover"/>) leaves an unhealthy primary to the failover step after it.
    /// Then it waits until the target is the writer, no switchover or failover is pending and the target is available.
    /// Done (<see cref="CheckDoneAsync"/>) when the target already is the writer with nothing pending.
    /// </summary>
    public sealed class GlobalDatabaseStep : RecoveryStepBase
    {
        public const string ClusterIdOutput = "dbClusterId";
        public const string SwitchedOutput = "switched";
        readonly IRdsClusterService _global;
        readonly Func<string, IRdsClusterService> _clustersIn;
        readonly IReplicaLagSource? _lag;

        /// <param name="global">Aurora in the target's region: describes the global database and sends the switchover/failover.</param>
        /// <param name="clustersIn">Aurora in any region: reads the current writer cluster in its own region (the health check).</param>
        /// <param name="targetClusterId">The cluster to make the writer; null: the global database's member in <paramref name="global"/>'s region.</param>
        public GlobalDatabaseStep(string id, GlobalDatabaseMode mode, IRdsClusterService global, Func<string, IRdsClusterService> clustersIn, IReplicaLagSource? lag,
            string globalClusterId, string? targetClusterId, TimeSpan maxLag, bool allowDataLoss) : base(id)
        {
            _global = global ?? throw new ArgumentNullException(nameof(global));
            _clustersIn = clustersIn ?? throw new ArgumentNullException(nameof(clustersIn));
            _lag = lag;
            Mode = mode;
            GlobalClusterId = globalClusterId;
            TargetClusterId = targetClusterId;
            MaxLag = maxLag;
            AllowDataLoss = allowDataLoss;
        }

        public GlobalDatabaseMode Mode { get; }
        public string GlobalClusterId { get; }
        public string? TargetClusterId { get; }
        public string TargetRegion => _global.Region;
        public TimeSpan MaxLag { get; }
        public bool AllowDataLoss { get; }
        /// <summary>How long the current writer may take to answer the health check before it counts as unhealthy.</summary>
        public TimeSpan HealthTimeout { get; init; } = TimeSpan.FromSeconds(30);
        /// <summary>A failback's switchover: an unhealthy current writer is DrTools.PrimaryNotReady, nothing is changed.</summary>
        public bool IsFailback { get; init; }

        public override StepKind Kind => Mode == GlobalDatabaseMode.Failover ? StepKind.FailoverGlobalDatabase : StepKind.SwitchoverGlobalDatabase;

        string Target => TargetClusterId ?? $"its member in {TargetRegion}";

        public override string Description => Mode == GlobalDatabaseMode.Failover
            ? $"If the primary cluster is unhealthy, fail over global database {GlobalClusterId} to {Target} in {TargetRegion} " +
              (AllowDataLoss ? "(data loss allowed)" : "(refused without -AllowDataLoss: writes not yet replicated would be lost)") +
              $"; replication lag limit {PromoteDatabaseStep.Text(MaxLag)}"
            : $"Switch over global database {GlobalClusterId} to {Target} in {TargetRegion} (planned, no data loss)" +
              (IsFailback ? " when the writer is healthy" : " when the primary cluster is healthy");

        public override IReadOnlyList<StepResource> Resources => new[]
        {
            new StepResource("AWS::RDS::GlobalCluster", GlobalClusterId, null, Mode == GlobalDatabaseMode.Failover ? "failover" : "switchover"),
            new StepResource("AWS::RDS::DBCluster", TargetClusterId ?? "(member in " + TargetRegion + ")", TargetRegion, "make writer"),
        };

        public override async Task<StepOutcome?> CheckDoneAsync(StepContext context, CancellationToken cancellationToken)
        {
            var global = await GetGlobalAsync(cancellationToken).ConfigureAwait(false);
            var target = FindTarget(global);
            if (target == null || !target.IsWriter || global.FailoverState != null) return null;
            var cluster = await _global.FindDBClusterAsync(ClusterId(target.DBClusterArn), cancellationToken).ConfigureAwait(false);
            if (cluster == null || cluster.Status != "available") return null;
            return Outcome($"{cluster.Identifier} already is the writer of global database {GlobalClusterId}", cluster, switched: false);
        }

        public override async Task<StepOutcome> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
        {
            var global = await GetGlobalAsync(cancellationToken).ConfigureAwait(false);
            var target = FindTarget(global) ?? throw new DrToolsException(ErrorIds.NotFound, DrErrorCategory.ObjectNotFound,
                $"Global database {GlobalClusterId} has no member cluster {Target} in {TargetRegion} (members: {string.Join(", ", global.Members.Select(m => m.DBClusterArn))}).",
                GlobalClusterId, "Check resources.database.replicaClusterId / clusterId and the regions in the plan (Test-DrPlan -Live checks this).");
            var targetId = ClusterId(target.DBClusterArn);
            if (global.FailoverState == null && !target.IsWriter)
            {
                var writer = global.Members.FirstOrDefault(m => m.IsWriter);
                var problem = writer == null ? "the global database has no writer cluster" : await WriterProblemAsync(writer, cancellationToken).ConfigureAwait(false);
                var lag = await ReadLagAsync(targetId, cancellationToken).ConfigureAwait(false);
                if (problem == null)
                {
                    if (lag.Lag is { } l && l > MaxLag)
                        context.Reporter.Warning($"{targetId} is {PromoteDatabaseStep.Text(l)} behind ({lag.Source}); the switchover waits until it has caught up (no data is lost).");
                    context.Reporter.Verbose($"SwitchoverGlobalCluster {GlobalClusterId} to {target.DBClusterArn} (writer {writer!.DBClusterArn} is available; lag {LagText(lag)}).");
                    await _global.SwitchoverGlobalClusterAsync(GlobalClusterId, target.DBClusterArn, cancellationToken).ConfigureAwait(false);
                    return await WaitAsync(context, targetId, target.DBClusterArn, $"Switched global database {GlobalClusterId} over to {targetId} (no data loss)", cancellationToken).ConfigureAwait(false);
                }
                if (IsFailback)
                    throw new DrToolsException(ErrorIds.PrimaryNotReady, DrErrorCategory.ResourceUnavailable,
                        $"Not switching global database {GlobalClusterId} back to {targetId}: {problem}.", GlobalClusterId,
                        "A failback is a planned switchover and needs the current writer available. Fix it and resume (-Resume).");
                if (Mode == GlobalDatabaseMode.Switchover)
                    return new StepOutcome($"No switchover: {problem}; the failover step decides (it needs -AllowDataLoss)", new[] { GlobalClusterId })
                        .WithOutput(SwitchedOutput, "false");
                var loss = lag.Lag is { } known ? $"up to {PromoteDatabaseStep.Text(known)} of writes ({lag.Source})" : $"writes not yet replicated, an unknown amount ({lag.Source})";
                if (!AllowDataLoss)
                    throw new DrToolsException(ErrorIds.DataLossRisk, DrErrorCategory.InvalidOperation,
                        $"Not failing over global database {GlobalClusterId} to {targetId}: {problem}, so only a failover with data loss is possible, and it would lose {loss}. " +
                        "Neither -AllowDataLoss nor the plan's allowDataLoss is set.", GlobalClusterId,
                        "If the primary region comes back, resume (-Resume): the recovery then switches over without data loss. If it is lost and losing those writes " +
                        "is acceptable, resume with -AllowDataLoss (-Force only skips the confirmation; it never allows data loss).");
                if (lag.Lag is not { } within || within > MaxLag)
                    context.Reporter.Warning($"Failing over {GlobalClusterId} to {targetId} with data loss: {problem}; this loses {loss}, " +
                                             $"beyond the {PromoteDatabaseStep.Text(MaxLag)} the plan allows (data loss allowed).");
                else
                    context.Reporter.Warning($"Failing over {GlobalClusterId} to {targetId} with data loss: {problem}; this loses {loss} (data loss allowed).");
                await _global.FailoverGlobalClusterAsync(GlobalClusterId, target.DBClusterArn, allowDataLoss: true, cancellationToken).ConfigureAwait(false);
                var done = await WaitAsync(context, targetId, target.DBClusterArn, $"Failed global database {GlobalClusterId} over to {targetId} (data loss allowed: {loss})", cancellationToken).ConfigureAwait(false);
                return done.WithOutput("dataLoss", lag.Lag is { } x ? PromoteDatabaseStep.Text(x) : "unknown");
            }
            // A switchover or failover is under way (a resumed run), or the target already writes: wait for it to settle.
            return await WaitAsync(context, targetId, target.DBClusterArn, $"{targetId} is the writer of global database {GlobalClusterId}", cancellationToken).ConfigureAwait(false);
        }

        async Task<StepOutcome> WaitAsync(StepContext context, string targetId, string targetArn, string message, CancellationToken ct)
        {
            var budget = WaitBudget(TimeSpan.FromMinutes(30));
            await _global.WaitForGlobalClusterAsync(GlobalClusterId,
                g => g.FailoverState == null && g.Members.Any(m => m.IsWriter && SameArn(m.DBClusterArn, targetArn)),
                $"{targetId} to be the writer with no switchover or failover pending", budget, context.Reporter, ct).ConfigureAwait(false);
            var cluster = await _global.WaitForDBClusterAvailableAsync(targetId, budget, context.Reporter, ct).ConfigureAwait(false);
            return Outcome(message + $"; it is writable at {cluster.EndpointAddress ?? "(endpoint pending)"}", cluster, switched: true);
        }

        /// <summary>Why the current writer cannot take part in a switchover (it does not answer, is missing or not available); null when it can.</summary>
        async Task<string?> WriterProblemAsync(GlobalClusterMember writer, CancellationToken ct)
        {
            var region = RegionOf(writer.DBClusterArn);
            var id = ClusterId(writer.DBClusterArn);
            if (region == null) return $"the writer {writer.DBClusterArn} is not a cluster ARN";
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(HealthTimeout);
            try
            {
                var cluster = await _clustersIn(region).FindDBClusterAsync(id, timeout.Token).ConfigureAwait(false);
                if (cluster == null) return $"the primary cluster {id} does not exist in {region}";
                return cluster.Status == "available" ? null : $"the primary cluster {id} in {region} is {cluster.Status}";
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                return $"the primary cluster {id} in {region} did not answer within {PromoteDatabaseStep.Text(HealthTimeout)}";
            }
            catch (DrToolsException ex)
            {
                return $"the primary cluster {id} in {region} could not be read ({ex.ErrorId}: {ex.Message})";
            }
        }

        async Task<ReplicaLagReading> ReadLagAsync(string targetId, CancellationToken ct) =>
            _lag == null ? new ReplicaLagReading(null, "no lag source")
                : await _lag.GetClusterLagAsync(TargetRegion, targetId, ct).ConfigureAwait(false);

        static string LagText(ReplicaLagReading r) => r.Lag is { } l ? $"{PromoteDatabaseStep.Text(l)}, {r.Source}" : "unknown, " + r.Source;

        async Task<GlobalCluster> GetGlobalAsync(CancellationToken ct) =>
            await _global.FindGlobalClusterAsync(GlobalClusterId, ct).ConfigureAwait(false)
            ?? throw new DrToolsException(ErrorIds.NotFound, DrErrorCategory.ObjectNotFound,
                $"The global database {GlobalClusterId} does not exist.", GlobalClusterId,
                "Check resources.database.globalClusterId in the plan (Test-DrPlan -Live checks this).");

        GlobalClusterMember? FindTarget(GlobalCluster g) =>
            g.Members.FirstOrDefault(m => RegionOf(m.DBClusterArn) == TargetRegion &&
                                          (TargetClusterId == null || string.Equals(ClusterId(m.DBClusterArn), TargetClusterId, StringComparison.OrdinalIgnoreCase)));

        static StepOutcome Outcome(string message, DbCluster cluster, bool switched)
        {
            var outcome = new StepOutcome(message, new[] { cluster.Identifier }).WithOutput(ClusterIdOutput, cluster.Identifier)
                .WithOutput(SwitchedOutput, switched ? "true" : "false");
            return cluster.EndpointAddress != null ? outcome.WithOutput("endpoint", cluster.EndpointAddress) : outcome;
        }

        static bool SameArn(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

        /// <summary>arn:aws:rds:REGION:ACCOUNT:cluster:ID -> REGION; null when not such an ARN.</summary>
        internal static string? RegionOf(string arn)
        {
            var parts = arn.Split(':');
            return parts.Length >= 7 && parts[0] == "arn" && parts[2] == "rds" && parts[5] == "cluster" ? parts[3] : null;
        }

        /// <summary>arn:aws:rds:REGION:ACCOUNT:cluster:ID -> ID (anything else is returned as it is).</summary>
        internal static string ClusterId(string arn)
        {
            var parts = arn.Split(':');
            return parts.Length >= 7 && parts[0] == "arn" && parts[5] == "cluster" ? parts[6] : arn;
        }
    }

    public enum GlobalDatabaseMode
    {
        /// <summary>switchover-db: a planned switchover when the primary is healthy; otherwise nothing (the failover step decides).</summary>
        Switchover,
        /// <summary>failover-db: a switchover when the primary is healthy again, else a failover with data loss (only when allowed).</summary>
        Failover,
    }
}
