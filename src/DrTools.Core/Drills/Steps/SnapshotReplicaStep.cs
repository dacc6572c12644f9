using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Aws.Rds;
using DrTools.Core.Diagnostics;
using DrTools.Core.Recovery.Engine;
using DrTools.Core.Recovery.Steps;

namespace DrTools.Core.Drills.Steps
{
    /// <summary>
    /// Drill: snapshots the DR read replica now (the replica keeps replicating; nothing is promoted) so a drill database
    /// can be restored from it. The snapshot is tagged with the drill's run id and deleted at cleanup. The replica lag read
    /// just before the snapshot is the RPO the drill reports for the database. Done when the snapshot exists.
    /// </summary>
    public sealed class SnapshotReplicaStep : RecoveryStepBase
    {
        public const string SnapshotTimeOutput = "snapshotTime";
        public const string LagSecondsOutput = "replicaLagSeconds";
        public const string LagSourceOutput = "replicaLagSource";
        readonly IRdsService _rds;
        readonly IReplicaLagSource _lag;
        readonly IReadOnlyDictionary<string, string> _tags;

        public SnapshotReplicaStep(string id, IRdsService rds, IReplicaLagSource lag, string replicaInstanceId, string snapshotId,
            IReadOnlyDictionary<string, string> tags) : base(id)
        {
            _rds = rds ?? throw new ArgumentNullException(nameof(rds));
            _lag = lag ?? throw new ArgumentNullException(nameof(lag));
            ReplicaInstanceId = replicaInstanceId;
            SnapshotId = snapshotId;
            _tags = tags;
        }

        public string ReplicaInstanceId { get; }
        public string SnapshotId { get; }
        public override StepKind Kind => StepKind.Custom;
        public override string Description => $"Snapshot read replica {ReplicaInstanceId} in {_rds.Region} as {SnapshotId} (the replica is not promoted)";
        public override IReadOnlyList<StepResource> Resources => new[]
        {
            new StepResource("AWS::RDS::DBInstance", ReplicaInstanceId, _rds.Region, "read replica lag; snapshot (not promoted)"),
            new StepResource("AWS::RDS::DBSnapshot", SnapshotId, _rds.Region, "create (drill-tagged, deleted at cleanup)"),
        };

        public override async Task<StepOutcome?> CheckDoneAsync(StepContext context, CancellationToken cancellationToken)
        {
            var snapshot = await _rds.FindDBSnapshotAsync(SnapshotId, cancellationToken).ConfigureAwait(false);
            if (snapshot == null) return null;
            if (snapshot.Status != "available")
                snapshot = await _rds.WaitForDBSnapshotAvailableAsync(SnapshotId, WaitBudget(TimeSpan.FromHours(2)), context.Reporter, cancellationToken).ConfigureAwait(false);
            return Outcome($"Snapshot {SnapshotId} of {ReplicaInstanceId} already exists", snapshot, null);
        }

        public override async Task<StepOutcome> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
        {
            var replica = await _rds.FindDBInstanceAsync(ReplicaInstanceId, cancellationToken).ConfigureAwait(false)
                ?? throw new DrToolsException(ErrorIds.NotFound, DrErrorCategory.ObjectNotFound,
                    $"The read replica {ReplicaInstanceId} does not exist in {_rds.Region}.", ReplicaInstanceId,
                    "Check resources.database.replicaInstanceId and drRegion in the plan (Test-DrPlan -Live checks this).");
            // Read before the snapshot: the data in it is at most this far behind the primary.
            var lag = await _lag.GetLagAsync(_rds.Region, replica.Identifier, cancellationToken).ConfigureAwait(false);
            context.Reporter.Verbose($"CreateDBSnapshot {SnapshotId} of {ReplicaInstanceId} (replica lag {(lag.Lag is { } l ? PromoteDatabaseStep.Text(l) : "unknown")}; {lag.Source}).");
            await _rds.CreateDBSnapshotAsync(ReplicaInstanceId, SnapshotId, _tags, cancellationToken).ConfigureAwait(false);
            var snapshot = await _rds.WaitForDBSnapshotAvailableAsync(SnapshotId, WaitBudget(TimeSpan.FromHours(2)), context.Reporter, cancellationToken).ConfigureAwait(false);
            return Outcome($"Snapshot {SnapshotId} of {ReplicaInstanceId} is available", snapshot, lag);
        }

        static StepOutcome Outcome(string message, DbSnapshot snapshot, ReplicaLagReading? lag)
        {
            var outcome = new StepOutcome(message, new[] { snapshot.Identifier }).WithOutput("snapshotId", snapshot.Identifier);
            if ((snapshot.OriginalSnapshotCreateTime ?? snapshot.SnapshotCreateTime) is { } t)
                outcome = outcome.WithOutput(SnapshotTimeOutput, DateTime.SpecifyKind(t, DateTimeKind.Utc).ToString("o", CultureInfo.InvariantCulture));
            if (lag?.Lag is { } l) outcome = outcome.WithOutput(LagSecondsOutput, l.TotalSeconds.ToString("R", CultureInfo.InvariantCulture));
            if (lag != null) outcome = outcome.WithOutput(LagSourceOutput, lag.Source);
            return outcome;
        }
    }
}
