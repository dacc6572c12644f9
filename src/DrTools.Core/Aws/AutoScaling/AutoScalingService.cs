using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using System.Xml.Linq;
using DrTools.Core.Aws.Wire;
using DrTools.Core.Connection;
using DrTools.Core.Diagnostics;

namespace DrTools.Core.Aws.AutoScaling
{
    /// <summary>
    /// <see cref="IAutoScalingService"/> on the Query-protocol <see cref="AutoScalingClient"/> (API 2011-01-01).
    /// Replacing the wire client with AWSSDK.AutoScaling would change only this class.
    /// </summary>
    public sealed class AutoScalingService : IAutoScalingService, IDisposable
    {
        const string Service = "AutoScaling";
        const int PageSize = 100;

        readonly AutoScalingClient _client;
        readonly AwsConnection _connection;

        /// <param name="client">Client for <paramref name="connection"/>'s region; the service disposes it.</param>
        public AutoScalingService(AutoScalingClient client, AwsConnection connection)
        {
            _client = client ?? throw new ArgumentNullException(nameof(client));
            _connection = connection ?? throw new ArgumentNullException(nameof(connection));
        }

        public static AutoScalingService Create(IAwsClientFactory clients, string? region = null)
        {
            var connection = region == null ? clients.Connection : clients.Connection.ForRegion(region);
            return new AutoScalingService(clients.AutoScaling(connection.Region), connection);
        }

        public string Region => _connection.Region;

        /// <summary>Time between polls of the waiter (botocore's GroupInService waiter uses 15 s).</summary>
        public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(15);

        public void Dispose() => _client.Dispose();

        public async Task<IReadOnlyList<AutoScalingGroupInfo>> DescribeAutoScalingGroupsAsync(IReadOnlyList<string>? names = null,
            CancellationToken cancellationToken = default)
        {
            var groups = new List<AutoScalingGroupInfo>();
            var wanted = names?.Where(n => !string.IsNullOrWhiteSpace(n)).Distinct(StringComparer.Ordinal).ToList() ?? new List<string>();
            // AWS accepts at most MaxRecords names per call.
            var batches = wanted.Count == 0 ? new List<List<string>> { wanted }
                : wanted.Select((n, i) => (n, i)).GroupBy(x => x.i / PageSize, x => x.n).Select(g => g.ToList()).ToList();
            foreach (var batch in batches)
            {
                var what = batch.Count == 1 ? GroupName(batch[0]) : $"Auto Scaling groups in {Region}";
                string? token = null;
                var seen = new HashSet<string>(StringComparer.Ordinal);
                do
                {
                    var p = new QueryParams()
                        .AddList("AutoScalingGroupNames", "member", batch)
                        .Add("NextToken", token)
                        .Add("MaxRecords", PageSize);
                    var page = await CallAsync("DescribeAutoScalingGroups", p, what, batch.Count == 1 ? batch[0] : null, cancellationToken)
                        .ConfigureAwait(false);
                    groups.AddRange(page.Items("AutoScalingGroups").Select(x => AutoScalingGroupInfo.Parse(x, Region)));
                    token = page.Child("NextToken");
                    if (string.IsNullOrEmpty(token)) token = null;
                    else if (!seen.Add(token!))
                        throw new DrToolsException(ErrorIds.ServiceError, DrErrorCategory.InvalidData,
                            $"Auto Scaling DescribeAutoScalingGroups returned the same NextToken twice for {what}; stopping instead of looping.", null,
                            "Re-run; if it persists, the endpoint is not paging correctly.") { Service = Service };
                } while (token != null);
            }
            return groups;
        }

        public async Task<AutoScalingGroupInfo?> FindAutoScalingGroupAsync(string name, CancellationToken cancellationToken = default)
        {
            Require(name, "Auto Scaling group name");
            var found = await DescribeAutoScalingGroupsAsync(new[] { name }, cancellationToken).ConfigureAwait(false);
            return found.FirstOrDefault(g => string.Equals(g.Name, name, StringComparison.Ordinal));
        }

        public async Task UpdateAutoScalingGroupAsync(AutoScalingGroupUpdate update, CancellationToken cancellationToken = default)
        {
            if (update == null) throw new ArgumentNullException(nameof(update));
            Require(update.AutoScalingGroupName, "Auto Scaling group name");
            var name = update.AutoScalingGroupName;
            if (update.MinSize is < 0 || update.MaxSize is < 0 || update.DesiredCapacity is < 0)
                throw Invalid($"Sizes of {GroupName(name)} cannot be negative.", name);
            if (update.MinSize is { } min && update.MaxSize is { } max && min > max)
                throw Invalid($"MinSize {min} is larger than MaxSize {max} for {GroupName(name)}.", name);

            var template = update.LaunchTemplate;
            if (template != null && template.LaunchTemplateId == null && template.LaunchTemplateName == null)
                template = await CurrentTemplateWithVersionAsync(name, template.Version, cancellationToken).ConfigureAwait(false);

            var p = new QueryParams()
                .Add("AutoScalingGroupName", name)
                .Add("LaunchTemplate.LaunchTemplateId", template?.LaunchTemplateId)
                .Add("LaunchTemplate.LaunchTemplateName", template?.LaunchTemplateId == null ? template?.LaunchTemplateName : null)
                .Add("LaunchTemplate.Version", template?.Version)
                .Add("MinSize", update.MinSize)
                .Add("MaxSize", update.MaxSize)
                .Add("DesiredCapacity", update.DesiredCapacity);
            await CallAsync("UpdateAutoScalingGroup", p, GroupName(name), name, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>A version-only change keeps the group's template: AWS needs its id alongside the version.</summary>
        async Task<LaunchTemplateRef> CurrentTemplateWithVersionAsync(string name, string? version, CancellationToken ct)
        {
            if (string.IsNullOrWhiteSpace(version))
                throw Invalid($"Give a launch template id, name or version for {GroupName(name)}.", name);
            var group = await FindAutoScalingGroupAsync(name, ct).ConfigureAwait(false) ?? throw NotFound(name);
            if (group.UsesMixedInstancesPolicy)
                throw Invalid($"{GroupName(name)} launches from a mixed instances policy; DrTools does not change its template version. " +
                              "Change it in the policy, or give a launch template id to replace the policy.", name);
            if (group.LaunchTemplate == null)
                throw Invalid($"{GroupName(name)} uses launch configuration '{group.LaunchConfigurationName}', not a launch template, " +
                              "so there is no template version to change. Give a launch template id or name.", name);
            return new LaunchTemplateRef
            {
                LaunchTemplateId = group.LaunchTemplate.LaunchTemplateId,
                LaunchTemplateName = group.LaunchTemplate.LaunchTemplateName,
                Version = version,
            };
        }

        public Task CreateAutoScalingGroupAsync(AutoScalingGroupCreate request, CancellationToken cancellationToken = default)
        {
            if (request == null) throw new ArgumentNullException(nameof(request));
            var name = request.AutoScalingGroupName;
            Require(name, "Auto Scaling group name");
            var template = request.LaunchTemplate ?? throw Invalid($"{GroupName(name)} needs a launch template.", name);
            if (template.LaunchTemplateId == null && template.LaunchTemplateName == null)
                throw Invalid($"{GroupName(name)} needs a launch template id or name.", name);
            if (request.MinSize < 0 || request.MaxSize < request.MinSize || request.DesiredCapacity is { } d && (d < request.MinSize || d > request.MaxSize))
                throw Invalid($"Sizes of {GroupName(name)} must satisfy 0 <= min <= desired <= max (min {request.MinSize}, max {request.MaxSize}, desired {request.DesiredCapacity}).", name);
            if (request.Subnets.Count == 0 && request.AvailabilityZones.Count == 0)
                throw Invalid($"{GroupName(name)} needs subnets or availability zones.", name);

            var p = new QueryParams().Add("AutoScalingGroupName", name);
            // A template with a different instance type is only expressible as a mixed instances policy with one override.
            var prefix = request.InstanceType != null ? "MixedInstancesPolicy.LaunchTemplate.LaunchTemplateSpecification." : "LaunchTemplate.";
            p.Add(prefix + "LaunchTemplateId", template.LaunchTemplateId)
                .Add(prefix + "LaunchTemplateName", template.LaunchTemplateId == null ? template.LaunchTemplateName : null)
                .Add(prefix + "Version", template.Version);
            if (request.InstanceType != null) p.Add("MixedInstancesPolicy.LaunchTemplate.Overrides.member.1.InstanceType", request.InstanceType);
            p.Add("MinSize", request.MinSize)
                .Add("MaxSize", request.MaxSize)
                .Add("DesiredCapacity", request.DesiredCapacity)
                .Add("VPCZoneIdentifier", request.Subnets.Count > 0 ? string.Join(",", request.Subnets) : null);
            if (request.Subnets.Count == 0) p.AddList("AvailabilityZones", "member", request.AvailabilityZones);
            var i = 1;
            foreach (var tag in request.Tags)
            {
                p.Add($"Tags.member.{i}.ResourceId", name)
                    .Add($"Tags.member.{i}.ResourceType", "auto-scaling-group")
                    .Add($"Tags.member.{i}.Key", tag.Key)
                    .Add($"Tags.member.{i}.Value", tag.Value ?? "")
                    .Add($"Tags.member.{i}.PropagateAtLaunch", true);
                i++;
            }
            return CallAsync("CreateAutoScalingGroup", p, GroupName(name), name, cancellationToken);
        }

        public Task DeleteAutoScalingGroupAsync(string name, bool forceDelete, CancellationToken cancellationToken = default)
        {
            Require(name, "Auto Scaling group name");
            var p = new QueryParams().Add("AutoScalingGroupName", name).Add("ForceDelete", forceDelete);
            return CallAsync("DeleteAutoScalingGroup", p, GroupName(name), name, cancellationToken);
        }

        public Task SetDesiredCapacityAsync(string name, int desiredCapacity, bool honorCooldown = false, CancellationToken cancellationToken = default)
        {
            Require(name, "Auto Scaling group name");
            if (desiredCapacity < 0) throw Invalid($"Desired capacity cannot be negative ({desiredCapacity}).", name);
            var p = new QueryParams()
                .Add("AutoScalingGroupName", name)
                .Add("DesiredCapacity", desiredCapacity)
                .Add("HonorCooldown", honorCooldown);
            return CallAsync("SetDesiredCapacity", p, GroupName(name), name, cancellationToken);
        }

        public Task SuspendProcessesAsync(string name, IReadOnlyList<string>? processes, CancellationToken cancellationToken = default) =>
            ProcessesAsync("SuspendProcesses", name, processes, cancellationToken);

        public Task ResumeProcessesAsync(string name, IReadOnlyList<string>? processes, CancellationToken cancellationToken = default) =>
            ProcessesAsync("ResumeProcesses", name, processes, cancellationToken);

        Task ProcessesAsync(string action, string name, IReadOnlyList<string>? processes, CancellationToken ct)
        {
            Require(name, "Auto Scaling group name");
            var p = new QueryParams().Add("AutoScalingGroupName", name).AddList("ScalingProcesses", "member", processes);
            return CallAsync(action, p, GroupName(name), name, ct);
        }

        public Task<AutoScalingGroupInfo> WaitForInServiceAsync(string name, int? count, TimeSpan timeout, IOperationReporter? reporter = null,
            CancellationToken cancellationToken = default)
        {
            Require(name, "Auto Scaling group name");
            if (count is < 0) throw Invalid($"The instance count cannot be negative ({count}).", name);
            var wanted = count?.ToString() ?? "the desired number of";
            return Waiter.UntilAsync($"{wanted} instances of {GroupName(name)} to be InService and Healthy",
                async ct => await FindAutoScalingGroupAsync(name, ct).ConfigureAwait(false) ?? throw NotFound(name),
                g =>
                {
                    var target = count ?? g.DesiredCapacity;
                    var status = $"{g.InServiceHealthyCount}/{target} InService and Healthy ({g.Instances.Count} instances, desired {g.DesiredCapacity})";
                    if (!string.IsNullOrEmpty(g.Status)) return WaitCheck.Failure(g.Status!);
                    return g.InServiceHealthyCount >= target ? WaitCheck.Ready(status) : WaitCheck.Pending(status);
                },
                timeout, PollInterval, reporter, cancellationToken);
        }

        async Task<XElement> CallAsync(string action, QueryParams parameters, string resource, object? target, CancellationToken ct)
        {
            try
            {
                return await _client.SendAsync(action, parameters, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (!AwsErrorMapper.IsCancellation(ex, ct))
            {
                throw AwsErrorMapper.Map(ex, Service, action, resource, target, _connection);
            }
        }

        static string GroupName(string name) => $"Auto Scaling group '{name}'";

        DrToolsException NotFound(string name) =>
            new(ErrorIds.NotFound, DrErrorCategory.ObjectNotFound, $"{GroupName(name)} does not exist in {Region}.", name,
                "Check the group name (names are case-sensitive) and the region; Test-DrConnection shows the account and region.") { Service = Service };

        static void Require(string? value, string what)
        {
            if (string.IsNullOrWhiteSpace(value)) throw Invalid($"The {what} is required.", null);
        }

        static DrToolsException Invalid(string message, object? target) =>
            new(ErrorIds.InvalidParameter, DrErrorCategory.InvalidArgument, message, target, "Correct the value and re-run.") { Service = Service };
    }
}
