using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Diagnostics;

namespace DrTools.Core.Aws.AutoScaling
{
    /// <summary>
    /// The Auto Scaling calls DR needs in one region: read groups, scale them up or down, pin the launch template
    /// version, pause/resume scaling processes, and wait for capacity to be in service.
    /// Every AWS failure is a <see cref="DrToolsException"/> with the AWS code and request id.
    /// </summary>
    public interface IAutoScalingService
    {
        string Region { get; }

        /// <summary>The named groups (all groups when <paramref name="names"/> is null or empty), across every page. Unknown names are simply absent.</summary>
        Task<IReadOnlyList<AutoScalingGroupInfo>> DescribeAutoScalingGroupsAsync(IReadOnlyList<string>? names = null,
            CancellationToken cancellationToken = default);

        /// <summary>One group, or null when it does not exist.</summary>
        Task<AutoScalingGroupInfo?> FindAutoScalingGroupAsync(string name, CancellationToken cancellationToken = default);

        /// <summary>Changes min/max/desired and/or the launch template (version). An unknown group is DrTools.NotFound.</summary>
        Task UpdateAutoScalingGroupAsync(AutoScalingGroupUpdate update, CancellationToken cancellationToken = default);

        /// <summary>
        /// Creates a group from a launch template (drills copy a standby group this way). No load balancers or target groups
        /// are attached: a copy must never receive the original group's traffic.
        /// </summary>
        Task CreateAutoScalingGroupAsync(AutoScalingGroupCreate request, CancellationToken cancellationToken = default);

        /// <summary>Deletes a group; <paramref name="forceDelete"/> terminates its instances too instead of refusing while it has any.</summary>
        Task DeleteAutoScalingGroupAsync(string name, bool forceDelete, CancellationToken cancellationToken = default);

        /// <summary>Sets the desired capacity (within min..max). <paramref name="honorCooldown"/>: wait for a cooldown in progress instead of overriding it.</summary>
        Task SetDesiredCapacityAsync(string name, int desiredCapacity, bool honorCooldown = false, CancellationToken cancellationToken = default);

        /// <summary>Suspends the given processes (see <see cref="ScalingProcesses"/>); null or empty = ALL processes.</summary>
        Task SuspendProcessesAsync(string name, IReadOnlyList<string>? processes, CancellationToken cancellationToken = default);

        /// <summary>Resumes the given processes; null or empty = ALL suspended processes.</summary>
        Task ResumeProcessesAsync(string name, IReadOnlyList<string>? processes, CancellationToken cancellationToken = default);

        /// <summary>
        /// Waits until at least <paramref name="count"/> instances are InService and Healthy (null = the group's desired
        /// capacity at each poll). An unknown group is DrTools.NotFound; a group being deleted fails the wait.
        /// </summary>
        Task<AutoScalingGroupInfo> WaitForInServiceAsync(string name, int? count, TimeSpan timeout, IOperationReporter? reporter = null,
            CancellationToken cancellationToken = default);
    }
}
