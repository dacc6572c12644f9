using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Aws.AutoScaling;
using DrTools.Core.Diagnostics;
using DrTools.Core.Plans;
using DrTools.Core.Recovery.Engine;

namespace DrTools.Core.Recovery.Steps
{
    /// <summary>
    /// Sets an Auto Scaling group to a size (production on recovery, standby on failback), optionally pinning the
    /// launch template version, and waits until the desired number of instances is InService and Healthy.
    /// Done when the group already has that size (and version) and enough healthy instances.
    /// </summary>
    public sealed class ScaleGroupStep : RecoveryStepBase
    {
        readonly IAutoScalingService _asg;

        public ScaleGroupStep(string id, IAutoScalingService asg, string groupName, GroupSize size, string? launchTemplateVersion = null,
            string? expectedInstanceType = null) : base(id)
        {
            _asg = asg ?? throw new ArgumentNullException(nameof(asg));
            GroupName = groupName;
            Size = size;
            LaunchTemplateVersion = launchTemplateVersion;
            ExpectedInstanceType = expectedInstanceType;
        }

        public string GroupName { get; }
        public GroupSize Size { get; }
        public string? LaunchTemplateVersion { get; }
        /// <summary>The plan's production instance type: the launch template version must provide it; a mismatch warns.</summary>
        public string? ExpectedInstanceType { get; }

        public override StepKind Kind => StepKind.ScaleGroup;
        public override string Description => $"Scale Auto Scaling group {GroupName} in {_asg.Region} to {Size}" +
                                               (LaunchTemplateVersion != null ? $", launch template version {LaunchTemplateVersion}" : "");
        public override IReadOnlyList<StepResource> Resources => new[]
        {
            new StepResource("AWS::AutoScaling::AutoScalingGroup", GroupName, _asg.Region,
                $"scale to min {Size.Min}/max {Size.Max}/desired {Size.Desired}" + (LaunchTemplateVersion != null ? $", template version {LaunchTemplateVersion}" : "")),
        };

        public override async Task<StepOutcome?> CheckDoneAsync(StepContext context, CancellationToken cancellationToken)
        {
            var group = await GetAsync(cancellationToken).ConfigureAwait(false);
            if (!HasSize(group) || !HasVersion(group) || group.InServiceHealthyCount < Size.Desired) return null;
            return StepOutcome.Done($"{GroupName} already runs {group.InServiceHealthyCount} healthy instance(s) at {Size}", GroupName);
        }

        public override async Task<StepOutcome> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
        {
            var group = await GetAsync(cancellationToken).ConfigureAwait(false);
            if (!HasSize(group) || !HasVersion(group))
            {
                context.Reporter.Verbose($"UpdateAutoScalingGroup {GroupName}: min {group.MinSize}/max {group.MaxSize}/desired {group.DesiredCapacity} -> {Size}.");
                await _asg.UpdateAutoScalingGroupAsync(new AutoScalingGroupUpdate
                {
                    AutoScalingGroupName = GroupName,
                    MinSize = Size.Min,
                    MaxSize = Size.Max,
                    DesiredCapacity = Size.Desired,
                    LaunchTemplate = LaunchTemplateVersion != null ? new LaunchTemplateRef { Version = LaunchTemplateVersion } : null,
                }, cancellationToken).ConfigureAwait(false);
            }
            group = await _asg.WaitForInServiceAsync(GroupName, Size.Desired, WaitBudget(TimeSpan.FromMinutes(30)), context.Reporter, cancellationToken).ConfigureAwait(false);
            if (ExpectedInstanceType != null)
            {
                var other = group.Instances.Where(i => i.IsInServiceAndHealthy && i.InstanceType != null &&
                                                       !string.Equals(i.InstanceType, ExpectedInstanceType, StringComparison.OrdinalIgnoreCase)).ToList();
                if (other.Count > 0)
                    context.Reporter.Warning($"{other.Count} instance(s) of {GroupName} run as {string.Join(", ", other.Select(i => i.InstanceType).Distinct())}, " +
                                             $"not {ExpectedInstanceType} as the plan says; give the group a launch template version with that type (launchTemplateVersion).");
            }
            return StepOutcome.Done($"Scaled {GroupName} to {Size}; {group.InServiceHealthyCount} instance(s) in service", GroupName);
        }

        bool HasSize(AutoScalingGroupInfo g) => g.MinSize == Size.Min && g.MaxSize == Size.Max && g.DesiredCapacity == Size.Desired;

        bool HasVersion(AutoScalingGroupInfo g) =>
            LaunchTemplateVersion == null || string.Equals(g.LaunchTemplate?.Version, LaunchTemplateVersion, StringComparison.Ordinal);

        async Task<AutoScalingGroupInfo> GetAsync(CancellationToken ct) =>
            await _asg.FindAutoScalingGroupAsync(GroupName, ct).ConfigureAwait(false)
            ?? throw new DrToolsException(ErrorIds.NotFound, DrErrorCategory.ObjectNotFound,
                $"The Auto Scaling group {GroupName} does not exist in {_asg.Region}.", GroupName,
                "Check resources.autoScalingGroups[].name and region in the plan (Test-DrPlan -Live checks this).");
    }
}
