using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using DrTools.Core.Aws.Route53;

namespace DrTools.Core.Plans.Readiness
{
    public sealed partial class ReadinessChecker
    {
        sealed partial class Run
        {
            /// <summary>
            /// One HealthCheckStatus per distinct health check of the plan's sites. A DR-side check (a FAILOVER SECONDARY
            /// site, or a WEIGHTED site that gets traffic after failover) must be healthy; a primary-side check is only
            /// reported, since a failing primary is the reason to fail over.
            /// </summary>
            public IEnumerable<Task<IReadOnlyList<ReadinessCheck>>> HealthCheckStatusChecks(DnsSpec dns)
            {
                var sides = new Dictionary<string, bool>(StringComparer.Ordinal);
                foreach (var record in dns.Records)
                foreach (var site in record.Sites.Where(s => s.HealthCheckId != null))
                {
                    var drSide = record.Routing == DnsRouting.Failover ? site.Failover == Plans.FailoverRole.Secondary : (site.FailoverWeight ?? 0) > 0;
                    sides[site.HealthCheckId!] = sides.TryGetValue(site.HealthCheckId!, out var known) ? known || drSide : drSide;
                }
                return sides.Select(kv => HealthCheckStatusAsync(kv.Key, kv.Value));
            }

            Task<IReadOnlyList<ReadinessCheck>> HealthCheckStatusAsync(string healthCheckId, bool drSide) =>
                Guard(new[] { (ReadinessChecks.HealthCheckStatus, healthCheckId) }, GlobalRegion, async () =>
                {
                    HealthCheckStatus status;
                    try
                    {
                        status = await Services.Route53().GetHealthCheckStatusAsync(healthCheckId, _ct).ConfigureAwait(false);
                    }
                    catch (Diagnostics.DrToolsException ex) when (ex.ErrorId == Diagnostics.ErrorIds.NotFound)
                    {
                        return One(Result(ReadinessChecks.HealthCheckStatus, healthCheckId, GlobalRegion, false,
                            $"Health check {healthCheckId} does not exist (see HealthCheck)."));
                    }
                    var side = drSide ? "DR-side" : "Primary-side";
                    var observed = ByRegion(status);
                    var counts = $"{status.HealthyCheckers} of {status.TotalCheckers} checkers report healthy";
                    if (status.State == HealthState.Healthy)
                        return One(Result(ReadinessChecks.HealthCheckStatus, healthCheckId, GlobalRegion, true, $"{side} health check {healthCheckId} is healthy ({counts}).", observed));
                    if (!drSide)
                        return One(Result(ReadinessChecks.HealthCheckStatus, healthCheckId, GlobalRegion, true,
                            $"Primary-side health check {healthCheckId} is {status.State.ToString().ToLowerInvariant()} ({counts}); "
                            + "that does not make the DR site unready (a failing primary is the reason to fail over). "
                            + "Find out why; if the primary is down, follow the failover runbook (Test-DrPlan -Live, then Invoke-DrFailover).", observed).AsNotice());
                    var failing = status.Observations.Where(o => !o.IsHealthy).Select(o => o.Region ?? "?").Distinct().ToList();
                    var reason = status.State == HealthState.Unknown
                        ? $"DR-side health check {healthCheckId} has no checker reports yet (new, disabled or never able to reach its endpoint). "
                          + "Make sure it is enabled and its endpoint answers before relying on a failover to it."
                        : $"DR-side health check {healthCheckId} is unhealthy ({counts}; failing from {string.Join(", ", failing)}). "
                          + "Fix the DR endpoint (or the health check's target) first: traffic moved there would fail, and Set-DrTrafficWeight refuses it.";
                    return One(Result(ReadinessChecks.HealthCheckStatus, healthCheckId, GlobalRegion, false, reason, observed));
                });

            /// <summary>"us-east-1: 2/2 healthy; eu-west-1: 0/2 healthy (Failure: Connection timed out)": what each region's checkers report.</summary>
            static string? ByRegion(HealthCheckStatus status)
            {
                if (status.Observations.Count == 0) return "no checker reports";
                return string.Join("; ", status.Observations.GroupBy(o => o.Region ?? "unknown region").OrderBy(g => g.Key, StringComparer.Ordinal).Select(g =>
                {
                    var healthy = g.Count(o => o.IsHealthy);
                    var failure = g.FirstOrDefault(o => !o.IsHealthy)?.Status;
                    return $"{g.Key}: {healthy}/{g.Count()} healthy" + (failure != null ? $" ({Shorten(failure)})" : "");
                }));
            }

            static string Shorten(string s) => s.Length > 80 ? s.Substring(0, 77) + "..." : s;
        }
    }
}
