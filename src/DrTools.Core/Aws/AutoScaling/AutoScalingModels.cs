using System;
using System.Collections.Generic;
using System.Linq;
using System.Xml.Linq;
using DrTools.Core.Aws.Wire;

namespace DrTools.Core.Aws.AutoScaling
{
    /// <summary>A launch template reference: id or name, and a version ("$Latest", "$Default" or a number).</summary>
    public sealed record LaunchTemplateRef
    {
        public string? LaunchTemplateId { get; init; }
        public string? LaunchTemplateName { get; init; }
        public string? Version { get; init; }

        internal static LaunchTemplateRef? Parse(XElement? x) => x == null ? null : new LaunchTemplateRef
        {
            LaunchTemplateId = x.Child("LaunchTemplateId"),
            LaunchTemplateName = x.Child("LaunchTemplateName"),
            Version = x.Child("Version"),
        };

        public override string ToString() => $"{LaunchTemplateId ?? LaunchTemplateName} version {Version ?? "$Default"}";
    }

    /// <summary>One instance of a group as Auto Scaling sees it.</summary>
    public sealed record AutoScalingInstance
    {
        public string InstanceId { get; init; } = "";
        public string? InstanceType { get; init; }
        public string? AvailabilityZone { get; init; }
        /// <summary>Pending, InService, Terminating, Standby, Pending:Wait, Terminating:Wait...</summary>
        public string LifecycleState { get; init; } = "";
        /// <summary>Healthy or Unhealthy.</summary>
        public string HealthStatus { get; init; } = "";
        public LaunchTemplateRef? LaunchTemplate { get; init; }
        public string? LaunchConfigurationName { get; init; }
        public bool ProtectedFromScaleIn { get; init; }
        public bool IsInServiceAndHealthy => LifecycleState == "InService" && HealthStatus == "Healthy";

        internal static AutoScalingInstance Parse(XElement x) => new()
        {
            InstanceId = x.Child("InstanceId") ?? "",
            InstanceType = x.Child("InstanceType"),
            AvailabilityZone = x.Child("AvailabilityZone"),
            LifecycleState = x.Child("LifecycleState") ?? "",
            HealthStatus = x.Child("HealthStatus") ?? "",
            LaunchTemplate = LaunchTemplateRef.Parse(x.Element("LaunchTemplate")),
            LaunchConfigurationName = x.Child("LaunchConfigurationName"),
            ProtectedFromScaleIn = x.Bool("ProtectedFromScaleIn"),
        };
    }

    /// <summary>A process Auto Scaling is not running for a group (Launch, Terminate, HealthCheck, AZRebalance...).</summary>
    public sealed record SuspendedProcess(string ProcessName, string? SuspensionReason);

    /// <summary>An Auto Scaling group: capacity, what it launches, its instances and suspended processes.</summary>
    public sealed record AutoScalingGroupInfo
    {
        public string Name { get; init; } = "";
        public string? Arn { get; init; }
        public int MinSize { get; init; }
        public int MaxSize { get; init; }
        public int DesiredCapacity { get; init; }
        /// <summary>The group's launch template; for a mixed-instances group, the policy's template.</summary>
        public LaunchTemplateRef? LaunchTemplate { get; init; }
        public bool UsesMixedInstancesPolicy { get; init; }
        public string? LaunchConfigurationName { get; init; }
        public IReadOnlyList<string> AvailabilityZones { get; init; } = Array.Empty<string>();
        /// <summary>Subnet ids (from the comma-separated VPCZoneIdentifier).</summary>
        public IReadOnlyList<string> Subnets { get; init; } = Array.Empty<string>();
        public string? HealthCheckType { get; init; }
        public int? HealthCheckGracePeriod { get; init; }
        public IReadOnlyList<string> TargetGroupArns { get; init; } = Array.Empty<string>();
        public IReadOnlyList<string> LoadBalancerNames { get; init; } = Array.Empty<string>();
        public IReadOnlyList<AutoScalingInstance> Instances { get; init; } = Array.Empty<AutoScalingInstance>();
        public IReadOnlyList<SuspendedProcess> SuspendedProcesses { get; init; } = Array.Empty<SuspendedProcess>();
        /// <summary>Set while the group is being deleted ("Delete in progress").</summary>
        public string? Status { get; init; }
        public DateTime? CreatedTime { get; init; }
        public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();
        public string Region { get; init; } = "";

        public int InServiceHealthyCount => Instances.Count(i => i.IsInServiceAndHealthy);

        internal static AutoScalingGroupInfo Parse(XElement x, string region)
        {
            var top = LaunchTemplateRef.Parse(x.Element("LaunchTemplate"));
            var mixed = LaunchTemplateRef.Parse(x.Element("MixedInstancesPolicy")?.Element("LaunchTemplate")?.Element("LaunchTemplateSpecification"));
            return new AutoScalingGroupInfo
            {
                Name = x.Child("AutoScalingGroupName") ?? "",
                Arn = x.Child("AutoScalingGroupARN"),
                MinSize = x.Int("MinSize") ?? 0,
                MaxSize = x.Int("MaxSize") ?? 0,
                DesiredCapacity = x.Int("DesiredCapacity") ?? 0,
                LaunchTemplate = top ?? mixed,
                UsesMixedInstancesPolicy = x.Element("MixedInstancesPolicy") != null,
                LaunchConfigurationName = x.Child("LaunchConfigurationName"),
                AvailabilityZones = x.Strings("AvailabilityZones"),
                Subnets = (x.Child("VPCZoneIdentifier") ?? "").Split(new[] { ',' }, StringSplitOptions.RemoveEmptyEntries).Select(s => s.Trim()).ToList(),
                HealthCheckType = x.Child("HealthCheckType"),
                HealthCheckGracePeriod = x.Int("HealthCheckGracePeriod"),
                TargetGroupArns = x.Strings("TargetGroupARNs"),
                LoadBalancerNames = x.Strings("LoadBalancerNames"),
                Instances = x.Items("Instances").Select(AutoScalingInstance.Parse).ToList(),
                SuspendedProcesses = x.Items("SuspendedProcesses")
                    .Select(p => new SuspendedProcess(p.Child("ProcessName") ?? "", p.Child("SuspensionReason"))).ToList(),
                Status = x.Child("Status"),
                CreatedTime = x.Date("CreatedTime"),
                Tags = x.Tags("Tags"),
                Region = region,
            };
        }
    }

    /// <summary>UpdateAutoScalingGroup: only the members that are set are changed.</summary>
    public sealed record AutoScalingGroupUpdate
    {
        public string AutoScalingGroupName { get; init; } = "";
        public int? MinSize { get; init; }
        public int? MaxSize { get; init; }
        public int? DesiredCapacity { get; init; }
        /// <summary>
        /// The template to launch from. With only <see cref="LaunchTemplateRef.Version"/> set, the group's current template
        /// (id) is kept and only the version changes.
        /// </summary>
        public LaunchTemplateRef? LaunchTemplate { get; init; }
    }

    /// <summary>CreateAutoScalingGroup from a launch template, in subnets or availability zones, with tags.</summary>
    public sealed record AutoScalingGroupCreate
    {
        public string AutoScalingGroupName { get; init; } = "";
        /// <summary>Template id or name and version; required.</summary>
        public LaunchTemplateRef LaunchTemplate { get; init; } = new();
        /// <summary>Launch this type instead of the template's (sent as a mixed instances policy with one override).</summary>
        public string? InstanceType { get; init; }
        public int MinSize { get; init; }
        public int MaxSize { get; init; }
        public int? DesiredCapacity { get; init; }
        /// <summary>Subnet ids (VPCZoneIdentifier); give these or <see cref="AvailabilityZones"/>.</summary>
        public IReadOnlyList<string> Subnets { get; init; } = Array.Empty<string>();
        public IReadOnlyList<string> AvailabilityZones { get; init; } = Array.Empty<string>();
        /// <summary>Group tags, propagated to the instances it launches.</summary>
        public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();
    }

    /// <summary>The Auto Scaling process names SuspendProcesses/ResumeProcesses accept.</summary>
    public static class ScalingProcesses
    {
        public const string Launch = "Launch";
        public const string Terminate = "Terminate";
        public const string HealthCheck = "HealthCheck";
        public const string ReplaceUnhealthy = "ReplaceUnhealthy";
        public const string AZRebalance = "AZRebalance";
        public const string AlarmNotification = "AlarmNotification";
        public const string ScheduledActions = "ScheduledActions";
        public const string AddToLoadBalancer = "AddToLoadBalancer";
        public const string InstanceRefresh = "InstanceRefresh";
    }
}
