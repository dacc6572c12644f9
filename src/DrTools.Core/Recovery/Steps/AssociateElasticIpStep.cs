using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Aws.Ec2;
using DrTools.Core.Diagnostics;
using DrTools.Core.Recovery.Engine;

namespace DrTools.Core.Recovery.Steps
{
    /// <summary>
    /// Moves an Elastic IP to a recovered instance: a fixed instance id, or instance N of an app server role launched
    /// by a <see cref="LaunchInstancesStep"/> this step depends on. AllowReassociation: the address may be attached to
    /// a dead instance of the failed site. Done when the address is already on that instance.
    /// </summary>
    public sealed class AssociateElasticIpStep : RecoveryStepBase
    {
        public const string PublicIpOutput = "publicIp";
        readonly IEc2Service _ec2;

        /// <param name="launchStepId">The launch step whose instance gets the address (with <paramref name="index"/>), or null with <paramref name="instanceId"/>.</param>
        public AssociateElasticIpStep(string id, IEc2Service ec2, string allocationId, string? launchStepId, int index, string? instanceId) : base(id)
        {
            _ec2 = ec2 ?? throw new ArgumentNullException(nameof(ec2));
            if ((launchStepId == null) == (instanceId == null))
                throw new ArgumentException("Give either the launch step or a fixed instance id.");
            AllocationId = allocationId;
            LaunchStepId = launchStepId;
            Index = index;
            InstanceId = instanceId;
            if (launchStepId != null) After(launchStepId);
        }

        public string AllocationId { get; }
        public string? LaunchStepId { get; }
        public int Index { get; }
        public string? InstanceId { get; }

        string TargetText => InstanceId ?? $"instance {Index} of step {LaunchStepId}";
        public override StepKind Kind => StepKind.AssociateElasticIp;
        public override string Description => $"Associate Elastic IP {AllocationId} with {TargetText} in {_ec2.Region}";
        public override IReadOnlyList<StepResource> Resources => new[]
        {
            new StepResource("AWS::EC2::EIP", AllocationId, _ec2.Region, $"associate with {TargetText}"),
        };

        public override async Task<StepOutcome?> CheckDoneAsync(StepContext context, CancellationToken cancellationToken)
        {
            var target = Target(context);
            var address = await GetAsync(cancellationToken).ConfigureAwait(false);
            return address.InstanceId == target ? Outcome($"{address.PublicIp} ({AllocationId}) is already on {target}", address, target) : null;
        }

        public override async Task<StepOutcome> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
        {
            var target = Target(context);
            var before = await GetAsync(cancellationToken).ConfigureAwait(false);
            if (before.InstanceId != null)
                context.Reporter.Verbose($"{before.PublicIp} is attached to {before.InstanceId}; moving it to {target}.");
            await _ec2.AssociateAddressAsync(AllocationId, target, allowReassociation: true, cancellationToken).ConfigureAwait(false);
            var after = await GetAsync(cancellationToken).ConfigureAwait(false);
            return Outcome($"Associated {after.PublicIp} ({AllocationId}) with {target}", after, target);
        }

        string Target(StepContext context)
        {
            if (InstanceId != null) return InstanceId;
            var outputs = context.OutputsOf(LaunchStepId!);
            var ids = outputs.TryGetValue(LaunchInstancesStep.InstanceIdsOutput, out var v) ? v.Split(new[] { ',' }, StringSplitOptions.RemoveEmptyEntries) : Array.Empty<string>();
            if (Index >= ids.Length)
                throw new DrToolsException(ErrorIds.InvalidState, DrErrorCategory.InvalidOperation,
                    $"Step {LaunchStepId} launched {ids.Length} instance(s); the Elastic IP {AllocationId} wants instance {Index}.", AllocationId,
                    "Check resources.elasticIps[].index against the app server's count in the plan.");
            return ids[Index];
        }

        async Task<Ec2Address> GetAsync(CancellationToken ct) =>
            (await _ec2.DescribeAddressesAsync(new[] { AllocationId }, null, ct).ConfigureAwait(false)).FirstOrDefault()
            ?? throw new DrToolsException(ErrorIds.NotFound, DrErrorCategory.ObjectNotFound,
                $"The Elastic IP {AllocationId} does not exist in {_ec2.Region}.", AllocationId,
                "Check resources.elasticIps[].allocationId; Elastic IPs belong to one region (the plan's drRegion).");

        static StepOutcome Outcome(string message, Ec2Address address, string instanceId) =>
            new StepOutcome(message, new[] { address.AllocationId ?? "", instanceId }).WithOutput(PublicIpOutput, address.PublicIp);
    }
}
