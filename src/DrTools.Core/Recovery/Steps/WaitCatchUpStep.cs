using System;
using System.Globalization;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Aws.Rds;
using DrTools.Core.Diagnostics;
using DrTools.Core.Recovery.Engine;

namespace DrTools.Core.Recovery.Steps
{
    /// <summary>
    /// Failback: after the fence, waits until the primary-region replica has replayed every write of the DR writer,
    /// i.e. until its replica lag reads 0 on a data point measured after the fence (a zero read before the fence, or
    /// one that does not say when it was measured, proves nothing). Without AllowDataLoss it waits up to the step
    /// timeout and then fails with DrTools.DataLossRisk (the fence stays in place; resume to wait again). With
    /// AllowDataLoss it accepts an unknown or non-zero lag after <see cref="DataLossWait"/> and says how much may be lost.
    /// Never "already done": replication is a fact of now (a resume skips it only when the journal has it finished).
    /// </summary>
    public sealed class WaitCatchUpStep : RecoveryStepBase
    {
        readonly IRdsService _rds;
        readonly IReplicaLagSource _lag;

        /// <param name="fenceStepId">The fence step; its <see cref="FenceDatabaseStep.FencedAtOutput"/> output says when writes stopped.</param>
        public WaitCatchUpStep(string id, IRdsService replicaRds, IReplicaLagSource lag, string replicaInstanceId, string fenceStepId, bool allowDataLoss) : base(id)
        {
            _rds = replicaRds ?? throw new ArgumentNullException(nameof(replicaRds));
            _lag = lag ?? throw new ArgumentNullException(nameof(lag));
            ReplicaInstanceId = replicaInstanceId ?? throw new ArgumentNullException(nameof(replicaInstanceId));
            FenceStepId = fenceStepId ?? throw new ArgumentNullException(nameof(fenceStepId));
            AllowDataLoss = allowDataLoss;
            After(fenceStepId);
        }

        public string ReplicaInstanceId { get; }
        public string FenceStepId { get; }
        public bool AllowDataLoss { get; }
        /// <summary>Pause between lag readings (CloudWatch publishes one a minute).</summary>
        public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(30);
        /// <summary>With AllowDataLoss: how long to wait for a zero lag before accepting what is known.</summary>
        public TimeSpan DataLossWait { get; init; } = TimeSpan.FromMinutes(5);

        public override StepKind Kind => StepKind.WaitCatchUp;
        public override string Description => $"Wait until replica {ReplicaInstanceId} in {_rds.Region} has caught up (replica lag 0 measured after the fence)" +
                                               (AllowDataLoss ? $"; data loss allowed: after {PromoteDatabaseStep.Text(DataLossWait)} accept the lag as it is" : "");
        public override IReadOnlyList<StepResource> Resources => new[]
        {
            new StepResource("AWS::RDS::DBInstance", ReplicaInstanceId, _rds.Region, "read replica lag"),
        };

        public override Task<StepOutcome?> CheckDoneAsync(StepContext context, CancellationToken cancellationToken) => Task.FromResult<StepOutcome?>(null);

        public override async Task<StepOutcome> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
        {
            var fencedAt = FencedAt(context);
            var started = DateTime.UtcNow;
            var budget = WaitBudget(TimeSpan.FromMinutes(30));
            // End a little before the engine's timeout, so the operator gets this step's explanation rather than a bare timeout.
            var deadline = started + budget - TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(10).Ticks, budget.Ticks / 4));
            var acceptAt = started + (DataLossWait < budget ? DataLossWait : budget);

            var db = await _rds.FindDBInstanceAsync(ReplicaInstanceId, cancellationToken).ConfigureAwait(false)
                     ?? throw new DrToolsException(ErrorIds.NotProtected, DrErrorCategory.ObjectNotFound,
                         $"The replica {ReplicaInstanceId} does not exist in {_rds.Region}; nothing can catch up.", ReplicaInstanceId,
                         "Re-protect the plan (Invoke-DrReprotect), then fail back again. The DR database stays fenced until then: undo the fence to serve from it.");
            if (!db.IsReadReplica)
                throw new DrToolsException(ErrorIds.PrimaryNotReady, DrErrorCategory.InvalidOperation,
                    $"{ReplicaInstanceId} in {_rds.Region} is no longer a read replica: it cannot catch up, and writes made on the DR database before the fence may be missing from it.",
                    ReplicaInstanceId, "Find out who promoted it. Fail back only from a replica that replicates (Invoke-DrReprotect creates one).");

            ReplicaLagReading? last = null;
            while (true)
            {
                var reading = await _lag.GetLagAsync(_rds.Region, ReplicaInstanceId, cancellationToken).ConfigureAwait(false);
                last = reading;
                if (reading.Lag == TimeSpan.Zero && reading.At is { } at && at >= fencedAt)
                    return Outcome($"{ReplicaInstanceId} has caught up: replica lag 0 at {at:u}, after the fence at {fencedAt:u} ({reading.Source})", "0");
                var now = DateTime.UtcNow;
                if (AllowDataLoss && now >= acceptAt)
                {
                    var lost = LossText(reading, fencedAt);
                    context.Reporter.Warning($"Promoting {ReplicaInstanceId} without a zero replica lag after the fence (data loss allowed): {lost}.");
                    return Outcome($"Data loss allowed: not caught up after {PromoteDatabaseStep.Text(now - started)}; {lost}",
                        reading.Lag is { } l ? l.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) : "unknown");
                }
                if (now >= deadline)
                    throw new DrToolsException(ErrorIds.DataLossRisk, DrErrorCategory.OperationTimeout,
                        $"Not promoting {ReplicaInstanceId}: its replica lag did not read 0 after the fence at {fencedAt:u} within {PromoteDatabaseStep.Text(budget)} " +
                        $"(last reading: {Describe(reading)}). Promoting now could lose the last writes made on the DR database.",
                        ReplicaInstanceId,
                        "The DR database stays fenced. Check the replication (RDS console: replica status and ReplicaLag), then resume (-Resume) to wait again; " +
                        "-AllowDataLoss promotes after a bounded wait whatever the lag.");
                context.Reporter.Verbose($"Replica lag of {ReplicaInstanceId}: {Describe(reading)}; waiting for 0 after {fencedAt:u}.");
                await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
            }
        }

        DateTimeOffset FencedAt(StepContext context)
        {
            var outputs = context.OutputsOf(FenceStepId);
            if (outputs.TryGetValue(FenceDatabaseStep.FencedAtOutput, out var text) &&
                DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at))
                return at;
            // No time recorded: only a reading from now on proves anything.
            return DateTimeOffset.UtcNow;
        }

        static string Describe(ReplicaLagReading r) =>
            (r.Lag is { } lag ? PromoteDatabaseStep.Text(lag) : "unknown") + (r.At is { } at ? $" at {at:u}" : "") + $" ({r.Source})";

        static string LossText(ReplicaLagReading r, DateTimeOffset fencedAt) => r.Lag switch
        {
            null => $"the lag is unknown ({r.Source}): any write made on the DR database may be lost",
            { } lag when r.At is { } at && at < fencedAt => $"the last lag reading ({PromoteDatabaseStep.Text(lag)} at {at:u}) is from before the fence: writes of up to about {PromoteDatabaseStep.Text(lag)} before the fence may be lost",
            { } lag => $"writes of the last {PromoteDatabaseStep.Text(lag)} before the fence may be lost ({r.Source})",
        };

        StepOutcome Outcome(string message, string lagSeconds) =>
            new StepOutcome(message, new[] { ReplicaInstanceId }).WithOutput("lagSeconds", lagSeconds);
    }
}
