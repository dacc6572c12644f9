using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Aws.Rds;
using DrTools.Core.Diagnostics;
using DrTools.Core.Recovery.Engine;
using DrTools.Core.Recovery.Steps;
using DrTools.Core.RecoveryPoints;

namespace DrTools.Core.Reprotect
{
    /// <summary>
    /// Copies the writer's first snapshot (from <see cref="SnapshotStepId"/>) to the replica's region under the same
    /// name, so a backup of the new primary survives the loss of its region too; waits until the copy is available.
    /// An encrypted snapshot is copied with the plan's re-protect KMS key, else the key of the instance that held the
    /// replica's id in that region (the old primary). Done when the copy exists there.
    /// </summary>
    public sealed class CopySnapshotStep : RecoveryStepBase
    {
        readonly IRdsService _target;

        /// <param name="target">RDS in the region the copy goes to.</param>
        /// <param name="kmsKeyId">A key in the target region (plan); null: the old instance's key.</param>
        /// <param name="oldInstanceId">The id of the instance that held the replica's id in the target region (its key is reused).</param>
        public CopySnapshotStep(string id, IRdsService target, DatabaseLocation writer, string snapshotStepId, string? kmsKeyId, string oldInstanceId) : base(id)
        {
            _target = target ?? throw new ArgumentNullException(nameof(target));
            Writer = writer ?? throw new ArgumentNullException(nameof(writer));
            SnapshotStepId = snapshotStepId;
            KmsKeyId = kmsKeyId;
            OldInstanceId = oldInstanceId;
            After(snapshotStepId);
        }

        public DatabaseLocation Writer { get; }
        /// <summary>The plan (DrTools:Plan tag); null: the run name.</summary>
        public string? Plan { get; init; }
        public string SnapshotStepId { get; }
        public string? KmsKeyId { get; }
        public string OldInstanceId { get; }
        public string TargetRegion => _target.Region;

        public override StepKind Kind => StepKind.CopySnapshot;
        public override string Description => $"Copy the snapshot of {Writer.Id} from {Writer.Region} to {TargetRegion}" +
                                               (KmsKeyId != null ? $" (KMS key {KmsKeyId})" : "");
        public override IReadOnlyList<StepResource> Resources => new[]
        {
            new StepResource("AWS::RDS::DBSnapshot", Writer.Id + "-reprotect-<run start>", TargetRegion, "copy from " + Writer.Region),
        };

        public override async Task<StepOutcome?> CheckDoneAsync(StepContext context, CancellationToken cancellationToken)
        {
            var name = ReprotectNames.SnapshotId(Writer.Id, context.RunId);
            var copy = await _target.FindDBSnapshotAsync(name, cancellationToken).ConfigureAwait(false);
            if (copy == null) return null;
            if (copy.Status != "available")
                copy = await _target.WaitForDBSnapshotAvailableAsync(name, WaitBudget(TimeSpan.FromHours(3)), context.Reporter, cancellationToken).ConfigureAwait(false);
            return Outcome($"The copy {name} already exists in {TargetRegion} and is available", copy);
        }

        public override async Task<StepOutcome> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
        {
            var outputs = context.OutputsOf(SnapshotStepId);
            var name = outputs.TryGetValue(SnapshotDatabaseStep.SnapshotIdOutput, out var n) ? n : ReprotectNames.SnapshotId(Writer.Id, context.RunId);
            if (!outputs.TryGetValue(SnapshotDatabaseStep.SnapshotArnOutput, out var arn))
                throw new DrToolsException(ErrorIds.InvalidState, DrErrorCategory.InvalidData,
                    $"Snapshot {name} of {Writer.Id} in {Writer.Region} has no ARN, so it cannot be copied to {TargetRegion}.", name,
                    $"Copy it by hand (Copy-DrBackup) or check that DescribeDBSnapshots in {Writer.Region} returns its ARN, then resume (-Resume).");
            var encrypted = outputs.TryGetValue(SnapshotDatabaseStep.EncryptedOutput, out var e) && e == "true";
            var key = KmsKeyId;
            if (encrypted && key == null)
            {
                var old = await _target.FindDBInstanceAsync(OldInstanceId, cancellationToken).ConfigureAwait(false)
                          ?? await _target.FindDBInstanceAsync(ReprotectNames.SetAsideId(OldInstanceId, context.RunId), cancellationToken).ConfigureAwait(false);
                key = old?.KmsKeyId ?? throw new DrToolsException(ErrorIds.InvalidParameter, DrErrorCategory.InvalidArgument,
                    $"Snapshot {name} of {Writer.Id} is encrypted; copying it to {TargetRegion} needs a KMS key in {TargetRegion}, and there is no " +
                    $"instance {OldInstanceId} there to take the key from.", name,
                    $"Set resources.database.reprotect.kmsKeyId in the plan to a KMS key in {TargetRegion}, then resume (-Resume).");
            }
            var tags = ReprotectNames.Tags(context, Plan, "reprotect-snapshot");
            tags[RecoveryPointTags.CreatedBy] = RecoveryPointTags.DefaultCreatedBy();
            tags[RecoveryPointTags.Source] = Writer.Id;
            tags[RecoveryPointTags.Created] = RecoveryPointTags.FormatTime(DateTime.UtcNow);
            tags[RecoveryPointTags.CopyOf] = RecoveryPointTags.Pair(Writer.Region, name);
            context.Reporter.Verbose($"CopyDBSnapshot {arn} -> {name} in {TargetRegion}" + (key != null ? $" (KMS key {key})." : "."));
            await _target.CopyDBSnapshotAsync(new CopyDbSnapshotRequest
            {
                SourceSnapshot = arn,
                TargetSnapshotIdentifier = name,
                KmsKeyId = encrypted ? key : null,
                Tags = tags,
            }, cancellationToken).ConfigureAwait(false);
            var copy = await _target.WaitForDBSnapshotAvailableAsync(name, WaitBudget(TimeSpan.FromHours(3)), context.Reporter, cancellationToken).ConfigureAwait(false);
            return Outcome($"Copied snapshot {name} of {Writer.Id} from {Writer.Region} to {TargetRegion}", copy);
        }

        StepOutcome Outcome(string message, DbSnapshot copy) =>
            new StepOutcome(message, new[] { copy.Identifier })
                .WithOutput("snapshotId", copy.Identifier)
                .WithOutput("region", TargetRegion);
    }
}
