using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using DrTools.Core.Aws.Route53;
using DrTools.Core.Connection;
using DrTools.Core.Diagnostics;
using DrTools.TestSupport;
using Xunit;

namespace DrTools.LiveTests
{
    /// <summary>
    /// Get-/Set-DrTrafficWeight end to end: a throw-away zone (never delegated, so nothing resolves) with two weighted
    /// sites and health checks; shift 100/0 with one batch and verify by listing. Valid against real AWS and moto.
    /// </summary>
    public class TrafficLiveTests
    {
        [LiveFact]
        public async Task Shift_all_traffic_between_two_sites_with_Set_DrTrafficWeight()
        {
            var factory = new AwsClientFactory(Live.Connection());
            using var raw = factory.Route53();
            using var svc = new Route53Service(factory);
            var zoneName = Live.Name("traffic") + ".com.";
            var www = "www." + zoneName;
            string? zoneId = null;
            var healthChecks = new List<string>();
            var cleanupErrors = new List<string>();
            try
            {
                zoneId = await Route53LiveTests.CreateZoneAsync(raw, zoneName);
                HealthCheckConfig Check(string fqdn) => HealthCheckConfig.For(HealthCheckType.Https) with
                {
                    FullyQualifiedDomainName = fqdn, Port = 443, ResourcePath = "/", RequestInterval = 30, FailureThreshold = 3,
                };
                var hcOnPrem = await svc.CreateHealthCheckAsync(Live.Name("hc-onprem"), Check("aws.amazon.com"));
                healthChecks.Add(hcOnPrem.Id);
                var hcAws = await svc.CreateHealthCheckAsync(Live.Name("hc-aws"), Check("docs.aws.amazon.com"));
                healthChecks.Add(hcAws.Id);

                ResourceRecordSet Site(string id, long weight, string ip, string hc) => new()
                {
                    Name = www, Type = "A", SetIdentifier = id, Weight = weight, Ttl = 60, Values = new[] { ip }, HealthCheckId = hc,
                };
                var setup = await svc.ChangeRecordSetsAsync(zoneId, new[]
                {
                    new RecordChange(ChangeAction.Create, Site("onprem", 100, "192.0.2.10", hcOnPrem.Id)),
                    new RecordChange(ChangeAction.Create, Site("aws", 0, "198.51.100.10", hcAws.Id)),
                }, "DrTools live: traffic setup");
                await svc.WaitForInSyncAsync(setup.Id, TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(Live.IsMoto ? 1 : 10));

                // Read as a runbook does, by zone name.
                var get = PsHarness.Run($"Get-DrTrafficWeight -HostedZone {zoneName.TrimEnd('.')} -RecordName {www} -RecordType A {Live.Params()}");
                Assert.True(get.Terminating == null && get.Errors.Count == 0, get.Describe());
                Assert.Equal(new[] { ("aws", 0L), ("onprem", 100L) },
                    get.Output.Select(o => ((string)o.Properties["Site"].Value, (long)o.Properties["Weight"].Value)).OrderBy(x => x.Item1));
                Assert.All(get.Output, o => Assert.Equal(zoneId, o.Properties["ZoneId"].Value));
                var healthStates = get.Output.Select(o => o.Properties["Health"].Value.ToString()).ToList();
                // Real health checks may not have reported yet (Unknown) or may fail from some regions; moto reports Healthy.
                if (Live.IsMoto) Assert.All(healthStates, h => Assert.Equal("Healthy", h));

                // -WhatIf changes nothing.
                var whatIf = PsHarness.Run($"Set-DrTrafficWeight -HostedZone {zoneId} -RecordName {www} -Weight @{{ onprem = 0; aws = 100 }} -WhatIf {Live.Params()}");
                Assert.True(whatIf.Terminating == null && whatIf.Errors.Count == 0, whatIf.Describe());
                Assert.Contains("onprem  weight 100 -> 0", whatIf.HostText);
                Assert.Equal(100L, (await svc.ListRecordSetsAsync(zoneId, www, "A")).Single(r => r.SetIdentifier == "onprem").Weight);

                // Fail over: piped from Get-DrTrafficWeight, one batch, waited until INSYNC. -OverrideSafety only where the real
                // checkers may not have judged the new health checks yet.
                var force = healthStates.All(h => h == "Healthy") ? "" : "-OverrideSafety";
                var set = PsHarness.Run(
                    $"Get-DrTrafficWeight -HostedZone {zoneId} -RecordName {www} {Live.Params()} | " +
                    $"Set-DrTrafficWeight -Weight @{{ onprem = 0; aws = 100 }} {force} -Confirm:$false -TimeoutSec 300 {Live.Params()}");
                Assert.True(set.Terminating == null && set.Errors.Count == 0, set.Describe());
                var result = Assert.Single(set.Output);
                Assert.Equal("INSYNC", result.Properties["Status"].Value);
                Assert.False(string.IsNullOrEmpty((string)result.Properties["ChangeId"].Value));

                var after = await svc.ListRecordSetsAsync(zoneId, www, "A");
                Assert.Equal(2, after.Count);
                var onprem = after.Single(r => r.SetIdentifier == "onprem");
                var aws = after.Single(r => r.SetIdentifier == "aws");
                Assert.Equal((0L, 100L), (onprem.Weight!.Value, aws.Weight!.Value));
                // Everything but the weight is as it was.
                Assert.Equal((60L, "192.0.2.10", hcOnPrem.Id), (onprem.Ttl!.Value, onprem.Values.Single(), onprem.HealthCheckId!));
                Assert.Equal((60L, "198.51.100.10", hcAws.Id), (aws.Ttl!.Value, aws.Values.Single(), aws.HealthCheckId!));

                // Taking the last site to zero is refused and changes nothing.
                var zero = PsHarness.Run($"Set-DrTrafficWeight -HostedZone {zoneId} -RecordName {www} -Weight @{{ aws = 0 }} -Confirm:$false {Live.Params()}");
                var e = Assert.Single(zero.AllErrors);
                Assert.StartsWith(ErrorIds.TrafficSafety, e.FullyQualifiedErrorId);
                Assert.Equal(100L, (await svc.ListRecordSetsAsync(zoneId, www, "A")).Single(r => r.SetIdentifier == "aws").Weight);
            }
            finally
            {
                if (zoneId != null) await Route53LiveTests.DeleteZoneAsync(svc, raw, zoneId, cleanupErrors);
                foreach (var id in healthChecks)
                {
                    try { await svc.DeleteHealthCheckAsync(id); }
                    catch (DrToolsException ex) { cleanupErrors.Add($"health check {id}: {ex.Message}"); }
                }
            }
            Assert.True(cleanupErrors.Count == 0, "Cleanup failed: " + string.Join(" | ", cleanupErrors));
        }
    }
}
