using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Aws.AutoScaling;
using DrTools.Core.Diagnostics;
using DrTools.Core.Plans;
using DrTools.Core.Recovery.Engine;
using DrTools.Core.Recovery.Steps;

namespace DrTools.Core.Drills.Steps
{
    /// <summary>
    /// Drill: creates a copy of a standby Auto Scaling group at production size, from the same launch template (the
    /// plan's launchTemplateVersion and instance type when given), in the same subnets or the drill subnet, without load
    /// balancers or target groups, tagged with the drill's run id; waits until its instances are in service. The plan's
    /// group is only read. Done when the copy exists (it is then waited for).
    /// </summary>
    public sealed class CopyGroupStep : RecoveryStepBase
    {
        readonly IAutoScalingService _asg;
        readonly IReadOnlyDictionary<string, string> _tags;

        public CopyGroupStep(string id, IAutoScalingService asg, AutoScalingGroupSpec source, string copyName, string? subnetId,
            IReadOnlyDictionary<string, string> tags) : base(id)
        {
            _asg = asg ?? throw new ArgumentNullException(nameof(asg));
            Source = source ?? throw new ArgumentNullException(nameof(source));
            CopyName = copyName;
            SubnetId = subnetId;
            _tags = tags;
        }

        public AutoScalingGroupSpec Source { get; }
        public string CopyName { get; }
        public string? SubnetId { get; }
        int Size => Source.Production.Desired;

        public override StepKind Kind => StepKind.ScaleGroup;
        public override string Description =>
            $"Create drill Auto Scaling group {CopyName} in {_asg.Region} from the launch template of {Source.Name}, {Size} instance(s)" +
            (Source.LaunchTemplateVersion != null ? $", template version {Source.LaunchTemplateVersion}" : "") + " (the plan's group is not changed)";
        public override IReadOnlyList<StepResource> Resources => new[]
        {
            new StepResource("AWS::AutoScaling::AutoScalingGroup", Source.Name, _asg.Region, "read launch template and subnets (not resized)"),
            new StepResource("AWS::AutoScaling::AutoScalingGroup", CopyName, _asg.Region,
                $"create with {Size} instance(s)" + (Source.InstanceType != null ? $" of {Source.InstanceType}" : "") + (SubnetId != null ? $" in {SubnetId}" : "") +
                ", no load balancers (deleted at cleanup)"),
        };

        public override async Task<StepOutcome?> CheckDoneAsync(StepContext context, CancellationToken cancellationToken)
        {
            var copy = await _asg.FindAutoScalingGroupAsync(CopyName, cancellationToken).ConfigureAwait(false);
            if (copy == null) return null;
            return await WaitAsync(context, $"Drill group {CopyName} already exists", cancellationToken).ConfigureAwait(false);
        }

        public override async Task<StepOutcome> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
        {
            var source = await _asg.FindAutoScalingGroupAsync(Source.Name, cancellationToken).ConfigureAwait(false)
                ?? throw new DrToolsException(ErrorIds.NotFound, DrErrorCategory.ObjectNotFound,
                    $"The Auto Scaling group {Source.Name} does not exist in {_asg.Region}.", Source.Name,
                    "Check resources.autoScalingGroups[].name and region in the plan (Test-DrPlan -Live checks this).");
            var template = source.LaunchTemplate
                ?? throw new DrToolsException(ErrorIds.InvalidState, DrErrorCategory.InvalidOperation,
                    $"The Auto Scaling group {Source.Name} launches from launch configuration '{source.LaunchConfigurationName}', not a launch template; a drill cannot copy it.",
                    Source.Name, "Move the group to a launch template, or set drill.autoScalingGroups to SKIP in the plan.");
            var subnets = SubnetId != null ? new[] { SubnetId } : source.Subnets;
            context.Reporter.Verbose($"CreateAutoScalingGroup {CopyName} from {template} ({Size} instance(s)).");
            await _asg.CreateAutoScalingGroupAsync(new AutoScalingGroupCreate
            {
                AutoScalingGroupName = CopyName,
                LaunchTemplate = new LaunchTemplateRef
                {
                    LaunchTemplateId = template.LaunchTemplateId,
                    LaunchTemplateName = template.LaunchTemplateId == null ? template.LaunchTemplateName : null,
                    Version = Source.LaunchTemplateVersion ?? template.Version,
                },
                InstanceType = Source.InstanceType,
                MinSize = Size,
                MaxSize = Size,
                DesiredCapacity = Size,
                Subnets = subnets,
                AvailabilityZones = subnets.Count == 0 ? source.AvailabilityZones : Array.Empty<string>(),
                Tags = _tags,
            }, cancellationToken).ConfigureAwait(false);
            return await WaitAsync(context, $"Created drill group {CopyName} from {Source.Name}'s launch template", cancellationToken).ConfigureAwait(false);
        }

        async Task<StepOutcome> WaitAsync(StepContext context, string message, CancellationToken ct)
        {
            var group = Size > 0
                ? await _asg.WaitForInServiceAsync(CopyName, Size, WaitBudget(TimeSpan.FromMinutes(30)), context.Reporter, ct).ConfigureAwait(false)
                : null;
            var ids = group?.Instances.Where(i => i.IsInServiceAndHealthy).Select(i => i.InstanceId).OrderBy(i => i, StringComparer.Ordinal).ToList() ?? new List<string>();
            return new StepOutcome($"{message}; {ids.Count} instance(s) in service", new[] { CopyName }.Concat(ids))
                .WithOutput("groupName", CopyName).WithOutput(LaunchInstancesStep.InstanceIdsOutput, string.Join(",", ids));
        }
    }
}
