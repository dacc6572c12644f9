using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using DrTools.Core.Aws.AutoScaling;
using DrTools.Core.Aws.Ec2;
using DrTools.Core.Diagnostics;

namespace DrTools.Core.Plans.Readiness
{
    public sealed partial class ReadinessChecker
    {
        sealed partial class Run
        {
            readonly ConcurrentDictionary<(string Region, string Name), Lazy<Task<AutoScalingGroupInfo?>>> _groups = new();
            readonly ConcurrentDictionary<(string Region, string Template, string Version), Lazy<Task<Ec2LaunchTemplateVersion?>>> _templates = new();

            /// <summary>Each group is read once per run, however many checks need it.</summary>
            Task<AutoScalingGroupInfo?> FindGroupAsync(string region, string name) =>
                _groups.GetOrAdd((region, name), k => new Lazy<Task<AutoScalingGroupInfo?>>(
                    () => Services.AutoScaling(k.Region).FindAutoScalingGroupAsync(k.Name, _ct))).Value;

            /// <summary>One version of a launch template (null when the template or version does not exist), read once per run.</summary>
            Task<Ec2LaunchTemplateVersion?> FindTemplateVersionAsync(string region, LaunchTemplateRef template, string version) =>
                _templates.GetOrAdd((region, template.LaunchTemplateId ?? template.LaunchTemplateName ?? "", version), k => new Lazy<Task<Ec2LaunchTemplateVersion?>>(async () =>
                {
                    try
                    {
                        var found = await Services.Ec2(k.Region).DescribeLaunchTemplateVersionsAsync(template.LaunchTemplateId,
                            template.LaunchTemplateId == null ? template.LaunchTemplateName : null, new[] { k.Version }, _ct).ConfigureAwait(false);
                        return found.FirstOrDefault();
                    }
                    catch (DrToolsException ex) when (ex.ErrorId == ErrorIds.NotFound)
                    {
                        return null;
                    }
                })).Value;

            /// <summary>
            /// Subnet, SecurityGroup and KeyPair checks: one per distinct resource the plan's launches use (app servers,
            /// and the drill section's subnet and security groups), each naming what uses it.
            /// </summary>
            public IEnumerable<Task<IReadOnlyList<ReadinessCheck>>> LaunchResourceChecks()
            {
                var subnets = new Users();
                var groups = new Users();
                var keys = new Users();
                var instancesPerSubnet = new Dictionary<string, int>(StringComparer.Ordinal);
                foreach (var server in _plan.Resources.AppServers)
                {
                    if (server.SubnetId != null)
                    {
                        subnets.Add(server.SubnetId, server.Name);
                        instancesPerSubnet[server.SubnetId] = (instancesPerSubnet.TryGetValue(server.SubnetId, out var n) ? n : 0) + server.Count;
                    }
                    foreach (var sg in server.SecurityGroupIds) groups.Add(sg, server.Name);
                    if (server.KeyName != null) keys.Add(server.KeyName, server.Name);
                }
                if (_plan.Drill is { } drill)
                {
                    if (drill.SubnetId != null) subnets.Add(drill.SubnetId, "drill");
                    foreach (var sg in drill.SecurityGroupIds) groups.Add(sg, "drill");
                    foreach (var sg in drill.DbSecurityGroupIds) groups.Add(sg, "drill database");
                }
                foreach (var (id, users) in subnets) yield return SubnetAsync(id, users, instancesPerSubnet.TryGetValue(id, out var n) ? n : 0);
                foreach (var (id, users) in groups) yield return SecurityGroupAsync(id, users);
                foreach (var (name, users) in keys) yield return KeyPairAsync(name, users);
            }

            /// <summary>Resource ids in plan order, each with the names of what uses it.</summary>
            sealed class Users : IEnumerable<(string Id, string Users)>
            {
                readonly List<string> _order = new();
                readonly Dictionary<string, List<string>> _users = new(StringComparer.Ordinal);

                public void Add(string id, string user)
                {
                    if (!_users.TryGetValue(id, out var list)) { _users[id] = list = new List<string>(); _order.Add(id); }
                    if (!list.Contains(user)) list.Add(user);
                }

                public IEnumerator<(string Id, string Users)> GetEnumerator() => _order.Select(id => (id, string.Join(", ", _users[id]))).GetEnumerator();
                System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
            }

            Task<IReadOnlyList<ReadinessCheck>> SubnetAsync(string subnetId, string users, int instances)
            {
                var resource = $"{subnetId} ({users})";
                return Guard(new[] { (ReadinessChecks.Subnet, resource) }, Region, async () =>
                {
                    var subnet = await FindAsync(() => Services.Ec2(Region).DescribeSubnetsAsync(new[] { subnetId }, _ct), s => s.SubnetId == subnetId).ConfigureAwait(false);
                    if (subnet == null)
                        return One(Result(ReadinessChecks.Subnet, resource, Region, false,
                            $"Subnet {subnetId} does not exist in {Region}. Create it (or put a subnet of the DR VPC in the plan)."));
                    var observed = $"{subnet.VpcId}, {subnet.AvailabilityZone}, {subnet.State}" + (subnet.AvailableIpAddressCount is { } free ? $", {free} free addresses" : "");
                    if (subnet.AvailableIpAddressCount is { } left && left < instances)
                        return One(Result(ReadinessChecks.Subnet, resource, Region, false,
                            $"Subnet {subnetId} has {left} free address{(left == 1 ? "" : "es")}; the plan launches {instances} instance{(instances == 1 ? "" : "s")} into it. "
                            + "Free addresses or use a larger subnet.", observed));
                    return One(Result(ReadinessChecks.Subnet, resource, Region, true, $"Subnet {subnetId} exists in {Region}.", observed));
                });
            }

            Task<IReadOnlyList<ReadinessCheck>> SecurityGroupAsync(string groupId, string users)
            {
                var resource = $"{groupId} ({users})";
                return Guard(new[] { (ReadinessChecks.SecurityGroup, resource) }, Region, async () =>
                {
                    var group = await FindAsync(() => Services.Ec2(Region).DescribeSecurityGroupsAsync(new[] { groupId }, _ct), g => g.GroupId == groupId).ConfigureAwait(false);
                    if (group == null)
                        return One(Result(ReadinessChecks.SecurityGroup, resource, Region, false,
                            $"Security group {groupId} does not exist in {Region}. Security groups are regional: create it in the DR VPC and put its id in the plan."));
                    return One(Result(ReadinessChecks.SecurityGroup, resource, Region, true, $"Security group {groupId} exists in {Region}.",
                        $"{group.GroupName}, {group.VpcId}"));
                });
            }

            Task<IReadOnlyList<ReadinessCheck>> KeyPairAsync(string keyName, string users)
            {
                var resource = $"{keyName} ({users})";
                return Guard(new[] { (ReadinessChecks.KeyPair, resource) }, Region, async () =>
                {
                    var key = await FindAsync(() => Services.Ec2(Region).DescribeKeyPairsAsync(new[] { keyName }, _ct), k => k.KeyName == keyName).ConfigureAwait(false);
                    if (key == null)
                        return One(Result(ReadinessChecks.KeyPair, resource, Region, false,
                            $"Key pair {keyName} does not exist in {Region}. Key pairs are regional: import the public key there (ec2 import-key-pair) or remove keyName from the plan."));
                    return One(Result(ReadinessChecks.KeyPair, resource, Region, true, $"Key pair {keyName} exists in {Region}.",
                        $"{key.KeyPairId}, {key.KeyType}"));
                });
            }

            /// <summary>The item a describe-by-id call returns, or null when EC2 says it does not exist.</summary>
            static async Task<T?> FindAsync<T>(Func<Task<IReadOnlyList<T>>> describe, Func<T, bool> match) where T : class
            {
                try { return (await describe().ConfigureAwait(false)).FirstOrDefault(match); }
                catch (DrToolsException ex) when (ex.ErrorId == ErrorIds.NotFound) { return null; }
            }

            /// <summary>
            /// The group's launch template: the version the group launches and the one the plan switches to for
            /// production exist, and so does each one's AMI. Groups on a launch configuration are only reported.
            /// </summary>
            public Task<IReadOnlyList<ReadinessCheck>> LaunchTemplateAsync(AutoScalingGroupSpec spec)
            {
                var region = RegionOf(spec);
                var resource = spec.Name;
                return Guard(new[] { (ReadinessChecks.LaunchTemplate, resource) }, region, async () =>
                {
                    var group = await FindGroupAsync(region, spec.Name).ConfigureAwait(false);
                    if (group == null)
                        return One(Result(ReadinessChecks.LaunchTemplate, resource, region, false, "The group was not found (see AutoScalingGroup)."));
                    if (group.LaunchTemplate is not { } template)
                        return One(Result(ReadinessChecks.LaunchTemplate, resource, region, group.LaunchConfigurationName != null,
                            group.LaunchConfigurationName != null
                                ? $"{spec.Name} uses launch configuration {group.LaunchConfigurationName}, not a launch template (not checked)."
                                : $"{spec.Name} has neither a launch template nor a launch configuration: it cannot launch instances."));
                    var versions = new List<string> { template.Version ?? "$Default" };
                    if (spec.LaunchTemplateVersion != null && !versions.Contains(spec.LaunchTemplateVersion)) versions.Add(spec.LaunchTemplateVersion);
                    var name = template.LaunchTemplateName ?? template.LaunchTemplateId;
                    var problems = new List<string>();
                    var observed = new List<string>();
                    foreach (var version in versions)
                    {
                        var use = version == versions[0] ? "the group's" : "the plan's launchTemplateVersion";
                        var v = await FindTemplateVersionAsync(region, template, version).ConfigureAwait(false);
                        if (v == null)
                        {
                            problems.Add($"launch template {name} version {version} ({use}) does not exist in {region}");
                            continue;
                        }
                        observed.Add($"{v.LaunchTemplateId} v{v.VersionNumber}{(v.DefaultVersion ? " (default)" : "")}: {v.ImageId ?? "no AMI"}, {v.InstanceType ?? "no type"}");
                        if (v.ImageId == null) continue;
                        var image = await FindAsync(() => Services.Ec2(region).DescribeImagesAsync(new[] { v.ImageId }, null, null, _ct), i => i.ImageId == v.ImageId).ConfigureAwait(false);
                        if (image == null) problems.Add($"version {v.VersionNumber} ({use}) launches {v.ImageId}, which does not exist in {region}");
                        else if (!string.Equals(image.State, "available", StringComparison.OrdinalIgnoreCase))
                            problems.Add($"version {v.VersionNumber} ({use}) launches {v.ImageId}, which is {image.State}");
                    }
                    var text = observed.Count > 0 ? string.Join("; ", observed) : null;
                    if (problems.Count > 0)
                        return One(Result(ReadinessChecks.LaunchTemplate, resource, region, false,
                            $"{spec.Name}: {string.Join("; ", problems)}. Scaling out would fail: fix the template version (or the plan's launchTemplateVersion).", text));
                    return One(Result(ReadinessChecks.LaunchTemplate, resource, region, true,
                        $"{spec.Name} launches from {name} ({string.Join(", ", versions)}), which exists with its AMI.", text));
                });
            }
        }
    }
}
