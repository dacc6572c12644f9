using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using System.Xml.Linq;
using DrTools.Core.Aws.Route53;
using DrTools.Core.Aws.Wire;
using DrTools.Core.Connection;
using DrTools.Core.Diagnostics;
using DrTools.TestSupport;
using Xunit;

namespace DrTools.LiveTests
{
    /// <summary>
    /// The DR traffic flow end to end: zone lookup, health check, weighted records for two sites, a re-weight in one
    /// batch, failover and alias records, paging, INSYNC. Valid against real AWS (a throw-away public zone that is never
    /// delegated, so nothing resolves) and moto; moto-only facts are guarded with Live.IsMoto.
    /// </summary>
    public class Route53LiveTests
    {
        static readonly TimeSpan InSyncTimeout = TimeSpan.FromMinutes(5);
        static readonly TimeSpan Poll = TimeSpan.FromSeconds(Live.IsMoto ? 1 : 10);

        [LiveFact]
        public async Task Weighted_failover_and_alias_records_for_two_sites()
        {
            var factory = new AwsClientFactory(Live.Connection());
            using var raw = factory.Route53();
            using var svc = new Route53Service(factory) { RecordPageSize = 2 };
            var zoneName = Live.Name("r53") + ".com.";
            string? zoneId = null;
            var healthChecks = new List<string>();
            var cleanupErrors = new List<string>();
            try
            {
                zoneId = await CreateZoneAsync(raw, zoneName);

                // Find the zone the way a runbook does: by name, without the trailing dot.
                var zone = await svc.FindHostedZoneAsync(zoneName.TrimEnd('.').ToUpperInvariant(), privateZone: false);
                Assert.Equal(zoneId, zone.Id);
                Assert.False(zone.IsPrivate);

                // Health check for site A; a re-run with the same caller reference must not make a second one (AWS idempotency).
                var reference = Live.Name("hc");
                var config = HealthCheckConfig.For(HealthCheckType.Https) with
                {
                    FullyQualifiedDomainName = "aws.amazon.com", Port = 443, ResourcePath = "/", RequestInterval = 30, FailureThreshold = 3,
                };
                var hc = await svc.CreateHealthCheckAsync(reference, config);
                healthChecks.Add(hc.Id);
                var again = await svc.CreateHealthCheckAsync(reference, config);
                if (!healthChecks.Contains(again.Id)) healthChecks.Add(again.Id);
                if (!Live.IsMoto) Assert.Equal(hc.Id, again.Id); // moto ignores CallerReference idempotency
                var read = await svc.GetHealthCheckAsync(hc.Id);
                Assert.Equal(("HTTPS", "aws.amazon.com", 443), (read.Config.Type, read.Config.FullyQualifiedDomainName, read.Config.Port!.Value));
                var status = await svc.GetHealthCheckStatusAsync(hc.Id);
                Assert.Equal(hc.Id, status.HealthCheckId);
                Assert.Equal(status.Observations.Count, status.TotalCheckers);
                if (Live.IsMoto) Assert.Equal(HealthState.Healthy, status.State); // moto reports one healthy checker

                // Site A takes all traffic, site B none.
                var www = "www." + zoneName;
                ResourceRecordSet Site(string id, long weight, string ip, string? healthCheck = null) => new()
                {
                    Name = www, Type = "A", SetIdentifier = id, Weight = weight, Ttl = 60, Values = new[] { ip }, HealthCheckId = healthCheck,
                };
                var first = await svc.ChangeRecordSetsAsync(zoneId, new[]
                {
                    new RecordChange(ChangeAction.Upsert, Site("site-a", 100, "192.0.2.10", hc.Id)),
                    new RecordChange(ChangeAction.Upsert, Site("site-b", 0, "198.51.100.10")),
                }, "DrTools live: site A active");
                Assert.Contains(first.Status, new[] { "PENDING", "INSYNC" });
                await svc.WaitForInSyncAsync(first.Id, InSyncTimeout, Poll);

                // Fail over: both weights change in one atomic batch.
                var reweight = await svc.ChangeRecordSetsAsync(zoneId, new[]
                {
                    new RecordChange(ChangeAction.Upsert, Site("site-a", 0, "192.0.2.10", hc.Id)),
                    new RecordChange(ChangeAction.Upsert, Site("site-b", 100, "198.51.100.10")),
                }, "DrTools live: fail over to site B");

                // Failover pair and an alias to the weighted name.
                var app = "app." + zoneName;
                var alias = "alias." + zoneName;
                var primary = new ResourceRecordSet
                {
                    Name = app, Type = "A", SetIdentifier = "primary", Failover = FailoverRole.Primary, Ttl = 30,
                    Values = new[] { "192.0.2.20" }, HealthCheckId = hc.Id,
                };
                var third = await svc.ChangeRecordSetsAsync(zoneId, new[]
                {
                    new RecordChange(ChangeAction.Create, primary),
                    new RecordChange(ChangeAction.Create, new ResourceRecordSet
                    {
                        Name = app, Type = "A", SetIdentifier = "secondary", Failover = FailoverRole.Secondary, Ttl = 30, Values = new[] { "198.51.100.20" },
                    }),
                    new RecordChange(ChangeAction.Upsert, new ResourceRecordSet
                    {
                        Name = alias, Type = "A", AliasTarget = new AliasTarget(zoneId, www, false),
                    }),
                });
                var change = await svc.GetChangeAsync(third.Id);
                Assert.Equal(third.Id, change.Id);
                Assert.Contains(change.Status, new[] { "PENDING", "INSYNC" });
                Assert.True((await svc.WaitForInSyncAsync(reweight.Id, InSyncTimeout, Poll)).IsInSync);
                Assert.True((await svc.WaitForInSyncAsync(third.Id, InSyncTimeout, Poll)).IsInSync);

                // Everything, two records per page: SOA, NS, alias, 2 failover, 2 weighted; none twice.
                var all = await svc.ListRecordSetsAsync(zoneId);
                var keys = all.Select(r => Route53Names.Normalise(r.Name) + "|" + r.Type + "|" + r.SetIdentifier).ToList();
                Assert.Equal(keys.Count, keys.Distinct().Count());
                Assert.Equal(7, all.Count);
                Assert.Contains(all, r => r.Type == "SOA");
                var weights = all.Where(r => Route53Names.SameName(r.Name, www)).ToDictionary(r => r.SetIdentifier!, r => r.Weight);
                Assert.Equal(0L, weights["site-a"]);
                Assert.Equal(100L, weights["site-b"]);
                var readPrimary = Assert.Single(all, r => r.SetIdentifier == "primary");
                Assert.Equal((FailoverRole?)FailoverRole.Primary, readPrimary.Failover);
                Assert.Equal(hc.Id, readPrimary.HealthCheckId);
                Assert.Equal(FailoverRole.Secondary, Assert.Single(all, r => r.SetIdentifier == "secondary").Failover);
                var readAlias = Assert.Single(all, r => Route53Names.SameName(r.Name, alias));
                Assert.NotNull(readAlias.AliasTarget);
                Assert.True(Route53Names.SameName(readAlias.AliasTarget!.DnsName, www));
                Assert.Equal(zoneId, Route53Names.StripId(readAlias.AliasTarget.HostedZoneId));

                // A filtered listing starts at the name and reads only it.
                var onlyWww = await svc.ListRecordSetsAsync(zoneId, www.TrimEnd('.'), "A");
                Assert.Equal(new[] { "site-a", "site-b" }, onlyWww.Select(r => r.SetIdentifier).OrderBy(s => s));

                // Route 53 refuses to CREATE what exists: the whole batch fails and the user sees why.
                var dup = await Assert.ThrowsAsync<DrToolsException>(() =>
                    svc.ChangeRecordSetsAsync(zoneId, new[] { new RecordChange(ChangeAction.Create, primary) }));
                Assert.Equal(ErrorIds.InvalidParameter, dup.ErrorId);
                Assert.Equal("InvalidChangeBatch", dup.AwsErrorCode);
                Assert.Contains("already exists", dup.Message);
            }
            finally
            {
                if (zoneId != null) await DeleteZoneAsync(svc, raw, zoneId, cleanupErrors);
                foreach (var id in healthChecks)
                {
                    try { await svc.DeleteHealthCheckAsync(id); }
                    catch (DrToolsException ex) { cleanupErrors.Add($"health check {id}: {ex.Message}"); }
                }
            }
            Assert.True(cleanupErrors.Count == 0, "Cleanup failed: " + string.Join(" | ", cleanupErrors));
        }

        [LiveFact]
        public async Task Unknown_zone_and_health_check_are_NotFound()
        {
            using var svc = new Route53Service(new AwsClientFactory(Live.Connection()));
            var zone = await Assert.ThrowsAsync<DrToolsException>(() => svc.ListRecordSetsAsync("Z0000000000000DRTOOLS"));
            var hc = await Assert.ThrowsAsync<DrToolsException>(() => svc.GetHealthCheckAsync("00000000-0000-0000-0000-000000000000"));
            var byName = await Assert.ThrowsAsync<DrToolsException>(() => svc.FindHostedZoneAsync(Live.Name("none") + ".com"));
            Assert.Equal(ErrorIds.NotFound, zone.ErrorId);
            Assert.Equal("NoSuchHostedZone", zone.AwsErrorCode);
            Assert.Equal(ErrorIds.NotFound, hc.ErrorId);
            Assert.Equal(ErrorIds.NotFound, byName.ErrorId);
        }

        // Zone creation is not something DR does, so it is not in IRoute53Service; the test uses the wire client directly.
        internal static async Task<string> CreateZoneAsync(Route53Client raw, string name)
        {
            var ns = raw.Namespace;
            var x = await raw.SendAsync("CreateHostedZone", "POST", "/2013-04-01/hostedzone", body:
                new XElement(ns + "CreateHostedZoneRequest",
                    new XElement(ns + "Name", name),
                    new XElement(ns + "CallerReference", Guid.NewGuid().ToString("N")),
                    new XElement(ns + "HostedZoneConfig", new XElement(ns + "Comment", "DrTools live test; safe to delete"))));
            return Route53Names.StripId(x.Element("HostedZone")!.Child("Id")!);
        }

        /// <summary>
        /// Deletes every record DrTools made (aliases first: they point at the others), one record per batch so one
        /// failure does not keep the rest, then the zone. Each DELETE repeats the record exactly as listed.
        /// </summary>
        internal static async Task DeleteZoneAsync(Route53Service svc, Route53Client raw, string zoneId, List<string> errors)
        {
            try
            {
                var zone = (await svc.ListRecordSetsAsync(zoneId)).ToList();
                var apex = zone.FirstOrDefault(r => r.Type == "SOA")?.Name;
                var mine = zone.Where(r => !(r.Type is "SOA" or "NS" && apex != null && Route53Names.SameName(r.Name, apex)))
                    .OrderBy(r => r.AliasTarget == null ? 1 : 0).ToList();
                foreach (var record in mine)
                {
                    try { await svc.ChangeRecordSetsAsync(zoneId, new[] { new RecordChange(ChangeAction.Delete, record) }, "DrTools live test cleanup"); }
                    catch (DrToolsException ex) { errors.Add($"record {record}: {ex.Message}"); }
                }
                await raw.SendAsync("DeleteHostedZone", "DELETE", "/2013-04-01/hostedzone/{Id}",
                    pathParameters: new[] { new KeyValuePair<string, string>("Id", zoneId) });
            }
            catch (Exception ex)
            {
                errors.Add($"hosted zone {zoneId}: {ex.Message}");
            }
        }
    }
}
