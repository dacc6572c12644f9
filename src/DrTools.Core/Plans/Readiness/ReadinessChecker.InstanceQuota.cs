using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading.Tasks;
using DrTools.Core.Aws.Ec2;
using DrTools.Core.Aws.ServiceQuotas;
using DrTools.Core.Diagnostics;

namespace DrTools.Core.Plans.Readiness
{
    public sealed partial class ReadinessChecker
    {
        /// <summary>The resource name of the InstanceQuota check.</summary>
        public const string StandardInstancesQuota = "Running On-Demand Standard instances (" + ServiceQuotasService.StandardOnDemandVCpus + ")";

        /// <summary>
        /// Whether an instance type counts against "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances":
        /// its family starts with one of those letters and is not one of the families with a quota of their own.
        /// </summary>
        public static bool IsStandardInstanceType(string instanceType)
        {
            var family = new string(instanceType.TakeWhile(char.IsLetter).ToArray()).ToLowerInvariant();
            if (family.Length == 0 || "acdhimrtz".IndexOf(family[0]) < 0) return false;
            return family is not ("inf" or "dl" or "trn" or "hpc" or "mac");
        }

        sealed partial class Run
        {
            /// <summary>True when a recovery of the plan launches instances (app servers, or groups scaled to production).</summary>
            public bool LaunchesInstances => _plan.Resources.AppServers.Count > 0 || _plan.Resources.AutoScalingGroups.Any(g => g.Production.Desired > 0);

            sealed record Launch(string What, string? InstanceType, int Count);

            /// <summary>
            /// Headroom of the EC2 On-Demand instance quota in the DR region for what the plan launches: the app servers,
            /// and each group's growth from its current desired capacity to its production size. The quota comes from
            /// Service Quotas (L-1216C47A, in vCPUs, compared with the vCPUs of the standard instance types launched and
            /// running); when Service Quotas cannot be read, from EC2's max-instances account attribute (instances).
            /// Unknown is not ready, with the reason; never an error.
            /// </summary>
            public Task<IReadOnlyList<ReadinessCheck>> InstanceQuotaAsync() =>
                Guard(new[] { (ReadinessChecks.InstanceQuota, StandardInstancesQuota) }, Region, async () =>
                {
                    var launches = new List<Launch>();
                    launches.AddRange(_plan.Resources.AppServers.Select(s => new Launch(s.Name, s.InstanceType, s.Count)));
                    foreach (var spec in _plan.Resources.AutoScalingGroups.Where(g => RegionOf(g) == Region))
                    {
                        var group = await FindGroupAsync(Region, spec.Name).ConfigureAwait(false);
                        var growth = Math.Max(0, spec.Production.Desired - (group?.DesiredCapacity ?? spec.Standby?.Desired ?? 0));
                        if (growth == 0) continue;
                        var type = spec.InstanceType;
                        if (type == null && group?.LaunchTemplate is { } template)
                            type = (await FindTemplateVersionAsync(Region, template, spec.LaunchTemplateVersion ?? template.Version ?? "$Default").ConfigureAwait(false))?.InstanceType;
                        type ??= group?.Instances.Select(i => i.InstanceType).FirstOrDefault(t => t != null);
                        launches.Add(new Launch(spec.Name, type, growth));
                    }
                    var ec2 = Services.Ec2(Region);
                    var running = await ec2.DescribeInstancesAsync(null, new[] { new Ec2Filter("instance-state-name", "pending", "running") }, _ct).ConfigureAwait(false);
                    var types = launches.Select(l => l.InstanceType).Concat(running.Select(i => i.InstanceType)).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
                    var vcpus = new Dictionary<string, int>(StringComparer.Ordinal);
                    for (int i = 0; i < types.Count; i += 100)
                        foreach (var t in await ec2.DescribeInstanceTypesAsync(types.Skip(i).Take(100), _ct).ConfigureAwait(false))
                            if (t.DefaultVCpus > 0) vcpus[t.InstanceType] = t.DefaultVCpus;

                    ServiceQuota? quota = null;
                    DrToolsException? quotaError = null;
                    var quotas = Services.ServiceQuotas(Region);
                    if (quotas != null)
                    {
                        try { quota = await quotas.GetServiceQuotaAsync("ec2", ServiceQuotasService.StandardOnDemandVCpus, _ct).ConfigureAwait(false); }
                        catch (DrToolsException ex) when (!ConnectionErrors.Contains(ex.ErrorId)) { quotaError = ex; }
                    }
                    return One(quota != null ? ByVCpus(launches, running, vcpus, quota) : await ByInstanceCountAsync(launches, running, quotaError).ConfigureAwait(false));
                });

            ReadinessCheck ByVCpus(List<Launch> launches, IReadOnlyList<Ec2Instance> running, Dictionary<string, int> vcpus, ServiceQuota quota)
            {
                var unknown = launches.Where(l => l.InstanceType == null || !vcpus.ContainsKey(l.InstanceType)).ToList();
                var other = launches.Where(l => l.InstanceType != null && vcpus.ContainsKey(l.InstanceType) && !IsStandardInstanceType(l.InstanceType)).ToList();
                var counted = launches.Where(l => l.InstanceType != null && vcpus.ContainsKey(l.InstanceType) && IsStandardInstanceType(l.InstanceType)).ToList();
                var need = counted.Sum(l => l.Count * vcpus[l.InstanceType!]);
                var used = running.Where(i => i.InstanceType != null && IsStandardInstanceType(i.InstanceType)).Sum(i => vcpus.TryGetValue(i.InstanceType!, out var n) ? n : 0);
                var limit = (int)Math.Floor(quota.Value);
                var free = limit - used;
                var parts = counted.Select(l => $"{l.What} {l.Count} x {l.InstanceType} = {l.Count * vcpus[l.InstanceType!]}").ToList();
                var observed = $"quota {limit} vCPUs, {used} in use, {free} free; the plan launches {need} vCPUs"
                               + (parts.Count > 0 ? $" ({string.Join(", ", parts)})" : "");
                var notes = new List<string>();
                if (other.Count > 0) notes.Add($"{string.Join(", ", other.Select(l => $"{l.What} ({l.InstanceType})"))} count against another quota (not checked)");
                if (unknown.Count > 0)
                    return Result(ReadinessChecks.InstanceQuota, StandardInstancesQuota, Region, false,
                        $"Could not tell how many vCPUs {string.Join(", ", unknown.Select(l => l.InstanceType == null ? $"{l.What} (instance type unknown)" : $"{l.What} ({l.InstanceType})"))} "
                        + "will use, so the quota headroom is unknown. Set the instance type in the plan (or check the type exists in the region).", observed);
                var note = notes.Count > 0 ? " " + string.Join("; ", notes) + "." : "";
                if (need > free)
                    return Result(ReadinessChecks.InstanceQuota, StandardInstancesQuota, Region, false,
                        $"The plan launches {need} vCPUs of standard instances but only {Math.Max(0, free)} of the {limit}-vCPU quota are free in {Region}. "
                        + $"Request an increase of {ServiceQuotasService.StandardOnDemandVCpus} in Service Quotas (or stop instances) before a recovery needs it.{note}", observed);
                return Result(ReadinessChecks.InstanceQuota, StandardInstancesQuota, Region, true,
                    $"{free} of {limit} vCPUs are free in {Region}; the plan launches {need}.{note}", observed);
            }

            async Task<ReadinessCheck> ByInstanceCountAsync(List<Launch> launches, IReadOnlyList<Ec2Instance> running, DrToolsException? quotaError)
            {
                var why = quotaError != null ? $"Service Quotas could not be read ({quotaError.ErrorId}: {quotaError.Message})" : "Service Quotas is not available";
                IReadOnlyDictionary<string, IReadOnlyList<string>> attributes;
                try
                {
                    attributes = await Services.Ec2(Region).DescribeAccountAttributesAsync(new[] { "max-instances" }, _ct).ConfigureAwait(false);
                }
                catch (DrToolsException ex) when (!ConnectionErrors.Contains(ex.ErrorId))
                {
                    return Result(ReadinessChecks.InstanceQuota, StandardInstancesQuota, Region, false,
                        $"Could not check: {why}, and EC2's max-instances neither ({ex.ErrorId}: {ex.Message}). "
                        + "Allow servicequotas:GetServiceQuota (or ec2:DescribeAccountAttributes) to check the instance quota.", null, quotaError?.ErrorId ?? ex.ErrorId);
                }
                var need = launches.Sum(l => l.Count);
                if (!attributes.TryGetValue("max-instances", out var values) || !int.TryParse(values.FirstOrDefault(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var max))
                    return Result(ReadinessChecks.InstanceQuota, StandardInstancesQuota, Region, false,
                        $"Could not check: {why}, and EC2 reported no max-instances. Check the quota in the Service Quotas console.", null, quotaError?.ErrorId ?? ErrorIds.InvalidState);
                var free = max - running.Count;
                var observed = $"max-instances {max}, {running.Count} running, {free} free; the plan launches {need} instances"
                               + (launches.Count > 0 ? $" ({string.Join(", ", launches.Select(l => $"{l.What} {l.Count}"))})" : "");
                if (need > free)
                    return Result(ReadinessChecks.InstanceQuota, StandardInstancesQuota, Region, false,
                        $"The plan launches {need} instances but only {Math.Max(0, free)} of max-instances {max} are free in {Region} ({why}; "
                        + "EC2's max-instances is the older per-instance limit). Request a quota increase before a recovery needs it.", observed);
                return Result(ReadinessChecks.InstanceQuota, StandardInstancesQuota, Region, true,
                    $"{free} of max-instances {max} are free in {Region}; the plan launches {need} ({why}: checked against EC2's max-instances in instances, not vCPUs).", observed);
            }
        }
    }
}
