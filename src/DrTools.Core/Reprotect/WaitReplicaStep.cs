using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Aws.Rds;
using DrTools.Core.Diagnostics;
using DrTools.Core.Recovery.Engine;
using DrTools.Core.Recovery.Steps;

namespace DrTools.Core.Reprotect
{
    /// <summary>
    /// Waits, at most <see cref="MaxWait"/>, until the new replica reports its lag (IReplicaLagSource: CloudWatch
    /// ReplicaLag) and reports it. A lag above the RPO is a warning in the message (the replica is still catching up),
    /// not a failure; a lag still unknown after the wait is said plainly, also as a warning. The replica exists either
    /// way, so the step succeeds. Done when the lag is already known. Outputs: lagSeconds (or "unknown"), lagSource, withinRpo.
    /// </summary>
    public sealed class WaitReplicaStep : RecoveryStepBase
    {
        public const string LagSecondsOutput = "lagSeconds";
        readonly IRdsService _rds;
        readonly IReplicaLagSource _lag;

        /// <param name="rds">RDS in the replica's region.</param>
        public WaitReplicaStep(string id, IRdsService rds, IReplicaLagSource lag, string replicaId, DatabaseLocation writer, TimeSpan rpo) : base(id)
        {
            _rds = rds ?? throw new ArgumentNullException(nameof(rds));
            _lag = lag ?? throw new ArgumentNullException(nameof(lag));
            ReplicaId = replicaId;
            Writer = writer ?? throw new ArgumentNullException(nameof(writer));
            Rpo = rpo;
        }

        public string ReplicaId { get; }
        public DatabaseLocation Writer { get; }
        public TimeSpan Rpo { get; }
        public string Region => _rds.Region;
        /// <summary>How long to wait for a first lag reading (a new replica publishes ReplicaLag after a few minutes).</summary>
        public TimeSpan MaxWait { get; init; } = TimeSpan.FromMinutes(15);
        public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(30);

        public override StepKind Kind => StepKind.WaitReplica;
        public override string Description => $"Wait (at most {PromoteDatabaseStep.Text(MaxWait)}) until replica {ReplicaId} in {Region} reports its lag, and report it (RPO {PromoteDatabaseStep.Text(Rpo)})";
        public override IReadOnlyList<StepResource> Resources => new[]
        {
            new StepResource("AWS::RDS::DBInstance", ReplicaId, Region, "read replica lag"),
        };

        public override async Task<StepOutcome?> CheckDoneAsync(StepContext context, CancellationToken cancellationToken)
        {
            await GetReplicaAsync(cancellationToken).ConfigureAwait(false);
            var reading = await _lag.GetLagAsync(Region, ReplicaId, cancellationToken).ConfigureAwait(false);
            return reading.Lag == null ? null : Outcome(reading, context);
        }

        public override async Task<StepOutcome> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
        {
            var clock = Stopwatch.StartNew();
            while (true)
            {
                await GetReplicaAsync(cancellationToken).ConfigureAwait(false);
                var reading = await _lag.GetLagAsync(Region, ReplicaId, cancellationToken).ConfigureAwait(false);
                var left = MaxWait - clock.Elapsed;
                if (reading.Lag != null || left <= TimeSpan.Zero) return Outcome(reading, context);
                context.Reporter.Verbose($"Replica lag of {ReplicaId} not known yet ({reading.Source}); checking again in {PromoteDatabaseStep.Text(PollInterval)}.");
                await Task.Delay(PollInterval < left ? PollInterval : left, cancellationToken).ConfigureAwait(false);
            }
        }

        async Task<DbInstance> GetReplicaAsync(CancellationToken ct)
        {
            var db = await _rds.FindDBInstanceAsync(ReplicaId, ct).ConfigureAwait(false)
                     ?? throw new DrToolsException(ErrorIds.NotFound, DrErrorCategory.ObjectNotFound,
                         $"The replica {ReplicaId} does not exist in {Region}.", ReplicaId,
                         "The create-replica step should have created it; run Invoke-DrReprotect again (-Resume).");
            if (db.Status is "failed" or "deleting" or "deleted" or "incompatible-restore" or "incompatible-parameters" or "incompatible-network" or "storage-full")
                throw new DrToolsException(ErrorIds.InvalidState, DrErrorCategory.ResourceUnavailable,
                    $"The replica {ReplicaId} in {Region} is '{db.Status}': it does not replicate {Writer.Id}.", ReplicaId,
                    "Look at the instance's events in the RDS console; rename or remove it, then run Invoke-DrReprotect again.");
            return db;
        }

        StepOutcome Outcome(ReplicaLagReading reading, StepContext context)
        {
            string message;
            string within;
            if (reading.Lag is { } lag)
            {
                message = $"Replica {ReplicaId} ({Region}) replicates {Writer.Id} ({Writer.Region}): lag {PromoteDatabaseStep.Text(lag)} ({reading.Source})";
                within = lag <= Rpo ? "true" : "false";
                if (lag > Rpo)
                {
                    var warning = $"the lag is more than the RPO of {PromoteDatabaseStep.Text(Rpo)}: the replica is still catching up, and losing {Writer.Region} now would lose the writes it has not received";
                    message += "; WARNING: " + warning;
                    context.Reporter.Warning($"Replica {ReplicaId}: {warning}.");
                }
            }
            else
            {
                var warning = $"its replica lag is still unknown after {PromoteDatabaseStep.Text(MaxWait)} ({reading.Source}); replication may not have started yet. " +
                              "Check the ReplicaLag metric (Get-DrStatus) before relying on this replica";
                message = $"Replica {ReplicaId} ({Region}) of {Writer.Id} exists, but {warning}";
                within = "unknown";
                context.Reporter.Warning($"Replica {ReplicaId}: {warning}.");
            }
            return new StepOutcome(message, new[] { ReplicaId })
                .WithOutput(LagSecondsOutput, reading.Lag is { } l ? ((long)l.TotalSeconds).ToString(CultureInfo.InvariantCulture) : "unknown")
                .WithOutput("lagSource", reading.Source)
                .WithOutput("withinRpo", within);
        }
    }
}
