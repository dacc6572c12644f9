using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Aws;
using DrTools.Core.Aws.Rds;
using DrTools.Core.Diagnostics;
using DrTools.Core.Recovery.Engine;

namespace DrTools.Core.Recovery.Steps
{
    /// <summary>
    /// Changes the DR database's instance class (the replica ran small to save cost) with ApplyImmediately and waits
    /// until the new class is in effect and the instance is available. Done when the class already is the target.
    /// </summary>
    public sealed class ResizeDatabaseStep : RecoveryStepBase
    {
        readonly IRdsService _rds;

        public ResizeDatabaseStep(string id, IRdsService rds, string instanceId, string targetInstanceClass) : base(id)
        {
            _rds = rds ?? throw new ArgumentNullException(nameof(rds));
            InstanceId = instanceId;
            TargetInstanceClass = targetInstanceClass;
        }

        public string InstanceId { get; }
        public string TargetInstanceClass { get; }
        public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(15);

        public override StepKind Kind => StepKind.ResizeDatabase;
        public override string Description => $"Resize database {InstanceId} in {_rds.Region} to {TargetInstanceClass}";
        public override IReadOnlyList<StepResource> Resources => new[]
        {
            new StepResource("AWS::RDS::DBInstance", InstanceId, _rds.Region, $"modify class to {TargetInstanceClass}"),
        };

        public override async Task<StepOutcome?> CheckDoneAsync(StepContext context, CancellationToken cancellationToken)
        {
            var db = await GetAsync(cancellationToken).ConfigureAwait(false);
            if (!IsTarget(db)) return null;
            if (db.Status != "available")
                db = await WaitAsync(context, cancellationToken).ConfigureAwait(false);
            return StepOutcome.Done($"{InstanceId} already is {TargetInstanceClass}", InstanceId);
        }

        public override async Task<StepOutcome> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
        {
            var db = await GetAsync(cancellationToken).ConfigureAwait(false);
            var from = db.InstanceClass ?? "?"; // read before the change: afterwards it is the target
            if (!string.Equals(db.PendingInstanceClass, TargetInstanceClass, StringComparison.OrdinalIgnoreCase))
            {
                context.Reporter.Verbose($"ModifyDBInstance {InstanceId}: {db.InstanceClass} -> {TargetInstanceClass}, applied immediately (a brief outage of this instance).");
                await _rds.ModifyDBInstanceAsync(new ModifyDbInstanceRequest
                {
                    DBInstanceIdentifier = InstanceId,
                    DBInstanceClass = TargetInstanceClass,
                    ApplyImmediately = true,
                }, cancellationToken).ConfigureAwait(false);
            }
            db = await WaitAsync(context, cancellationToken).ConfigureAwait(false);
            return StepOutcome.Done($"Resized {InstanceId} from {from} to {TargetInstanceClass}", InstanceId);
        }

        bool IsTarget(DbInstance db) => string.Equals(db.InstanceClass, TargetInstanceClass, StringComparison.OrdinalIgnoreCase);

        // Not the plain "available" waiter: right after the call the instance may still say available with the old class.
        Task<DbInstance> WaitAsync(StepContext context, CancellationToken ct) =>
            Waiter.UntilAsync($"database {InstanceId} to run as {TargetInstanceClass}", GetAsync,
                db => db.Status is "failed" or "incompatible-parameters" or "incompatible-network" or "storage-full" or "deleting"
                    ? WaitCheck.Failure(db.Status)
                    : IsTarget(db) && db.Status == "available" ? WaitCheck.Ready(db.Status) : WaitCheck.Pending($"{db.Status}, class {db.InstanceClass}"),
                WaitBudget(TimeSpan.FromMinutes(45)), PollInterval, context.Reporter, ct, context.ProgressActivityId);

        async Task<DbInstance> GetAsync(CancellationToken ct) =>
            await _rds.FindDBInstanceAsync(InstanceId, ct).ConfigureAwait(false)
            ?? throw new DrToolsException(ErrorIds.NotFound, DrErrorCategory.ObjectNotFound,
                $"The database {InstanceId} does not exist in {_rds.Region}.", InstanceId,
                "The promote or restore step before this one should have produced it; check the plan's database section.");
    }
}
