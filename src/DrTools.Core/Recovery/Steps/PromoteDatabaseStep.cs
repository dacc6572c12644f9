using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Aws.Rds;
using DrTools.Core.Diagnostics;
using DrTools.Core.Recovery.Engine;

namespace DrTools.Core.Recovery.Steps
{
    /// <summary>
    /// Promotes the DR read replica to a standalone, writable instance and waits until it is available.
    /// Data-loss rule: before promoting, the replica's lag must be known and within <see cref="MaxLag"/>; otherwise
    /// the step fails with DrTools.DataLossRisk unless <see cref="AllowDataLoss"/> (the plan's allowDataLoss or the
    /// cmdlet's -AllowDataLoss) is set. Done when the instance has no replication source and is available.
    /// </summary>
    public sealed class PromoteDatabaseStep : RecoveryStepBase
    {
        public const string InstanceIdOutput = "dbInstanceId";
        readonly IRdsService _rds;
        readonly IReplicaLagSource _lag;

        public PromoteDatabaseStep(string id, IRdsService rds, IReplicaLagSource lag, string replicaInstanceId, TimeSpan maxLag, bool allowDataLoss) : base(id)
        {
            _rds = rds ?? throw new ArgumentNullException(nameof(rds));
            _lag = lag ?? throw new ArgumentNullException(nameof(lag));
            ReplicaInstanceId = replicaInstanceId;
            MaxLag = maxLag;
            AllowDataLoss = allowDataLoss;
        }

        public string ReplicaInstanceId { get; }
        public TimeSpan MaxLag { get; }
        public bool AllowDataLoss { get; }
        /// <summary>Pause between the promote call and the first status poll (tests set zero).</summary>
        public TimeSpan PollDelay { get; init; } = TimeSpan.FromSeconds(2);

        public override StepKind Kind => StepKind.PromoteDatabase;
        public override string Description => $"Promote read replica {ReplicaInstanceId} in {_rds.Region} to a standalone database" +
                                               (AllowDataLoss ? " (data loss allowed)" : $" (replica lag must be known and at most {Text(MaxLag)})");
        public override IReadOnlyList<StepResource> Resources => new[]
        {
            new StepResource("AWS::RDS::DBInstance", ReplicaInstanceId, _rds.Region, "promote"),
        };

        public override async Task<StepOutcome?> CheckDoneAsync(StepContext context, CancellationToken cancellationToken)
        {
            var db = await GetAsync(cancellationToken).ConfigureAwait(false);
            if (db.IsReadReplica || db.Status != "available") return null;
            return Outcome($"{db.Identifier} is a standalone instance and available", db);
        }

        public override async Task<StepOutcome> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
        {
            var db = await GetAsync(cancellationToken).ConfigureAwait(false);
            if (db.IsReadReplica)
            {
                await CheckLagAsync(db, context, cancellationToken).ConfigureAwait(false);
                if (db.Status != "available")
                    db = await _rds.WaitForDBInstanceAvailableAsync(ReplicaInstanceId, WaitBudget(TimeSpan.FromMinutes(30)), context.Reporter, cancellationToken).ConfigureAwait(false);
                context.Reporter.Verbose($"PromoteReadReplica {ReplicaInstanceId} (source {db.ReadReplicaSource}).");
                await _rds.PromoteReadReplicaAsync(ReplicaInstanceId, null, cancellationToken).ConfigureAwait(false);
                // Promotion reboots the instance ("modifying", then "available"); give RDS a moment to leave "available".
                await Task.Delay(PollDelay, cancellationToken).ConfigureAwait(false);
            }
            db = await _rds.WaitForDBInstanceAvailableAsync(ReplicaInstanceId, WaitBudget(TimeSpan.FromMinutes(30)), context.Reporter, cancellationToken).ConfigureAwait(false);
            return Outcome($"Promoted {ReplicaInstanceId}; it is writable at {db.EndpointAddress ?? "(endpoint pending)"}", db);
        }

        async Task CheckLagAsync(DbInstance db, StepContext context, CancellationToken ct)
        {
            var reading = await _lag.GetLagAsync(_rds.Region, db.Identifier, ct).ConfigureAwait(false);
            string? problem = reading.Lag switch
            {
                null => $"its replica lag is unknown ({reading.Source})",
                { } lag when lag > MaxLag => $"it is {Text(lag)} behind its source ({reading.Source}), more than the {Text(MaxLag)} the plan allows",
                _ => null,
            };
            if (problem == null)
            {
                context.Reporter.Verbose($"Replica lag of {db.Identifier}: {Text(reading.Lag!.Value)} (limit {Text(MaxLag)}; {reading.Source}).");
                return;
            }
            if (AllowDataLoss)
            {
                context.Reporter.Warning($"Promoting {db.Identifier} although {problem}: writes not yet replicated from {db.ReadReplicaSource} are lost (data loss allowed).");
                return;
            }
            throw new DrToolsException(ErrorIds.DataLossRisk, DrErrorCategory.InvalidOperation,
                $"Not promoting {db.Identifier}: {problem}. Promoting now could lose the writes not yet replicated from {db.ReadReplicaSource}.",
                db.Identifier,
                "If the primary can still replicate, wait and resume (-Resume). If the primary is lost and losing those writes is acceptable, " +
                "resume with -AllowDataLoss (-Force only skips the confirmation; it never allows data loss).");
        }

        async Task<DbInstance> GetAsync(CancellationToken ct) =>
            await _rds.FindDBInstanceAsync(ReplicaInstanceId, ct).ConfigureAwait(false)
            ?? throw new DrToolsException(ErrorIds.NotFound, DrErrorCategory.ObjectNotFound,
                $"The read replica {ReplicaInstanceId} does not exist in {_rds.Region}.", ReplicaInstanceId,
                "Check resources.database.replicaInstanceId and drRegion in the plan (Test-DrPlan -Live checks this).");

        static StepOutcome Outcome(string message, DbInstance db)
        {
            var outcome = new StepOutcome(message, new[] { db.Identifier }).WithOutput(InstanceIdOutput, db.Identifier);
            return db.EndpointAddress != null ? outcome.WithOutput("endpoint", db.EndpointAddress) : outcome;
        }

        internal static string Text(TimeSpan t) =>
            t.TotalHours >= 1 ? $"{t.TotalHours:0.#} h" : t.TotalMinutes >= 1 ? $"{t.TotalMinutes:0.#} min" : $"{t.TotalSeconds:0.#} s";
    }
}
