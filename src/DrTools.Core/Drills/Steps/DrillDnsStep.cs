using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Aws.Ec2;
using DrTools.Core.Aws.Route53;
using DrTools.Core.Diagnostics;
using DrTools.Core.Plans;
using DrTools.Core.Recovery.Engine;
using DrTools.Core.Recovery.Steps;

namespace DrTools.Core.Drills.Steps
{
    /// <summary>
    /// Drill: one UPSERT of the plan's drill record (drill.dns, never a production record) as an A record to the private
    /// IPs of the drill instances of one role, then waits INSYNC. Cleanup deletes it. Done when it already answers them.
    /// </summary>
    public sealed class DrillDnsStep : RecoveryStepBase
    {
        readonly IRoute53Service _route53;
        readonly IEc2Service _ec2;

        /// <param name="instancesStepId">The step whose "instanceIds" output names the instances (launch-&lt;role&gt; or group-&lt;group&gt;).</param>
        public DrillDnsStep(string id, IRoute53Service route53, IEc2Service ec2, DrillDnsSpec dns, string instancesStepId) : base(id)
        {
            _route53 = route53 ?? throw new ArgumentNullException(nameof(route53));
            _ec2 = ec2 ?? throw new ArgumentNullException(nameof(ec2));
            Dns = dns ?? throw new ArgumentNullException(nameof(dns));
            InstancesStepId = instancesStepId;
            After(instancesStepId);
        }

        public DrillDnsSpec Dns { get; }
        public string InstancesStepId { get; }
        public TimeSpan InSyncPollInterval { get; init; } = TimeSpan.FromSeconds(5);
        string Name => Route53Names.Qualify(Dns.RecordName);
        string Zone => Route53Names.StripId(Dns.HostedZoneId);

        public override StepKind Kind => StepKind.ChangeDns;
        public override string Description => $"Point the drill record {Name} at the private IPs of the drill instances of {InstancesStepId} in zone {Zone} (no production record changes)";
        public override IReadOnlyList<StepResource> Resources => new[]
        {
            new StepResource("AWS::Route53::RecordSet", $"{Name} A", null, $"UPSERT to the drill instances' private IPs, TTL {Dns.Ttl} (deleted at cleanup)"),
        };

        public override async Task<StepOutcome?> CheckDoneAsync(StepContext context, CancellationToken cancellationToken)
        {
            var wanted = await DesiredAsync(context, cancellationToken).ConfigureAwait(false);
            var existing = await _route53.ListRecordSetsAsync(Zone, Name, "A", cancellationToken).ConfigureAwait(false);
            var e = existing.FirstOrDefault(r => Route53Names.SameName(r.Name, Name) && r.Type == "A" && r.SetIdentifier == null);
            if (e == null || e.Ttl != wanted.Ttl || !new HashSet<string>(e.Values).SetEquals(wanted.Values)) return null;
            return StepOutcome.Done($"{Name} already answers {string.Join(", ", wanted.Values)}", Name);
        }

        public override async Task<StepOutcome> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
        {
            var wanted = await DesiredAsync(context, cancellationToken).ConfigureAwait(false);
            await RefuseForeignRecordAsync(context, wanted, cancellationToken).ConfigureAwait(false);
            context.Reporter.Verbose($"UPSERT {wanted}");
            var change = await _route53.ChangeRecordSetsAsync(Zone, new[] { new RecordChange(ChangeAction.Upsert, wanted) },
                $"DrTools drill {context.PlanName} run {context.RunId}", cancellationToken).ConfigureAwait(false);
            change = await _route53.WaitForInSyncAsync(change.Id, WaitBudget(TimeSpan.FromMinutes(10)), InSyncPollInterval, cancellationToken).ConfigureAwait(false);
            return new StepOutcome($"Pointed {Name} at {string.Join(", ", wanted.Values)} (change {change.Id}, {change.Status})", new[] { Name, change.Id })
                .WithOutput("recordName", Name);
        }

        /// <summary>
        /// A record of that name that points anywhere but at this run's drill instances belongs to someone else (another
        /// application's record, or an earlier drill's): the UPSERT would overwrite it and cleanup would delete it.
        /// </summary>
        async Task RefuseForeignRecordAsync(StepContext context, ResourceRecordSet wanted, CancellationToken ct)
        {
            var existing = (await _route53.ListRecordSetsAsync(Zone, Name, "A", ct).ConfigureAwait(false))
                .FirstOrDefault(r => Route53Names.SameName(r.Name, Name) && r.Type == "A" && r.SetIdentifier == null);
            if (existing == null) return;
            var ours = new HashSet<string>(wanted.Values, StringComparer.Ordinal);
            if (!existing.Values.All(ours.Contains))
                ours.UnionWith(await DrillCleaner.DrillInstanceIpsAsync(_ec2, context.PlanName, context.RunId, ct).ConfigureAwait(false));
            if (existing.Values.Count > 0 && existing.Values.All(ours.Contains)) return;
            throw new DrToolsException(ErrorIds.InvalidState, DrErrorCategory.ResourceExists,
                $"The drill record {Name} A already exists in zone {Zone} with {string.Join(", ", existing.Values)}, which are not this drill's instances: " +
                "the drill would overwrite it and its cleanup would delete it.", Name,
                "Set drill.dns.recordName to a name only drills use (that does not exist yet), or delete the record if it is an earlier drill's (Remove-DrDrill). Nothing was changed.");
        }

        async Task<ResourceRecordSet> DesiredAsync(StepContext context, CancellationToken ct)
        {
            var outputs = context.OutputsOf(InstancesStepId);
            var ids = outputs.TryGetValue(LaunchInstancesStep.InstanceIdsOutput, out var v) ? v.Split(new[] { ',' }, StringSplitOptions.RemoveEmptyEntries) : Array.Empty<string>();
            var ips = ids.Length == 0 ? new List<string>()
                : (await _ec2.DescribeInstancesAsync(ids, null, ct).ConfigureAwait(false))
                    .Select(i => i.PrivateIpAddress).Where(ip => !string.IsNullOrEmpty(ip)).Select(ip => ip!).Distinct().OrderBy(ip => ip, StringComparer.Ordinal).ToList();
            if (ips.Count == 0)
                throw new DrToolsException(ErrorIds.InvalidState, DrErrorCategory.InvalidOperation,
                    $"The drill instances of step {InstancesStepId} have no private IP address, so the drill record {Name} cannot point at them.", Name,
                    "Check that the role launched instances (drill.dns.appServer names it) in a VPC subnet.");
            return new ResourceRecordSet { Name = Name, Type = "A", Ttl = Dns.Ttl, Values = ips };
        }
    }
}
