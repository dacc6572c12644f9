using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Aws.Rds;
using DrTools.Core.Recovery.Engine;
using DrTools.Core.Recovery.Steps;
using DrTools.Core.RecoveryPoints;

namespace DrTools.Core.Reprotect
{
    /// <summary>
    /// Takes a first manual snapshot of the writer right after it took over (the new primary has no backup of its own
    /// yet), tagged with the plan and the DrTools recovery point tags, and waits until it is available. The snapshot is
    /// named after the writer and the run start (<see cref="ReprotectNames.SnapshotId"/>): done when that snapshot exists.
    /// Outputs: snapshotId, snapshotArn, encrypted.
    /// </summary>
    public sealed class SnapshotDatabaseStep : RecoveryStepBase
    {
        public const string SnapshotIdOutput = "snapshotId";
        public const string SnapshotArnOutput = "snapshotArn";
        public const string EncryptedOutput = "encrypted";
        readonly IRdsService _rds;

        public SnapshotDatabaseStep(string id, IRdsService rds, DatabaseLocation writer) : base(id)
        {
            _rds = rds ?? throw new ArgumentNullException(nameof(rds));
            Writer = writer ?? throw new ArgumentNullException(nameof(writer));
        }

        public DatabaseLocation Writer { get; }
        /// <summary>The plan (DrTools:Plan tag); null: the run name.</summary>
        public string? Plan { get; init; }

        public override StepKind Kind => StepKind.SnapshotDatabase;
        public override string Description => $"Take a first snapshot of {Writer.Id} in {Writer.Region} ({Writer.Id}-reprotect-<run start>)";
        public override IReadOnlyList<StepResource> Resources => new[]
        {
            new StepResource("AWS::RDS::DBInstance", Writer.Id, Writer.Region, "snapshot"),
            new StepResource("AWS::RDS::DBSnapshot", Writer.Id + "-reprotect-<run start>", Writer.Region, "create"),
        };

        public override async Task<StepOutcome?> CheckDoneAsync(StepContext context, CancellationToken cancellationToken)
        {
            var name = ReprotectNames.SnapshotId(Writer.Id, context.RunId);
            var snapshot = await _rds.FindDBSnapshotAsync(name, cancellationToken).ConfigureAwait(false);
            if (snapshot == null) return null;
            if (snapshot.Status != "available")
                snapshot = await _rds.WaitForDBSnapshotAvailableAsync(name, WaitBudget(TimeSpan.FromHours(2)), context.Reporter, cancellationToken).ConfigureAwait(false);
            var writer = await ReprotectNames.FindWriterAsync(_rds, Writer, cancellationToken).ConfigureAwait(false);
            return Outcome($"Snapshot {name} of {Writer.Id} already exists and is available", snapshot, writer);
        }

        public override async Task<StepOutcome> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
        {
            var name = ReprotectNames.SnapshotId(Writer.Id, context.RunId);
            var writer = await ReprotectNames.FindWriterAsync(_rds, Writer, cancellationToken).ConfigureAwait(false);
            if (writer.Status != "available") // a promotion or resize may still be finishing
                writer = await _rds.WaitForDBInstanceAvailableAsync(Writer.Id, WaitBudget(TimeSpan.FromHours(2)), context.Reporter, cancellationToken).ConfigureAwait(false);
            var tags = ReprotectNames.Tags(context, Plan, "reprotect-snapshot");
            tags[RecoveryPointTags.CreatedBy] = RecoveryPointTags.DefaultCreatedBy();
            tags[RecoveryPointTags.Source] = Writer.Id;
            tags[RecoveryPointTags.Created] = RecoveryPointTags.FormatTime(DateTime.UtcNow);
            context.Reporter.Verbose($"CreateDBSnapshot {name} of {Writer.Id} in {Writer.Region}.");
            await _rds.CreateDBSnapshotAsync(Writer.Id, name, tags, cancellationToken).ConfigureAwait(false);
            var snapshot = await _rds.WaitForDBSnapshotAvailableAsync(name, WaitBudget(TimeSpan.FromHours(2)), context.Reporter, cancellationToken).ConfigureAwait(false);
            return Outcome($"Took snapshot {name} of {Writer.Id} in {Writer.Region}", snapshot, writer);
        }

        static StepOutcome Outcome(string message, DbSnapshot snapshot, DbInstance writer)
        {
            var outcome = new StepOutcome(message, new[] { snapshot.Identifier })
                .WithOutput(SnapshotIdOutput, snapshot.Identifier)
                .WithOutput(EncryptedOutput, (snapshot.Encrypted || writer.StorageEncrypted) ? "true" : "false");
            var arn = snapshot.Arn ?? ReprotectNames.SnapshotArn(writer, snapshot.Identifier);
            return arn != null ? outcome.WithOutput(SnapshotArnOutput, arn) : outcome;
        }
    }
}
