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
using R53Failover = DrTools.Core.Aws.Route53.FailoverRole;

namespace DrTools.Core.Recovery.Steps
{
    /// <summary>Which side of the plan's DNS a change points to.</summary>
    public enum DnsDirection
    {
        /// <summary>Recovery: SIMPLE records to their dr target, WEIGHTED sites to their failoverWeight.</summary>
        ToDr,
        /// <summary>Failback: SIMPLE records to their primary target, WEIGHTED sites to their normal weight.</summary>
        ToPrimary,
    }

    /// <summary>
    /// Points the plan's DNS records at one side: every record set of the plan is UPSERTed in ONE change batch
    /// (Route 53 applies all or none, so no moment sends traffic nowhere), then the step waits until INSYNC.
    /// SIMPLE records get their dr (or primary) values, WEIGHTED sites their failover (or normal) weights, FAILOVER
    /// sites their targets with the Elastic IPs of the recovered instances. Done when every record set already
    /// answers what the plan wants.
    /// </summary>
    public sealed class ChangeDnsStep : RecoveryStepBase
    {
        readonly IRoute53Service _route53;
        readonly IEc2Service? _ec2;
        readonly DnsSpec _dns;
        readonly StepKind _kind;

        /// <param name="ec2">Resolves Elastic IP targets to their public addresses (DR region); null when the plan has none.</param>
        public ChangeDnsStep(string id, IRoute53Service route53, IEc2Service? ec2, DnsSpec dns, DnsDirection direction, StepKind kind = StepKind.ChangeDns) : base(id)
        {
            _route53 = route53 ?? throw new ArgumentNullException(nameof(route53));
            _ec2 = ec2;
            _dns = dns ?? throw new ArgumentNullException(nameof(dns));
            Direction = direction;
            _kind = kind;
        }

        public DnsDirection Direction { get; }
        public TimeSpan InSyncPollInterval { get; init; } = TimeSpan.FromSeconds(5);
        public override StepKind Kind => _kind;
        string Zone => _dns.HostedZoneId ?? _dns.HostedZoneName ?? "?";

        public override string Description =>
            (_kind == StepKind.ChangeTrafficWeights ? "Shift traffic weights of " : "Point ") +
            string.Join(", ", _dns.Records.Select(r => r.Name).Distinct()) +
            (Direction == DnsDirection.ToDr ? " to the DR site" : " back to the primary site") + $" in zone {Zone} (one atomic change, wait INSYNC)";

        public override IReadOnlyList<StepResource> Resources =>
            Planned().Select(p => new StepResource("AWS::Route53::RecordSet", Label(p.Record, p.Site), null, p.Action)).ToList();

        /// <summary>The record sets the step writes, without resolving anything (for -WhatIf).</summary>
        IEnumerable<(DnsRecordSpec Record, DnsSiteSpec? Site, RecordTarget? Target, long? Weight, string Action)> Planned()
        {
            foreach (var r in _dns.Records)
            {
                switch (r.Routing)
                {
                    case DnsRouting.Simple:
                        var t = Direction == DnsDirection.ToDr ? r.Dr : r.Primary;
                        if (t != null) yield return (r, null, t, null, $"UPSERT to {t}");
                        break;
                    case DnsRouting.Weighted:
                        foreach (var s in r.Sites)
                        {
                            long w = (Direction == DnsDirection.ToDr ? s.FailoverWeight ?? s.Weight : s.Weight) ?? 0;
                            yield return (r, s, s.Target, w, $"UPSERT weight {w} ({s.Target})");
                        }
                        break;
                    case DnsRouting.Failover:
                        foreach (var s in r.Sites)
                            yield return (r, s, s.Target, null, $"UPSERT {s.Failover?.ToString().ToUpperInvariant()} to {s.Target}");
                        break;
                }
            }
        }

        static string Label(DnsRecordSpec r, DnsSiteSpec? s) => $"{r.Name} {r.Type}" + (s != null ? $" '{s.SetIdentifier}'" : "");

        public override async Task<StepOutcome?> CheckDoneAsync(StepContext context, CancellationToken cancellationToken)
        {
            var zoneId = await ZoneIdAsync(cancellationToken).ConfigureAwait(false);
            var wanted = await DesiredAsync(cancellationToken).ConfigureAwait(false);
            foreach (var group in wanted.GroupBy(w => (w.Name, w.Type)))
            {
                var existing = await _route53.ListRecordSetsAsync(zoneId, group.Key.Name, group.Key.Type, cancellationToken).ConfigureAwait(false);
                foreach (var w in group)
                {
                    var e = existing.FirstOrDefault(x => Route53Names.SameName(x.Name, w.Name) && string.Equals(x.Type, w.Type, StringComparison.OrdinalIgnoreCase)
                                                         && string.Equals(x.SetIdentifier, w.SetIdentifier, StringComparison.Ordinal));
                    if (e == null || !Same(e, w)) return null;
                }
            }
            return StepOutcome.Done($"All {wanted.Count} record set(s) in zone {zoneId} already answer as planned", zoneId);
        }

        public override async Task<StepOutcome> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
        {
            var zoneId = await ZoneIdAsync(cancellationToken).ConfigureAwait(false);
            var wanted = await DesiredAsync(cancellationToken).ConfigureAwait(false);
            foreach (var w in wanted) context.Reporter.Verbose($"UPSERT {w}");
            var change = await _route53.ChangeRecordSetsAsync(zoneId, wanted.Select(w => new RecordChange(ChangeAction.Upsert, w)).ToList(),
                $"DrTools {(Direction == DnsDirection.ToDr ? "failover" : "failback")} {context.PlanName} run {context.RunId}", cancellationToken).ConfigureAwait(false);
            change = await _route53.WaitForInSyncAsync(change.Id, WaitBudget(TimeSpan.FromMinutes(10)), InSyncPollInterval, cancellationToken).ConfigureAwait(false);
            return new StepOutcome($"Changed {wanted.Count} record set(s) in zone {zoneId} in one batch (change {change.Id}, {change.Status})",
                new[] { change.Id }).WithOutput("changeId", change.Id);
        }

        async Task<string> ZoneIdAsync(CancellationToken ct)
        {
            if (_dns.HostedZoneId != null) return Route53Names.StripId(_dns.HostedZoneId);
            var zone = await _route53.FindHostedZoneAsync(_dns.HostedZoneName!, privateZone: null, ct).ConfigureAwait(false);
            return zone.Id;
        }

        async Task<List<ResourceRecordSet>> DesiredAsync(CancellationToken ct)
        {
            var planned = Planned().ToList();
            var eips = planned.SelectMany(p => p.Target?.ElasticIps ?? Array.Empty<string>()).Distinct(StringComparer.Ordinal).ToList();
            var ips = new Dictionary<string, string>(StringComparer.Ordinal);
            if (eips.Count > 0)
            {
                if (_ec2 == null) throw new InvalidOperationException("ChangeDnsStep needs an EC2 service to resolve Elastic IPs.");
                foreach (var a in await _ec2.DescribeAddressesAsync(eips, null, ct).ConfigureAwait(false))
                    if (a.AllocationId != null) ips[a.AllocationId] = a.PublicIp;
                var missing = eips.Where(e => !ips.ContainsKey(e)).ToList();
                if (missing.Count > 0)
                    throw new DrToolsException(ErrorIds.NotFound, DrErrorCategory.ObjectNotFound,
                        $"Elastic IP(s) {string.Join(", ", missing)} do not exist in {_ec2.Region}; the DNS records cannot point at them.", missing[0],
                        "Check the elasticIps targets in resources.dns of the plan.");
            }
            return planned.Select(p => new ResourceRecordSet
            {
                Name = Route53Names.Qualify(p.Record.Name),
                Type = p.Record.Type.ToUpperInvariant(),
                SetIdentifier = p.Site?.SetIdentifier,
                Weight = p.Weight,
                Failover = p.Site?.Failover switch
                {
                    Plans.FailoverRole.Primary => R53Failover.Primary,
                    Plans.FailoverRole.Secondary => R53Failover.Secondary,
                    _ => null,
                },
                Ttl = p.Target?.Alias != null ? null : p.Record.Ttl ?? 60,
                Values = p.Target?.Alias != null ? Array.Empty<string>()
                    : p.Target!.ElasticIps.Count > 0 ? p.Target.ElasticIps.Select(e => ips[e]).ToList() : p.Target.Values.ToList(),
                AliasTarget = p.Target?.Alias is { } a ? new AliasTarget(a.HostedZoneId, a.DnsName, a.EvaluateTargetHealth) : null,
                HealthCheckId = p.Site?.HealthCheckId,
            }).ToList();
        }

        static bool Same(ResourceRecordSet e, ResourceRecordSet w)
        {
            if (e.Weight != w.Weight || e.Failover != w.Failover) return false;
            if (!string.Equals(e.HealthCheckId ?? "", w.HealthCheckId ?? "", StringComparison.OrdinalIgnoreCase)) return false;
            if (w.AliasTarget != null)
                return e.AliasTarget != null && Route53Names.SameName(e.AliasTarget.DnsName, w.AliasTarget.DnsName)
                       && string.Equals(Route53Names.StripId(e.AliasTarget.HostedZoneId), Route53Names.StripId(w.AliasTarget.HostedZoneId), StringComparison.Ordinal)
                       && e.AliasTarget.EvaluateTargetHealth == w.AliasTarget.EvaluateTargetHealth;
            if (e.AliasTarget != null || e.Ttl != w.Ttl) return false;
            static string N(string v) => v.Trim().TrimEnd('.').ToLowerInvariant();
            return new HashSet<string>(e.Values.Select(N)).SetEquals(w.Values.Select(N));
        }
    }
}
