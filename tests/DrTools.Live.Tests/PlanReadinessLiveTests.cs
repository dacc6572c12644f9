using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using System.Xml.Linq;
using Amazon.EC2.Model;
using DrTools.Core.Aws;
using DrTools.Core.Aws.AutoScaling;
using DrTools.Core.Aws.Ec2;
using DrTools.Core.Aws.Rds;
using DrTools.Core.Aws.Route53;
using DrTools.Core.Aws.Wire;
using DrTools.Core.Connection;
using DrTools.Core.Plans;
using DrTools.Core.Plans.Readiness;
using DrTools.TestSupport;
using Xunit;

namespace DrTools.LiveTests
{
    /// <summary>
    /// Test-DrPlan -Live end to end: build the DR side of a pilot light plan (AMI, cross-region replica, group, Elastic IP,
    /// zone with simple and weighted records, health checks), check it is all ready, break one resource, check again.
    /// </summary>
    public class PlanReadinessLiveTests
    {
        static readonly TimeSpan Long = TimeSpan.FromMinutes(Live.IsMoto ? 1 : 40);
        static readonly CancellationToken None = CancellationToken.None;

        [LiveFact]
        public async Task Test_DrPlan_Live_is_ready_when_everything_exists_and_names_the_resource_that_is_gone()
        {
            var name = Live.Name("plan");
            var dr = Live.DrRegion;
            var drClients = new AwsClientFactory(Live.Connection(dr));
            using var ec2 = new Ec2Service(drClients, dr);
            using var primaryRds = RdsService.Create(new AwsClientFactory(Live.Connection(Live.Region)));
            using var drRds = RdsService.Create(drClients);
            primaryRds.PollInterval = drRds.PollInterval = TimeSpan.FromSeconds(Live.IsMoto ? 0.2 : 30);
            using var sdkEc2 = drClients.Ec2();
            using var asgWire = drClients.AutoScaling();
            using var asg = AutoScalingService.Create(drClients);
            var route53Clients = new AwsClientFactory(Live.Connection(Live.Region));
            using var route53 = new Route53Service(route53Clients);
            using var route53Wire = route53Clients.Route53();
            var planFile = Path.Combine(Path.GetTempPath(), name + ".json");

            string? instanceId = null, imageId = null, allocationId = null, templateId = null, zoneId = null;
            bool groupCreated = false, released = false;
            var dbIds = new List<(RdsService Rds, string Id)>();
            var healthChecks = new List<string>();
            try
            {
                // The app server image, in the DR region, found by the plan's name filter and tag.
                var baseAmi = Live.IsMoto ? "ami-12c6146b" : (await ec2.DescribeImagesAsync(null, new[] { new Ec2Filter("name", "al2023-ami-2023*-x86_64"), new Ec2Filter("state", "available") }, new[] { "amazon" }, None))
                    .OrderByDescending(i => i.CreationDate).First().ImageId;
                instanceId = (await ec2.RunInstancesAsync(new Ec2RunRequest(baseAmi, "t3.micro") { Tags = { ["Name"] = name } }, None)).Single().InstanceId;
                await ec2.WaitForInstanceRunningAsync(instanceId, Ec2WaitOptions.Instance, None);
                imageId = await ec2.CreateImageAsync(new Ec2CreateImageRequest(instanceId, $"{name}-web-1")
                {
                    Tags = { ["drtools:plan"] = name }, TagSnapshots = !Live.IsMoto, // moto: snapshot tags in CreateImage are NotImplemented
                }, None);
                await ec2.WaitForImageAvailableAsync(imageId, new Ec2WaitOptions(Long, TimeSpan.FromSeconds(Live.IsMoto ? 0.2 : 15)), None);

                // The primary database and its cross-region replica.
                var primaryId = name + "-db";
                var replicaId = name + "-db-dr";
                dbIds.Add((primaryRds, primaryId));
                using (var rdsWire = new AwsClientFactory(Live.Connection(Live.Region)).Rds())
                    await rdsWire.SendAsync("CreateDBInstance", new Dictionary<string, string>
                    {
                        ["DBInstanceIdentifier"] = primaryId, ["DBInstanceClass"] = "db.t3.micro", ["Engine"] = "postgres", ["MasterUsername"] = "drtools",
                        ["MasterUserPassword"] = "Dr-" + Guid.NewGuid().ToString("N").Substring(0, 20), ["AllocatedStorage"] = "20", ["BackupRetentionPeriod"] = "1",
                    });
                var primary = await primaryRds.WaitForDBInstanceAvailableAsync(primaryId, Long);
                dbIds.Add((drRds, replicaId));
                await drRds.CreateDBInstanceReadReplicaAsync(new CreateReadReplicaRequest { DBInstanceIdentifier = replicaId, SourceDBInstance = primary.Arn!, DBInstanceClass = "db.t3.micro" });
                await drRds.WaitForDBInstanceAvailableAsync(replicaId, Long);

                // A standby group (empty, so the test launches nothing) and an Elastic IP.
                var zoneA = (await sdkEc2.DescribeAvailabilityZonesAsync(new DescribeAvailabilityZonesRequest())).AvailabilityZones.First().ZoneName;
                templateId = (await sdkEc2.CreateLaunchTemplateAsync(new CreateLaunchTemplateRequest
                {
                    LaunchTemplateName = name, LaunchTemplateData = new RequestLaunchTemplateData { ImageId = imageId, InstanceType = Amazon.EC2.InstanceType.T3Micro },
                })).LaunchTemplate.LaunchTemplateId;
                await asgWire.SendAsync("CreateAutoScalingGroup", new Dictionary<string, string>
                {
                    ["AutoScalingGroupName"] = name, ["LaunchTemplate.LaunchTemplateId"] = templateId, ["LaunchTemplate.Version"] = "$Latest",
                    ["MinSize"] = "0", ["MaxSize"] = "2", ["DesiredCapacity"] = "0", ["AvailabilityZones.member.1"] = zoneA,
                });
                groupCreated = true;
                allocationId = (await ec2.AllocateAddressAsync(new Dictionary<string, string> { ["Name"] = name }, None)).AllocationId!;

                // The zone: a simple record, and a weighted record whose sites have health checks.
                var zoneName = name + ".com.";
                zoneId = await CreateZoneAsync(route53Wire, zoneName);
                foreach (var ip in new[] { "198.51.100.10", "203.0.113.10" })
                    healthChecks.Add((await route53.CreateHealthCheckAsync(Live.Name("hc"), new HealthCheckConfig { Type = "HTTP", IpAddress = ip, Port = 80, ResourcePath = "/" })).Id);
                var change = await route53.ChangeRecordSetsAsync(zoneId, new[]
                {
                    new RecordChange(ChangeAction.Create, new ResourceRecordSet { Name = "app." + zoneName, Type = "A", Ttl = 60, Values = new[] { "198.51.100.10" } }),
                    new RecordChange(ChangeAction.Create, new ResourceRecordSet { Name = "www." + zoneName, Type = "A", Ttl = 60, SetIdentifier = "onprem", Weight = 100, HealthCheckId = healthChecks[0], Values = new[] { "198.51.100.10" } }),
                    new RecordChange(ChangeAction.Create, new ResourceRecordSet { Name = "www." + zoneName, Type = "A", Ttl = 60, SetIdentifier = "aws", Weight = 0, HealthCheckId = healthChecks[1], Values = new[] { "203.0.113.10" } }),
                });
                await route53.WaitForInSyncAsync(change.Id, Long);

                File.WriteAllText(planFile, $$"""
                {
                  "name": "{{name}}", "strategy": "PILOT_LIGHT", "primaryRegion": "{{Live.Region}}", "drRegion": "{{dr}}", "rto": "PT1H", "rpo": "PT15M",
                  "resources": {
                    "appServers": [ { "name": "web", "ami": { "name": "{{name}}-web-*", "tags": { "drtools:plan": "{{name}}" } }, "instanceType": "t3.micro", "maxAmiAge": "P1D" } ],
                    "database": { "primaryInstanceId": "{{primaryId}}", "replicaInstanceId": "{{replicaId}}" },
                    "autoScalingGroups": [ { "name": "{{name}}", "standby": { "min": 0, "max": 2, "desired": 0 }, "production": { "min": 1, "max": 2, "desired": 1 } } ],
                    "elasticIps": [ { "allocationId": "{{allocationId}}", "appServer": "web" } ],
                    "dns": { "hostedZoneId": "{{zoneId}}", "hostedZoneName": "{{zoneName}}", "records": [
                      { "name": "app.{{zoneName}}", "type": "A", "routing": "SIMPLE", "ttl": 60, "primary": { "values": [ "198.51.100.10" ] }, "dr": { "elasticIps": [ "{{allocationId}}" ] } },
                      { "name": "www.{{zoneName}}", "type": "A", "routing": "WEIGHTED", "ttl": 60, "sites": [
                        { "setIdentifier": "onprem", "weight": 100, "failoverWeight": 0, "target": { "values": [ "198.51.100.10" ] }, "healthCheckId": "{{healthChecks[0]}}" },
                        { "setIdentifier": "aws", "weight": 0, "failoverWeight": 100, "target": { "values": [ "203.0.113.10" ] }, "healthCheckId": "{{healthChecks[1]}}" } ] } ] }
                  }
                }
                """);

                // No -Region: the plan's DR region is checked.
                var endpoint = Live.Endpoint != null ? $"-EndpointUrl {Live.Endpoint} -AccessKey {Live.AccessKey} -SecretKey {Live.SecretKey}" : "";
                var ready = Checks(PsHarness.Run($"Test-DrPlan -Plan {PsHarness.Quote(planFile)} -Live {endpoint}"));
                // moto publishes no CloudWatch ReplicaLag: the lag is unknown there, which readiness rightly reports as not ready.
                Assert.True(ready.All(c => c.Ready || Live.IsMoto && c.Check == "ReplicaLag"), "not ready:\n" + string.Join("\n", ready.Where(c => !c.Ready)));
                Assert.Equal(new[] { "RegionEnabled", "AmiExists", "AmiAge", "DbReplica", "ReplicaLag", "Protection", "AutoScalingGroup", "LaunchTemplate", "InstanceQuota",
                        "ElasticIp", "HostedZone", "DnsRecord", "DnsSite", "DnsSite", "HealthCheck", "HealthCheck", "HealthCheckStatus", "HealthCheckStatus" },
                    ready.Select(c => c.Check));
                Assert.StartsWith(imageId, ready[1].Observed);
                // The Protection check is about the writer, in its region (the primary's: never failed over).
                Assert.All(ready.Where(c => c.Region != "global" && c.Check != "Protection"), c => Assert.Equal(dr, c.Region));
                Assert.Contains(primaryId, ready.Single(c => c.Check == "DbReplica").Observed);

                // Release the Elastic IP: that check, and only that one, is not ready.
                await ec2.ReleaseAddressAsync(allocationId, None);
                released = true;
                var after = Checks(PsHarness.Run($"Test-DrPlan -Plan {PsHarness.Quote(planFile)} -Live {endpoint}"));
                var eip = after.Single(c => c.Check == "ElasticIp");
                Assert.False(eip.Ready);
                Assert.Null(eip.ErrorId);
                Assert.StartsWith($"Elastic IP {allocationId} does not exist in {dr}.", eip.Reason);
                Assert.True(after.Where(c => c.Check != "ElasticIp" && !(Live.IsMoto && c.Check == "ReplicaLag")).All(c => c.Ready));
            }
            finally
            {
                var problems = new List<string>();
                async Task Try(string what, Func<Task> action)
                {
                    try { await action(); } catch (Exception ex) { problems.Add($"{what}: {ex.Message}"); }
                }
                try { File.Delete(planFile); } catch (IOException) { }
                if (zoneId != null) await Try($"zone {zoneId}", () => DeleteZoneAsync(route53, route53Wire, zoneId));
                foreach (var hc in healthChecks) await Try($"health check {hc}", () => route53.DeleteHealthCheckAsync(hc));
                if (allocationId != null && !released) await Try($"Elastic IP {allocationId}", () => ec2.ReleaseAddressAsync(allocationId, None));
                if (groupCreated)
                    await Try($"group {name}", async () =>
                    {
                        await asgWire.SendAsync("DeleteAutoScalingGroup", new Dictionary<string, string> { ["AutoScalingGroupName"] = name, ["ForceDelete"] = "true" });
                        var deadline = DateTime.UtcNow + Long;
                        while (await asg.FindAutoScalingGroupAsync(name) != null && DateTime.UtcNow < deadline) await Task.Delay(TimeSpan.FromSeconds(Live.IsMoto ? 0.2 : 10));
                    });
                if (templateId != null) await Try($"launch template {templateId}", () => sdkEc2.DeleteLaunchTemplateAsync(new DeleteLaunchTemplateRequest { LaunchTemplateId = templateId }));
                foreach (var (rds, id) in Enumerable.Reverse(dbIds))
                    await Try($"DB instance {id}", async () =>
                    {
                        if (await rds.FindDBInstanceAsync(id) is not { } db) return;
                        if (db.Status != "available" && db.Status != "deleting") await rds.WaitForDBInstanceAvailableAsync(id, Long);
                        // moto cannot delete a cross-region replica (it looks its source up by the wrong id); promoted, it can.
                        if (Live.IsMoto && db.IsReadReplica) await rds.PromoteReadReplicaAsync(id);
                        if (db.Status != "deleting") await rds.DeleteDBInstanceAsync(id, DbFinalSnapshot.None, deleteAutomatedBackups: true);
                        await rds.WaitForDBInstanceDeletedAsync(id, Long);
                    });
                if (imageId != null)
                    await Try($"image {imageId}", async () =>
                    {
                        foreach (var snapshot in await ec2.DeregisterImageAsync(imageId, None)) await ec2.DeleteSnapshotAsync(snapshot, None);
                    });
                if (instanceId != null) await Try($"instance {instanceId}", () => ec2.TerminateInstancesAsync(new[] { instanceId }, None));
                Assert.True(problems.Count == 0, "Cleanup left resources behind: " + string.Join("; ", problems));
            }
        }

        static IReadOnlyList<ReadinessCheck> Checks(PsResult r)
        {
            Assert.True(r.Terminating == null && r.Errors.Count == 0, r.Describe());
            return r.Output.Select(o => Assert.IsType<ReadinessCheck>(o.BaseObject)).ToList();
        }

        // Zone creation is not something DR does, so it is not in IRoute53Service; the test uses the wire client.
        static async Task<string> CreateZoneAsync(Route53Client raw, string name)
        {
            var ns = raw.Namespace;
            var x = await raw.SendAsync("CreateHostedZone", "POST", "/2013-04-01/hostedzone", body:
                new XElement(ns + "CreateHostedZoneRequest",
                    new XElement(ns + "Name", name),
                    new XElement(ns + "CallerReference", Guid.NewGuid().ToString("N")),
                    new XElement(ns + "HostedZoneConfig", new XElement(ns + "Comment", "DrTools live test; safe to delete"))));
            return Route53Names.StripId(x.Element("HostedZone")!.Child("Id")!);
        }

        /// <summary>Deletes the records the test made (one per batch: moto deletes by SetIdentifier zone-wide), then the zone.</summary>
        static async Task DeleteZoneAsync(Route53Service svc, Route53Client raw, string zoneId)
        {
            var zone = (await svc.ListRecordSetsAsync(zoneId)).ToList();
            var apex = zone.FirstOrDefault(r => r.Type == "SOA")?.Name;
            foreach (var record in zone.Where(r => !(r.Type is "SOA" or "NS" && apex != null && Route53Names.SameName(r.Name, apex))))
            {
                var remaining = await svc.ListRecordSetsAsync(zoneId, record.Name, record.Type);
                if (remaining.Any(r => r.SetIdentifier == record.SetIdentifier))
                    await svc.ChangeRecordSetsAsync(zoneId, new[] { new RecordChange(ChangeAction.Delete, record) }, "DrTools live test cleanup");
            }
            await raw.SendAsync("DeleteHostedZone", "DELETE", "/2013-04-01/hostedzone/{Id}", pathParameters: new[] { new KeyValuePair<string, string>("Id", zoneId) });
        }
    }
}
