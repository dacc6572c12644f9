using System.Collections.Generic;
using System.Linq;
using DrTools.Core.Plans;

namespace DrTools.Core.Traffic
{
    /// <summary>One weighted record a traffic change applies to.</summary>
    public sealed record TrafficTarget(string Zone, string RecordName, string? RecordType);

    public static class TrafficTargets
    {
        /// <summary>The weighted records of a plan's DNS section: what Set-DrTrafficWeight -Plan re-weights.</summary>
        public static IReadOnlyList<TrafficTarget> FromPlan(DrPlan plan)
        {
            var dns = plan.Resources.Dns;
            if (dns == null) return new TrafficTarget[0];
            var zone = dns.HostedZoneId ?? dns.HostedZoneName ?? "";
            return dns.Records.Where(r => r.Routing == DnsRouting.Weighted)
                .Select(r => new TrafficTarget(zone, r.Name, r.Type)).ToList();
        }
    }
}
