using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Aws.Rds;
using DrTools.Core.Diagnostics;
using DrTools.Core.Recovery.Engine;
using DrTools.Core.Recovery.Steps;

namespace DrTools.Core.Reprotect
{
    /// <summary>
    /// Creates the cross-region read replica that protects the writer (CreateDBInstanceReadReplica in the replica's
    /// region from the writer's ARN) and waits until it is available. Class, KMS key, subnet group and security groups
    /// come from the plan's re-protect settings, else from the instance set aside for it (the old primary), else the
    /// class is the writer's. Tagged DrTools:Plan and DrTools:Role=replica. Done when an instance with the replica's id
    /// already replicates the writer (it is then only waited for).
    /// </summary>
    public sealed class CreateReplicaStep : RecoveryStepBase
    {
        public const string ReplicaRole = "replica";
        readonly IRdsService _target;
        readonly IRdsService _source;

        /// <param name="target">RDS in the replica's region.</param>
        /// <param name="source">RDS in the writer's region.</param>
        /// <param name="setAsideStepId">The step that freed the id (its setAsideId output names the instance whose settings are reused); null: none.</param>
        public CreateReplicaStep(string id, IRdsService target, IRdsService source, DatabaseLocation writer, string replicaId, string? setAsideStepId) : base(id)
        {
            _target = target ?? throw new ArgumentNullException(nameof(target));
            _source = source ?? throw new ArgumentNullException(nameof(source));
            Writer = writer ?? throw new ArgumentNullException(nameof(writer));
            ReplicaId = replicaId;
            SetAsideStepId = setAsideStepId;
            if (setAsideStepId != null) After(setAsideStepId);
        }

        public DatabaseLocation Writer { get; }
        /// <summary>The plan (DrTools:Plan tag); null: the run name.</summary>
        public string? Plan { get; init; }
        public string ReplicaId { get; }
        public string? SetAsideStepId { get; }
        public string Region => _target.Region;
        public string? InstanceClass { get; init; }
        /// <summary>A KMS key in the replica's region; required for an encrypted writer unless the set-aside instance has one.</summary>
        public string? KmsKeyId { get; init; }
        public string? DBSubnetGroupName { get; init; }
        public IReadOnlyList<string> VpcSecurityGroupIds { get; init; } = Array.Empty<string>();

        public override StepKind Kind => StepKind.CreateReplica;
        public override string Description => $"Create read replica {ReplicaId} in {Region} of {Writer.Id} ({Writer.Region})" +
                                               (InstanceClass != null ? $" as {InstanceClass}" : "") + (KmsKeyId != null ? $", KMS key {KmsKeyId}" : "");
        public override IReadOnlyList<StepResource> Resources => new[]
        {
            new StepResource("AWS::RDS::DBInstance", ReplicaId, Region, $"create read replica of {Writer.Id} ({Writer.Region})"),
        };

        public override async Task<StepOutcome?> CheckDoneAsync(StepContext context, CancellationToken cancellationToken)
        {
            var existing = await _target.FindDBInstanceAsync(ReplicaId, cancellationToken).ConfigureAwait(false);
            if (existing == null || !ReprotectNames.IsReplicaOf(existing, Writer)) return null;
            if (existing.Status != "available")
                existing = await _target.WaitForDBInstanceAvailableAsync(ReplicaId, WaitBudget(TimeSpan.FromHours(3)), context.Reporter, cancellationToken).ConfigureAwait(false);
            return Outcome($"{ReplicaId} in {Region} already replicates {Writer.Id} and is available", existing);
        }

        public override async Task<StepOutcome> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
        {
            var existing = await _target.FindDBInstanceAsync(ReplicaId, cancellationToken).ConfigureAwait(false);
            var writer = await ReprotectNames.FindWriterAsync(_source, Writer, cancellationToken).ConfigureAwait(false);
            if (existing != null && !ReprotectNames.IsReplicaOf(existing, Writer, writer.Arn))
                throw new DrToolsException(ErrorIds.AlreadyExists, DrErrorCategory.ResourceExists,
                    $"DB instance {ReplicaId} in {Region} exists and is not a replica of {Writer.Id}" +
                    (existing.IsReadReplica ? $" (it replicates {existing.ReadReplicaSource})." : "."), ReplicaId,
                    $"Rename it (ModifyDBInstance -NewDBInstanceIdentifier) or remove it if it is no longer needed, then resume (-Resume).");
            if (writer.Arn == null)
                throw new DrToolsException(ErrorIds.InvalidState, DrErrorCategory.InvalidData,
                    $"DescribeDBInstances in {Writer.Region} returned no ARN for {Writer.Id}; a cross-region replica is created from the source's ARN.", Writer.Id,
                    "Check the endpoint and permissions (rds:DescribeDBInstances), then resume (-Resume).");
            DbInstance? aside = null;
            if (SetAsideStepId != null && context.OutputsOf(SetAsideStepId).TryGetValue(SetAsideDatabaseStep.SetAsideIdOutput, out var asideId) && asideId.Length > 0)
                aside = await _target.FindDBInstanceAsync(asideId, cancellationToken).ConfigureAwait(false);
            var instanceClass = InstanceClass ?? aside?.InstanceClass ?? writer.InstanceClass;
            var key = KmsKeyId ?? (writer.StorageEncrypted ? aside?.KmsKeyId : null);
            if (writer.StorageEncrypted && key == null)
                throw new DrToolsException(ErrorIds.InvalidParameter, DrErrorCategory.InvalidArgument,
                    $"{Writer.Id} is encrypted; its replica in {Region} needs a KMS key in {Region}, and there is no set-aside instance to take the key from.", Writer.Id,
                    $"Set resources.database.reprotect.kmsKeyId in the plan to a KMS key in {Region}, then resume (-Resume).");
            var subnetGroup = DBSubnetGroupName ?? aside?.DBSubnetGroupName;
            var securityGroups = VpcSecurityGroupIds.Count > 0 ? VpcSecurityGroupIds : aside?.VpcSecurityGroupIds is { Count: > 0 } g ? g : null;
            var tags = ReprotectNames.Tags(context, Plan, ReplicaRole);
            context.Reporter.Verbose($"CreateDBInstanceReadReplica {ReplicaId} in {Region} from {writer.Arn}: class {instanceClass ?? "(the source's)"}" +
                                     (key != null ? $", KMS key {key}" : "") + (subnetGroup != null ? $", subnet group {subnetGroup}" : "") +
                                     (securityGroups != null ? $", security groups {string.Join(",", securityGroups)}" : "") + ".");
            await _target.CreateDBInstanceReadReplicaAsync(new CreateReadReplicaRequest
            {
                DBInstanceIdentifier = ReplicaId,
                SourceDBInstance = writer.Arn,
                DBInstanceClass = instanceClass,
                KmsKeyId = key,
                DBSubnetGroupName = subnetGroup,
                VpcSecurityGroupIds = securityGroups,
                Tags = tags,
            }, cancellationToken).ConfigureAwait(false);
            var replica = await _target.WaitForDBInstanceAvailableAsync(ReplicaId, WaitBudget(TimeSpan.FromHours(3)), context.Reporter, cancellationToken).ConfigureAwait(false);
            return Outcome($"Created read replica {ReplicaId} in {Region} of {Writer.Id} ({Writer.Region})" +
                           (aside != null ? $", with the settings of {aside.Identifier}" : ""), replica);
        }

        StepOutcome Outcome(string message, DbInstance replica)
        {
            var outcome = new StepOutcome(message, new[] { replica.Identifier })
                .WithOutput(PromoteDatabaseStep.InstanceIdOutput, replica.Identifier)
                .WithOutput("region", Region);
            return replica.EndpointAddress != null ? outcome.WithOutput("endpoint", replica.EndpointAddress) : outcome;
        }
    }
}
