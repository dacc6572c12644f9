using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace DrTools.Core.Plans
{
    /// <summary>Writes a plan as the JSON that <see cref="DrPlanLoader"/> reads (New-DrPlan, docs examples).</summary>
    public static class DrPlanWriter
    {
        /// <summary>Indented JSON with the schema's field names, durations in ISO 8601, "\n" line ends.</summary>
        public static string ToJson(DrPlan plan)
        {
            if (plan == null) throw new ArgumentNullException(nameof(plan));
            var buffer = new MemoryStream();
            using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            {
                w.WriteStartObject();
                w.WriteString("name", plan.Name);
                if (plan.Description != null) w.WriteString("description", plan.Description);
                w.WriteString("strategy", Upper(plan.Strategy));
                if (plan.PrimaryRegion != null) w.WriteString("primaryRegion", plan.PrimaryRegion);
                w.WriteString("drRegion", plan.DrRegion);
                w.WriteString("rto", Duration.ToIso(plan.Rto));
                w.WriteString("rpo", Duration.ToIso(plan.Rpo));
                WriteResources(w, plan.Resources, plan);
                if (plan.Approvals.Count > 0)
                {
                    w.WriteStartArray("approvals");
                    foreach (var a in plan.Approvals)
                    {
                        w.WriteStartObject();
                        w.WriteString("before", a.Before.ToString());
                        w.WriteString("message", a.Message);
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                }
                w.WriteStartObject("options");
                w.WriteNumber("maxParallelism", plan.Options.MaxParallelism);
                w.WriteString("stepTimeout", Duration.ToIso(plan.Options.StepTimeout));
                w.WriteBoolean("continueOnError", plan.Options.ContinueOnError);
                w.WriteEndObject();
                if (plan.Drill != null) WriteDrill(w, plan.Drill);
                w.WriteEndObject();
            }
            return Encoding.UTF8.GetString(buffer.ToArray()).Replace("\r\n", "\n") + "\n";
        }

        static string Upper<T>(T value) where T : struct, Enum => PlanObject.UpperSnake(value.ToString());

        static void WriteResources(Utf8JsonWriter w, PlanResources r, DrPlan plan)
        {
            w.WriteStartObject("resources");
            if (r.AppServers.Count > 0)
            {
                w.WriteStartArray("appServers");
                foreach (var s in r.AppServers)
                {
                    w.WriteStartObject();
                    w.WriteString("name", s.Name);
                    w.WriteStartObject("ami");
                    if (s.Ami.Id != null) w.WriteString("id", s.Ami.Id);
                    if (s.Ami.Name != null) w.WriteString("name", s.Ami.Name);
                    if (s.Ami.Tags.Count > 0) WriteMap(w, "tags", s.Ami.Tags);
                    if (s.Ami.Id == null && s.Ami.Owner != "self") w.WriteString("owner", s.Ami.Owner);
                    w.WriteEndObject();
                    w.WriteString("instanceType", s.InstanceType);
                    if (s.SubnetId != null) w.WriteString("subnetId", s.SubnetId);
                    if (s.SecurityGroupIds.Count > 0) WriteStrings(w, "securityGroupIds", s.SecurityGroupIds);
                    if (s.KeyName != null) w.WriteString("keyName", s.KeyName);
                    w.WriteNumber("count", s.Count);
                    if (s.Tags.Count > 0) WriteMap(w, "tags", s.Tags);
                    if (s.MaxAmiAge is { } age) w.WriteString("maxAmiAge", Duration.ToIso(age));
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            if (r.Database is { } d)
            {
                w.WriteStartObject("database");
                if (d.Engine != null) w.WriteString("engine", d.Engine);
                if (d.PrimaryInstanceId != null) w.WriteString("primaryInstanceId", d.PrimaryInstanceId);
                if (d.PrimaryRegion != null && d.PrimaryRegion != plan.PrimaryRegion) w.WriteString("primaryRegion", d.PrimaryRegion);
                if (d.ReplicaInstanceId != null) w.WriteString("replicaInstanceId", d.ReplicaInstanceId);
                // Aurora: the cluster fields (they never appear together with the instance fields).
                if (d.ClusterId != null) w.WriteString("clusterId", d.ClusterId);
                if (d.GlobalClusterId != null) w.WriteString("globalClusterId", d.GlobalClusterId);
                if (d.ReplicaClusterId != null) w.WriteString("replicaClusterId", d.ReplicaClusterId);
                if (d.Restore is { ClusterId: { } restoreCluster } clusterRestore)
                {
                    w.WriteStartObject("restore");
                    if (clusterRestore.ClusterSnapshotId != null) w.WriteString("clusterSnapshotId", clusterRestore.ClusterSnapshotId);
                    if (clusterRestore.PointInTime is { } clusterPit) w.WriteString("pointInTime", PointInTime(clusterPit));
                    if (clusterRestore.LatestRestorable) w.WriteBoolean("latestRestorable", true);
                    w.WriteString("clusterId", restoreCluster);
                    w.WriteNumber("instanceCount", clusterRestore.InstanceCount);
                    w.WriteEndObject();
                }
                else if (d.Restore is { } restore)
                {
                    w.WriteStartObject("restore");
                    if (restore.SnapshotId != null) w.WriteString("snapshotId", restore.SnapshotId);
                    if (restore.PointInTime is { } pit) w.WriteString("pointInTime", PointInTime(pit));
                    if (restore.LatestRestorable) w.WriteBoolean("latestRestorable", true);
                    w.WriteString("instanceId", restore.InstanceId);
                    w.WriteEndObject();
                }
                if (d.TargetInstanceClass != null) w.WriteString("targetInstanceClass", d.TargetInstanceClass);
                if (d.MaxReplicaLag is { } lag) w.WriteString("maxReplicaLag", Duration.ToIso(lag));
                if (d.Restore == null) w.WriteBoolean("allowDataLoss", d.AllowDataLoss);
                if (d.Reprotect is { } reprotect)
                {
                    w.WriteStartObject("reprotect");
                    if (reprotect.Region != null) w.WriteString("region", reprotect.Region);
                    if (reprotect.InstanceId != null) w.WriteString("instanceId", reprotect.InstanceId);
                    if (reprotect.InstanceClass != null) w.WriteString("instanceClass", reprotect.InstanceClass);
                    if (reprotect.KmsKeyId != null) w.WriteString("kmsKeyId", reprotect.KmsKeyId);
                    if (reprotect.DbSubnetGroupName != null) w.WriteString("dbSubnetGroupName", reprotect.DbSubnetGroupName);
                    if (reprotect.SecurityGroupIds.Count > 0)
                    {
                        w.WriteStartArray("securityGroupIds");
                        foreach (var g in reprotect.SecurityGroupIds) w.WriteStringValue(g);
                        w.WriteEndArray();
                    }
                    w.WriteBoolean("afterFailover", reprotect.AfterFailover);
                    w.WriteEndObject();
                }
                if (d.Fence is { } fence)
                {
                    w.WriteStartObject("fence");
                    w.WriteString("mode", fence.Mode == FenceMode.ParameterGroup ? "PARAMETER_GROUP" : "STOP_APP_SERVERS");
                    if (fence.ParameterGroupName != null) w.WriteString("parameterGroupName", fence.ParameterGroupName);
                    w.WriteEndObject();
                }
                w.WriteEndObject();
            }
            if (r.AutoScalingGroups.Count > 0)
            {
                w.WriteStartArray("autoScalingGroups");
                foreach (var g in r.AutoScalingGroups)
                {
                    w.WriteStartObject();
                    w.WriteString("name", g.Name);
                    if (g.Region != plan.DrRegion) w.WriteString("region", g.Region);
                    if (g.Standby != null) WriteSize(w, "standby", g.Standby);
                    WriteSize(w, "production", g.Production);
                    if (g.InstanceType != null) w.WriteString("instanceType", g.InstanceType);
                    if (g.LaunchTemplateVersion != null) w.WriteString("launchTemplateVersion", g.LaunchTemplateVersion);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            if (r.ElasticIps.Count > 0)
            {
                w.WriteStartArray("elasticIps");
                foreach (var e in r.ElasticIps)
                {
                    w.WriteStartObject();
                    w.WriteString("allocationId", e.AllocationId);
                    if (e.AppServer != null)
                    {
                        w.WriteString("appServer", e.AppServer);
                        w.WriteNumber("index", e.Index);
                    }
                    if (e.InstanceId != null) w.WriteString("instanceId", e.InstanceId);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            if (r.Dns is { } dns)
            {
                w.WriteStartObject("dns");
                if (dns.HostedZoneId != null) w.WriteString("hostedZoneId", dns.HostedZoneId);
                if (dns.HostedZoneName != null) w.WriteString("hostedZoneName", dns.HostedZoneName);
                w.WriteStartArray("records");
                foreach (var rec in dns.Records)
                {
                    w.WriteStartObject();
                    w.WriteString("name", rec.Name);
                    w.WriteString("type", rec.Type);
                    w.WriteString("routing", Upper(rec.Routing));
                    if (rec.Ttl is { } ttl) w.WriteNumber("ttl", ttl);
                    if (rec.Primary != null) WriteTarget(w, "primary", rec.Primary);
                    if (rec.Dr != null) WriteTarget(w, "dr", rec.Dr);
                    if (rec.Sites.Count > 0)
                    {
                        w.WriteStartArray("sites");
                        foreach (var s in rec.Sites)
                        {
                            w.WriteStartObject();
                            w.WriteString("setIdentifier", s.SetIdentifier);
                            if (s.Weight is { } weight) w.WriteNumber("weight", weight);
                            if (s.FailoverWeight is { } fw) w.WriteNumber("failoverWeight", fw);
                            if (s.Failover is { } role) w.WriteString("failover", Upper(role));
                            WriteTarget(w, "target", s.Target);
                            if (s.HealthCheckId != null) w.WriteString("healthCheckId", s.HealthCheckId);
                            w.WriteEndObject();
                        }
                        w.WriteEndArray();
                    }
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }

        /// <summary>UTC as "Z", any other offset as "+hh:mm"; seconds always, fractions only when there are any.</summary>
        static string PointInTime(DateTimeOffset t) =>
            t.Offset == TimeSpan.Zero
                ? t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", System.Globalization.CultureInfo.InvariantCulture)
                : t.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", System.Globalization.CultureInfo.InvariantCulture);

        static void WriteDrill(Utf8JsonWriter w, DrillSpec d)
        {
            w.WriteStartObject("drill");
            if (d.SubnetId != null) w.WriteString("subnetId", d.SubnetId);
            if (d.SecurityGroupIds.Count > 0) WriteStrings(w, "securityGroupIds", d.SecurityGroupIds);
            if (d.DbSubnetGroupName != null) w.WriteString("dbSubnetGroupName", d.DbSubnetGroupName);
            if (d.DbSecurityGroupIds.Count > 0) WriteStrings(w, "dbSecurityGroupIds", d.DbSecurityGroupIds);
            if (d.DbInstanceClass != null) w.WriteString("dbInstanceClass", d.DbInstanceClass);
            if (d.Dns is { } dns)
            {
                w.WriteStartObject("dns");
                w.WriteString("hostedZoneId", dns.HostedZoneId);
                w.WriteString("recordName", dns.RecordName);
                if (dns.AppServer != null) w.WriteString("appServer", dns.AppServer);
                w.WriteNumber("ttl", dns.Ttl);
                w.WriteEndObject();
            }
            w.WriteString("autoScalingGroups", Upper(d.AutoScalingGroups));
            if (d.Probes.Count > 0)
            {
                w.WriteStartArray("probes");
                foreach (var p in d.Probes)
                {
                    w.WriteStartObject();
                    w.WriteString("name", p.Name);
                    if (p.Url != null) w.WriteString("url", p.Url);
                    if (p.Tcp != null) w.WriteString("tcp", p.Tcp);
                    if (p.ExpectStatus is { } status) w.WriteNumber("expectStatus", status);
                    w.WriteString("within", Duration.ToIso(p.Within));
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            if (d.StopAlarms.Count > 0) WriteStrings(w, "stopAlarms", d.StopAlarms);
            if (d.MaxAge is { } maxAge) w.WriteString("maxAge", Duration.ToIso(maxAge));
            w.WriteEndObject();
        }

        static void WriteTarget(Utf8JsonWriter w, string name, RecordTarget t)
        {
            w.WriteStartObject(name);
            if (t.Alias is { } a)
            {
                w.WriteStartObject("alias");
                w.WriteString("dnsName", a.DnsName);
                w.WriteString("hostedZoneId", a.HostedZoneId);
                w.WriteBoolean("evaluateTargetHealth", a.EvaluateTargetHealth);
                w.WriteEndObject();
            }
            else if (t.ElasticIps.Count > 0) WriteStrings(w, "elasticIps", t.ElasticIps);
            else WriteStrings(w, "values", t.Values);
            w.WriteEndObject();
        }

        static void WriteSize(Utf8JsonWriter w, string name, GroupSize size)
        {
            w.WriteStartObject(name);
            w.WriteNumber("min", size.Min);
            w.WriteNumber("max", size.Max);
            w.WriteNumber("desired", size.Desired);
            w.WriteEndObject();
        }

        static void WriteStrings(Utf8JsonWriter w, string name, IEnumerable<string> values)
        {
            w.WriteStartArray(name);
            foreach (var v in values) w.WriteStringValue(v);
            w.WriteEndArray();
        }

        static void WriteMap(Utf8JsonWriter w, string name, IReadOnlyDictionary<string, string> map)
        {
            w.WriteStartObject(name);
            foreach (var kv in map.OrderBy(k => k.Key, StringComparer.Ordinal)) w.WriteString(kv.Key, kv.Value);
            w.WriteEndObject();
        }
    }
}
