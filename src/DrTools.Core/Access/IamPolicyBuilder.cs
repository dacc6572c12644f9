using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using DrTools.Core.Drills;
using DrTools.Core.Plans;
using DrTools.Core.Recovery.Steps;
using DrTools.Core.RecoveryPoints;

namespace DrTools.Core.Access
{
    /// <summary>One statement of a generated policy.</summary>
    public sealed record IamStatement(string Sid, IReadOnlyList<string> Actions, IReadOnlyList<string> Resources,
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, IReadOnlyList<string>>> Condition);

    /// <summary>An IAM policy document for one role of one plan (Get-DrIamPolicy).</summary>
    public sealed class IamPolicyDocument
    {
        public string Role { get; init; } = "";
        public string Plan { get; init; } = "";
        /// <summary>How many statements the document has.</summary>
        public int Statements => StatementList.Count;
        /// <summary>How many distinct actions the role is allowed.</summary>
        public int Actions => StatementList.SelectMany(s => s.Actions).Distinct(StringComparer.Ordinal).Count();
        /// <summary>The regions the policy allows (aws:RequestedRegion); Route 53 and STS are global.</summary>
        public IReadOnlyList<string> Regions { get; init; } = Array.Empty<string>();
        /// <summary>The policy document (IAM JSON, Version 2012-10-17).</summary>
        public string Json { get; init; } = "";
        /// <summary>The file the document was written to (-Path); null when only returned.</summary>
        public string? Path { get; init; }
        public IReadOnlyList<IamStatement> StatementList { get; init; } = Array.Empty<IamStatement>();

        public override string ToString() => Json;
    }

    /// <summary>
    /// Builds the least-privilege IAM policy of a plan for a role from <see cref="IamActions"/>: the role's actions,
    /// resources scoped to the plan's ARNs and tag conditions (DrTools:Plan, DrTools:Drill), regions limited to the
    /// plan's (aws:RequestedRegion). Actions with no resource-level permissions get Resource "*", as the table says why.
    /// </summary>
    public static class IamPolicyBuilder
    {
        static readonly HashSet<string> GlobalServices = new(StringComparer.Ordinal) { "route53", "sts", "iam" };

        public static IamPolicyDocument Build(DrPlan plan, IamRole role)
        {
            if (plan == null) throw new ArgumentNullException(nameof(plan));
            var regions = RegionsOf(plan);
            var p = Partition(plan.DrRegion);
            var statements = new List<IamStatement>();
            var entries = IamActions.For(role).ToList();
            // Global services (Route 53, STS) are asked in us-east-1 whatever the plan's regions: no region condition on them.
            foreach (var group in entries.GroupBy(e => (e.Scope, Global: GlobalServices.Contains(e.Service))).OrderBy(g => g.Key.Scope).ThenBy(g => g.Key.Global))
            {
                foreach (var (s, actions, resources, condition) in Scope(plan, group.Key.Scope, group.ToList(), p, regions))
                {
                    var suffix = s + (group.Key.Global && group.Key.Scope == IamScope.Unscopable ? "Global" : "");
                    if (actions.Count == 0 || resources.Count == 0) continue;
                    var cond = condition.ToDictionary(kv => kv.Key, kv => kv.Value);
                    if (actions.Any(a => !GlobalServices.Contains(a.Substring(0, a.IndexOf(':')))))
                        AddCondition(cond, "StringEquals", "aws:RequestedRegion", regions);
                    statements.Add(new IamStatement(Sid(role, group.Key.Scope, suffix), actions.Distinct(StringComparer.Ordinal).OrderBy(a => a, StringComparer.Ordinal).ToList(),
                        resources.Distinct(StringComparer.Ordinal).ToList(),
                        cond.ToDictionary(kv => kv.Key, kv => (IReadOnlyDictionary<string, IReadOnlyList<string>>)kv.Value)));
                }
            }
            return new IamPolicyDocument { Role = role.ToString(), Plan = plan.Name, Regions = regions, StatementList = statements, Json = ToJson(statements) };
        }

        static string Sid(IamRole role, IamScope scope, string suffix) => $"DrTools{role}{scope}{suffix}";

        /// <summary>The plan's regions: DR, primary, the database's primary, groups' own.</summary>
        public static IReadOnlyList<string> RegionsOf(DrPlan plan) =>
            new[] { plan.DrRegion, plan.PrimaryRegion, plan.Resources.Database?.PrimaryRegion }
                .Concat(plan.Resources.AutoScalingGroups.Select(g => g.Region))
                .Where(r => !string.IsNullOrEmpty(r)).Select(r => r!).Distinct(StringComparer.Ordinal).ToList();

        static string Partition(string region) =>
            region.StartsWith("cn-", StringComparison.Ordinal) ? "aws-cn" : region.StartsWith("us-gov-", StringComparison.Ordinal) ? "aws-us-gov" : "aws";

        static void AddCondition(Dictionary<string, Dictionary<string, IReadOnlyList<string>>> cond, string op, string key, IEnumerable<string> values)
        {
            if (!cond.TryGetValue(op, out var d)) cond[op] = d = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
            d[key] = values.ToList();
        }

        static Dictionary<string, Dictionary<string, IReadOnlyList<string>>> Condition(string op, string key, params string[] values)
        {
            var c = new Dictionary<string, Dictionary<string, IReadOnlyList<string>>>(StringComparer.Ordinal);
            AddCondition(c, op, key, values);
            return c;
        }

        static readonly Dictionary<string, Dictionary<string, IReadOnlyList<string>>> None = new();

        static bool Creates(string action)
        {
            var name = action.Substring(action.IndexOf(':') + 1);
            return name.StartsWith("Run", StringComparison.Ordinal) || name.StartsWith("Create", StringComparison.Ordinal)
                   || name.StartsWith("Restore", StringComparison.Ordinal) || name.StartsWith("AddTags", StringComparison.Ordinal);
        }

        static IEnumerable<(string Suffix, List<string> Actions, List<string> Resources, Dictionary<string, Dictionary<string, IReadOnlyList<string>>> Condition)> Scope(
            DrPlan plan, IamScope scope, List<IamAction> entries, string p, IReadOnlyList<string> regions)
        {
            var actions = entries.Select(e => e.Action).Distinct(StringComparer.Ordinal).ToList();
            var dr = plan.DrRegion;
            var db = plan.Resources.Database;
            List<string> InRegions(Func<string, string> arn) => regions.Select(arn).ToList();
            switch (scope)
            {
                case IamScope.Unscopable:
                    yield return ("", actions, new List<string> { "*" }, None);
                    break;
                case IamScope.PlanInstances:
                    yield return ("", actions, InRegions(r => $"arn:{p}:ec2:{r}:*:instance/*"), Condition("StringEquals", "aws:ResourceTag/" + RecoveryStepBase.TagPlan, plan.Name));
                    break;
                case IamScope.LaunchInstances:
                    yield return ("", actions, InRegions(r => $"arn:{p}:ec2:{r}:*:instance/*").Concat(InRegions(r => $"arn:{p}:ec2:{r}:*:volume/*")).ToList(),
                        Condition("StringEquals", "aws:RequestTag/" + RecoveryStepBase.TagPlan, plan.Name));
                    yield return ("Uses", actions, LaunchUses(plan, p), None);
                    break;
                case IamScope.TagOnCreate:
                    yield return ("", actions, InRegions(r => $"arn:{p}:ec2:{r}:*:*/*"),
                        Condition("StringEquals", "ec2:CreateAction", "RunInstances", "CreateSnapshots", "CreateImage", "CopySnapshot", "CopyImage", "CreateVolume", "AllocateAddress"));
                    break;
                case IamScope.Ec2RecoveryPoints:
                    yield return ("", actions, InRegions(r => $"arn:{p}:ec2:{r}::snapshot/*").Concat(InRegions(r => $"arn:{p}:ec2:{r}::image/*"))
                        .Concat(InRegions(r => $"arn:{p}:ec2:{r}:*:volume/*")).ToList(), None);
                    break;
                case IamScope.ElasticIps:
                    var eips = plan.Resources.ElasticIps.Select(e => e.AllocationId)
                        .Concat(plan.Resources.Dns?.Records.SelectMany(rec => new[] { rec.Primary, rec.Dr }.Concat(rec.Sites.Select(s => s.Target))).OfType<RecordTarget>()
                            .SelectMany(t => t.ElasticIps) ?? Enumerable.Empty<string>()).Distinct(StringComparer.Ordinal).ToList();
                    if (eips.Count > 0) yield return ("", actions, eips.Select(id => $"arn:{p}:ec2:{dr}:*:elastic-ip/{id}").ToList(), None);
                    break;
                case IamScope.PlanDbInstances:
                    if (db == null) break;
                    var instances = new List<string>();
                    if (db.PrimaryInstanceId != null) instances.Add($"arn:{p}:rds:{db.PrimaryRegion ?? plan.PrimaryRegion ?? dr}:*:db:{db.PrimaryInstanceId}");
                    if (db.ReplicaInstanceId != null) instances.Add($"arn:{p}:rds:{dr}:*:db:{db.ReplicaInstanceId}");
                    if (db.Restore?.InstanceId is { Length: > 0 } target) instances.Add($"arn:{p}:rds:{dr}:*:db:{target}");
                    yield return ("", actions, instances, None);
                    break;
                case IamScope.PlanDbSnapshots:
                    if (db == null) break;
                    var snapshots = new List<string>();
                    if (db.PrimaryInstanceId != null) snapshots.AddRange(InRegions(r => $"arn:{p}:rds:{r}:*:snapshot:drtools-{db.PrimaryInstanceId.ToLowerInvariant()}-*"));
                    if (db.Restore?.SnapshotId is { } snap) snapshots.Add(snap.StartsWith("arn:", StringComparison.Ordinal) ? snap : $"arn:{p}:rds:{dr}:*:snapshot:{snap}");
                    yield return ("", actions, snapshots, None);
                    break;
                case IamScope.DbAutomatedBackups:
                    if (db?.PrimaryInstanceId == null) break;
                    yield return ("", actions, InRegions(r => $"arn:{p}:rds:{r}:*:auto-backup:*"), None);
                    break;
                case IamScope.HostedZone:
                    if (plan.Resources.Dns == null) break;
                    var zone = plan.Resources.Dns.HostedZoneId != null ? Aws.Route53.Route53Names.StripId(plan.Resources.Dns.HostedZoneId) : "*";
                    yield return ("", actions, new List<string> { $"arn:{p}:route53:::hostedzone/{zone}" }, None);
                    break;
                case IamScope.Route53Changes:
                    if (plan.Resources.Dns == null && plan.Drill?.Dns == null) break;
                    yield return ("", actions, new List<string> { $"arn:{p}:route53:::change/*" }, None);
                    break;
                case IamScope.HealthChecks:
                    var checks = plan.Resources.Dns?.Records.SelectMany(r => r.Sites).Select(s => s.HealthCheckId).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
                    if (checks is { Count: > 0 }) yield return ("", actions, checks.Select(id => $"arn:{p}:route53:::healthcheck/{id}").ToList(), None);
                    break;
                case IamScope.PlanGroups:
                    var groups = plan.Resources.AutoScalingGroups
                        .Select(g => $"arn:{p}:autoscaling:{(string.IsNullOrEmpty(g.Region) ? dr : g.Region)}:*:autoScalingGroup:*:autoScalingGroupName/{g.Name}").ToList();
                    yield return ("", actions, groups, None);
                    break;
                case IamScope.DrillInstances:
                case IamScope.DrillDatabases:
                case IamScope.DrillGroups:
                    var drillResources = scope switch
                    {
                        IamScope.DrillInstances => new List<string> { $"arn:{p}:ec2:{dr}:*:instance/*", $"arn:{p}:ec2:{dr}:*:volume/*" },
                        IamScope.DrillDatabases => new List<string> { $"arn:{p}:rds:{dr}:*:db:*", $"arn:{p}:rds:{dr}:*:snapshot:*" },
                        _ => new List<string> { $"arn:{p}:autoscaling:{dr}:*:autoScalingGroup:*:autoScalingGroupName/*" },
                    };
                    var create = actions.Where(Creates).ToList();
                    var change = actions.Where(a => !Creates(a)).ToList();
                    // Drills tag what they create DrTools:Drill=<run id> (new each run: only its presence can be required) and
                    // DrTools:Plan=<plan>.drill, which is what they may change and delete. Test-DrRestore's scratch resources carry DrTools:Drill=true.
                    yield return ("New", create, drillResources, Condition("Null", "aws:RequestTag/" + DrillTags.Drill, "false"));
                    yield return ("Tagged", change, drillResources, Condition("StringEquals", "aws:ResourceTag/" + RecoveryStepBase.TagPlan, DrillTags.RunName(plan.Name)));
                    yield return ("Scratch", change, drillResources, Condition("StringEquals", "aws:ResourceTag/" + RecoveryPointTags.Drill, "true"));
                    if (scope == IamScope.DrillInstances && create.Contains("ec2:RunInstances")) yield return ("Uses", new List<string> { "ec2:RunInstances" }, LaunchUses(plan, p), None);
                    break;
                case IamScope.DrToolsMetrics:
                    yield return ("", actions, new List<string> { "*" }, Condition("StringEquals", "cloudwatch:namespace", "DrTools"));
                    break;
                case IamScope.S3Repository:
                    break; // a plan names no repository: see the S3 section of docs/iam.md
            }
        }

        /// <summary>What RunInstances also authorizes against: the plan's subnets, security groups and key pairs, any image, new network interfaces.</summary>
        static List<string> LaunchUses(DrPlan plan, string p)
        {
            var dr = plan.DrRegion;
            var servers = plan.Resources.AppServers;
            var subnets = servers.Select(s => s.SubnetId).Append(plan.Drill?.SubnetId).OfType<string>().Distinct().ToList();
            var groups = servers.SelectMany(s => s.SecurityGroupIds).Concat(plan.Drill?.SecurityGroupIds ?? Array.Empty<string>()).Distinct().ToList();
            var keys = servers.Select(s => s.KeyName).OfType<string>().Distinct().ToList();
            var list = new List<string> { $"arn:{p}:ec2:{dr}::image/*", $"arn:{p}:ec2:{dr}:*:network-interface/*" };
            list.AddRange(subnets.Count > 0 ? subnets.Select(s => $"arn:{p}:ec2:{dr}:*:subnet/{s}") : new[] { $"arn:{p}:ec2:{dr}:*:subnet/*" });
            list.AddRange(groups.Count > 0 ? groups.Select(s => $"arn:{p}:ec2:{dr}:*:security-group/{s}") : new[] { $"arn:{p}:ec2:{dr}:*:security-group/*" });
            list.AddRange(keys.Select(k => $"arn:{p}:ec2:{dr}:*:key-pair/{k}"));
            return list;
        }

        static string ToJson(IReadOnlyList<IamStatement> statements)
        {
            using var stream = new MemoryStream();
            using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
            {
                w.WriteStartObject();
                w.WriteString("Version", "2012-10-17");
                w.WriteStartArray("Statement");
                foreach (var s in statements)
                {
                    w.WriteStartObject();
                    w.WriteString("Sid", s.Sid);
                    w.WriteString("Effect", "Allow");
                    WriteList(w, "Action", s.Actions);
                    if (s.Resources.Count == 1 && s.Resources[0] == "*") w.WriteString("Resource", "*"); else WriteList(w, "Resource", s.Resources);
                    if (s.Condition.Count > 0)
                    {
                        w.WriteStartObject("Condition");
                        foreach (var op in s.Condition)
                        {
                            w.WriteStartObject(op.Key);
                            foreach (var kv in op.Value)
                                if (kv.Value.Count == 1) w.WriteString(kv.Key, kv.Value[0]); else WriteList(w, kv.Key, kv.Value);
                            w.WriteEndObject();
                        }
                        w.WriteEndObject();
                    }
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            return Encoding.UTF8.GetString(stream.ToArray());
        }

        static void WriteList(Utf8JsonWriter w, string name, IEnumerable<string> values)
        {
            w.WriteStartArray(name);
            foreach (var v in values) w.WriteStringValue(v);
            w.WriteEndArray();
        }

        /// <summary>The "Actions by role" table of docs/iam.md, generated from <see cref="IamActions"/> (a test keeps the doc equal to it).</summary>
        public static string MarkdownTable()
        {
            var sb = new StringBuilder();
            sb.Append("| action | API operation | ReadOnly | Backup | Drill | Operator | resource | used by |\n");
            sb.Append("| --- | --- | --- | --- | --- | --- | --- | --- |\n");
            foreach (var e in IamActions.Entries)
            {
                string Mark(IamRoles r) => e.Roles.HasFlag(r) ? "yes" : "";
                var resource = e.Scope == IamScope.Unscopable ? $"`*` ({e.Why})" : e.Scope.ToString() + (e.Why != null ? $" ({e.Why})" : "");
                sb.Append($"| `{e.Action}` | {e.Operation}{(e.Planned ? " (planned)" : "")} | {Mark(IamRoles.ReadOnly)} | {Mark(IamRoles.Backup)} | {Mark(IamRoles.Drill)} | {Mark(IamRoles.Operator)} | {resource} | {e.UsedBy} |\n");
            }
            return sb.ToString();
        }
    }
}
