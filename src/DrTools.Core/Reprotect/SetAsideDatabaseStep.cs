using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Aws;
using DrTools.Core.Aws.Rds;
using DrTools.Core.Diagnostics;
using DrTools.Core.Recovery.Engine;
using DrTools.Core.Recovery.Steps;

namespace DrTools.Core.Reprotect
{
    /// <summary>
    /// Frees the replica's id in its region: an instance that holds it and is not a replica of the writer (the stale
    /// old primary after a failover) is renamed to &lt;id&gt;-old-&lt;run start&gt; with ModifyDBInstance
    /// NewDBInstanceIdentifier, applied immediately, and waited for until it is available under the new name. It is
    /// never deleted: its data (writes that never reached the DR region) may still be needed. Done when no instance holds
    /// the id, or the one that does already replicates the writer, or the renamed instance is available.
    /// Output: setAsideId (empty when nothing was set aside).
    /// </summary>
    public sealed class SetAsideDatabaseStep : RecoveryStepBase
    {
        public const string SetAsideIdOutput = "setAsideId";
        readonly IRdsService _rds;

        /// <param name="rds">RDS in the replica's region.</param>
        public SetAsideDatabaseStep(string id, IRdsService rds, DatabaseLocation writer, string instanceId) : base(id)
        {
            _rds = rds ?? throw new ArgumentNullException(nameof(rds));
            Writer = writer ?? throw new ArgumentNullException(nameof(writer));
            InstanceId = instanceId;
        }

        public DatabaseLocation Writer { get; }
        /// <summary>The id the replica will have.</summary>
        public string InstanceId { get; }
        public string Region => _rds.Region;
        public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(15);

        public override StepKind Kind => StepKind.SetAsideDatabase;
        public override string Description => $"Rename {InstanceId} in {Region} to {InstanceId}-old-<run start> if it is not a replica of {Writer.Id} (kept, never deleted)";
        public override IReadOnlyList<StepResource> Resources => new[]
        {
            new StepResource("AWS::RDS::DBInstance", InstanceId, Region, $"rename to {InstanceId}-old-<run start> (if not a replica of {Writer.Id})"),
        };

        public override async Task<StepOutcome?> CheckDoneAsync(StepContext context, CancellationToken cancellationToken)
        {
            var asideId = ReprotectNames.SetAsideId(InstanceId, context.RunId);
            var holder = await _rds.FindDBInstanceAsync(InstanceId, cancellationToken).ConfigureAwait(false);
            var aside = await _rds.FindDBInstanceAsync(asideId, cancellationToken).ConfigureAwait(false);
            if (holder != null)
            {
                if (!ReprotectNames.IsReplicaOf(holder, Writer)) return null;
                return Outcome($"{InstanceId} in {Region} already replicates {Writer.Id}; nothing to set aside" +
                               (aside != null ? $" ({aside.Identifier} was set aside earlier in this run)" : ""), aside?.Identifier);
            }
            if (aside == null)
                return Outcome($"No instance holds {InstanceId} in {Region}; nothing to set aside", null);
            if (aside.Status != "available") await WaitRenamedAsync(asideId, context, cancellationToken).ConfigureAwait(false);
            return Outcome($"{InstanceId} in {Region} was already renamed aside to {asideId} (kept)", asideId);
        }

        public override async Task<StepOutcome> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
        {
            var asideId = ReprotectNames.SetAsideId(InstanceId, context.RunId);
            var holder = await _rds.FindDBInstanceAsync(InstanceId, cancellationToken).ConfigureAwait(false);
            if (holder != null && !ReprotectNames.IsReplicaOf(holder, Writer))
            {
                if (holder.Status != "available")
                    holder = await _rds.WaitForDBInstanceAvailableAsync(InstanceId, WaitBudget(TimeSpan.FromHours(1)), context.Reporter, cancellationToken).ConfigureAwait(false);
                context.Reporter.Verbose($"ModifyDBInstance {InstanceId} in {Region}: NewDBInstanceIdentifier {asideId}, applied immediately " +
                                         $"(it was {(holder.IsReadReplica ? "a replica of " + holder.ReadReplicaSource : "a standalone instance")}).");
                await _rds.ModifyDBInstanceAsync(new ModifyDbInstanceRequest
                {
                    DBInstanceIdentifier = InstanceId,
                    NewDBInstanceIdentifier = asideId,
                    ApplyImmediately = true,
                }, cancellationToken).ConfigureAwait(false);
            }
            await WaitRenamedAsync(asideId, context, cancellationToken).ConfigureAwait(false);
            return Outcome($"Renamed {InstanceId} in {Region} to {asideId}; it is kept (delete it when its data is no longer needed)", asideId);
        }

        // Until the new name is available and the old one is free (RDS shows "renaming" in between).
        async Task WaitRenamedAsync(string asideId, StepContext context, CancellationToken ct) =>
            await Waiter.UntilAsync($"{InstanceId} in {Region} to be renamed to {asideId}",
                async c =>
                {
                    var renamed = await _rds.FindDBInstanceAsync(asideId, c).ConfigureAwait(false);
                    var old = renamed != null && renamed.Status == "available" ? await _rds.FindDBInstanceAsync(InstanceId, c).ConfigureAwait(false) : null;
                    return (renamed, old);
                },
                x => x.renamed == null ? WaitCheck.Pending("renaming")
                    : x.renamed.Status is "failed" or "deleting" or "deleted" ? WaitCheck.Failure(x.renamed.Status)
                    : x.renamed.Status != "available" ? WaitCheck.Pending(x.renamed.Status)
                    : x.old != null ? WaitCheck.Pending($"{InstanceId} still exists")
                    : WaitCheck.Ready("available"),
                WaitBudget(TimeSpan.FromMinutes(30)), PollInterval, context.Reporter, ct, context.ProgressActivityId).ConfigureAwait(false);

        StepOutcome Outcome(string message, string? asideId)
        {
            var outcome = new StepOutcome(message, asideId != null ? new[] { asideId } : null).WithOutput(SetAsideIdOutput, asideId ?? "");
            return outcome.WithOutput("region", Region);
        }
    }
}
