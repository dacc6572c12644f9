using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using DrTools.Core.Diagnostics;
using DrTools.Core.Recovery.Engine;
using DrTools.Core.Recovery.Strategies;

namespace DrTools.Core.Plans
{
    /// <summary>
    /// Reads and validates DR plans (Import-DrPlan). Validation runs on a JSON tree, so a JSON file and a
    /// PowerShell data file (.psd1, a hashtable) go through the same checks: <see cref="FromObject"/> turns the
    /// hashtable into that tree first. Every error names the field by JSON path; all errors are returned at once.
    /// </summary>
    public static partial class DrPlanLoader
    {
        static readonly Regex PlanName = new("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$");
        static readonly Regex Region = new(@"^[a-z]{2}(-[a-z]+)+-\d{1,2}$");
        static readonly Regex AmiId = new("^ami-[0-9a-f]{8,17}$");
        static readonly Regex InstanceType = new(@"^[a-z][a-z0-9-]*\.[a-z0-9-]+$");
        static readonly Regex SubnetId = new("^subnet-[0-9a-f]{8,17}$");
        static readonly Regex SecurityGroupId = new("^sg-[0-9a-f]{8,17}$");
        static readonly Regex AllocationId = new("^eipalloc-[0-9a-f]{8,17}$");
        static readonly Regex InstanceId = new("^i-[0-9a-f]{8,17}$");
        static readonly Regex DbInstanceId = new("^[A-Za-z](?!.*--)[A-Za-z0-9-]{0,62}(?<!-)$");
        static readonly Regex DbSnapshot = new(@"^([A-Za-z][A-Za-z0-9:-]{0,254}|arn:aws[a-z-]*:rds:[a-z0-9-]+:\d{12}:snapshot:[A-Za-z0-9:-]+)$");
        static readonly Regex DbClass = new(@"^db\.[a-z0-9-]+\.[a-z0-9-]+$");
        static readonly Regex RoleName = new("^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$");
        static readonly Regex GroupName = new(@"^[^:]{1,255}$");
        static readonly Regex LaunchTemplateVersion = new(@"^(\$Latest|\$Default|[1-9]\d*)$");
        // The API model allows any id of up to 32 characters; AWS issues Z-prefixed ids, emulators may not.
        static readonly Regex ZoneId = new("^(/hostedzone/)?[A-Z0-9]{1,32}$");
        static readonly Regex DnsName = new(@"^(\*\.)?([A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?\.)*[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?\.?$");
        static readonly Regex HealthCheckId = new("^[A-Za-z0-9-]{1,64}$");
        static readonly Regex SetIdentifier = new("^.{1,128}$");
        static readonly string[] RecordTypes = { "A", "AAAA", "CNAME" };
        static readonly string[] KnownEngines = { "mysql", "mariadb", "postgres", "aurora-mysql", "aurora-postgresql", "oracle-ee", "oracle-se2", "sqlserver-ee", "sqlserver-se", "sqlserver-ex", "sqlserver-web", "db2-se", "db2-ae" };

        /// <summary>Reads a plan file: .json, or .psd1 through the cmdlet layer (which converts it and calls <see cref="FromObject"/>).</summary>
        /// <exception cref="DrToolsException">DrTools.NotFound when the file does not exist; DrTools.InvalidPlan when it cannot be read.</exception>
        public static PlanLoadResult LoadFile(string path)
        {
            if (!File.Exists(path))
                throw new DrToolsException(ErrorIds.NotFound, DrErrorCategory.ObjectNotFound, $"The plan file '{path}' does not exist.", path,
                    "Check the path; New-DrPlan writes a starting plan.");
            string text;
            try { text = File.ReadAllText(path, Encoding.UTF8); }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new DrToolsException(ErrorIds.InvalidPlan, DrErrorCategory.ReadError, $"Could not read the plan file '{path}': {ex.Message}", path,
                    "Check that the file is readable by this account.", ex);
            }
            return Parse(text, path);
        }

        /// <summary>Parses and validates plan JSON. Comments and trailing commas are allowed.</summary>
        public static PlanLoadResult Parse(string json, string? source = null)
        {
            JsonDocument doc;
            try
            {
                doc = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            }
            catch (JsonException ex)
            {
                var where = ex.LineNumber is { } line ? $"line {line + 1}, position {(ex.BytePositionInLine ?? 0) + 1}" : "unknown position";
                return new PlanLoadResult(null, new[] { new PlanIssue(PlanIssueSeverity.Error, "$", $"is not valid JSON ({where}): {FirstSentence(ex.Message)}") }, source);
            }
            using (doc) return Validate(doc.RootElement, source);
        }

        /// <summary>
        /// Validates a plan given as plain objects: a PowerShell data file's hashtable (IDictionary), arrays (IEnumerable),
        /// strings, numbers, booleans and TimeSpans (written as durations). <paramref name="unwrap"/> lets the cmdlet
        /// layer unwrap PSObject wrappers without the core referencing PowerShell.
        /// </summary>
        public static PlanLoadResult FromObject(object? tree, string? source = null, Func<object?, object?>? unwrap = null)
        {
            var issues = new IssueList();
            var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer))
                WriteValue(writer, tree, "$", issues, unwrap ?? (o => o), 0);
            if (issues.Items.Count > 0) return new PlanLoadResult(null, issues.Items, source);
            using var doc = JsonDocument.Parse(buffer.ToArray());
            return Validate(doc.RootElement, source);
        }

        static void WriteValue(Utf8JsonWriter w, object? value, string path, IssueList issues, Func<object?, object?> unwrap, int depth)
        {
            value = unwrap(value);
            if (depth > 32) { issues.Error(path, "is nested too deeply"); w.WriteNullValue(); return; }
            switch (value)
            {
                case null: w.WriteNullValue(); break;
                case string s: w.WriteStringValue(s); break;
                case char c: w.WriteStringValue(c.ToString()); break;
                case bool b: w.WriteBooleanValue(b); break;
                case TimeSpan t: w.WriteStringValue(t < TimeSpan.Zero ? t.ToString("c", CultureInfo.InvariantCulture) : Duration.ToIso(t)); break;
                // A [DateTimeOffset] or a UTC/local [DateTime] keeps its offset; an unspecified one is written without and refused where a time needs one.
                case DateTimeOffset o: w.WriteStringValue(o.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture)); break;
                case DateTime dt when dt.Kind == DateTimeKind.Unspecified: w.WriteStringValue(dt.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture)); break;
                case DateTime dt: w.WriteStringValue(new DateTimeOffset(dt).ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture)); break;
                case Enum e: w.WriteStringValue(e.ToString()); break;
                case byte or sbyte or short or ushort or int or uint or long: w.WriteNumberValue(Convert.ToInt64(value, CultureInfo.InvariantCulture)); break;
                case ulong u: w.WriteNumberValue(u); break;
                case float or double or decimal: w.WriteNumberValue(Convert.ToDecimal(value, CultureInfo.InvariantCulture)); break;
                case IDictionary d:
                    w.WriteStartObject();
                    foreach (DictionaryEntry kv in d)
                    {
                        var key = Convert.ToString(unwrap(kv.Key), CultureInfo.InvariantCulture) ?? "";
                        w.WritePropertyName(key);
                        WriteValue(w, kv.Value, PlanObject.Child(path, key), issues, unwrap, depth + 1);
                    }
                    w.WriteEndObject();
                    break;
                case IEnumerable list:
                    w.WriteStartArray();
                    var i = 0;
                    foreach (var item in list) WriteValue(w, item, PlanObject.Index(path, i++), issues, unwrap, depth + 1);
                    w.WriteEndArray();
                    break;
                default:
                    issues.Error(path, $"has a value of type {value.GetType().Name}, which a plan cannot hold; use strings, numbers, booleans, lists and hashtables");
                    w.WriteNullValue();
                    break;
            }
        }

        /// <summary>Validates a plan tree and builds the typed plan. The core of Import-DrPlan.</summary>
        public static PlanLoadResult Validate(JsonElement root, string? source = null)
        {
            var issues = new IssueList();
            if (root.ValueKind != JsonValueKind.Object)
            {
                issues.Error("$", $"must be an object ({{ \"name\": ..., \"strategy\": ... }}), not {PlanObject.Kind(root)}");
                return new PlanLoadResult(null, issues.Items, source);
            }
            var o = new PlanObject(root, "$", issues);
            var name = o.String("name", true, PlanName, "a plan name (letters, digits, '.', '_', '-'; up to 64 characters, starting with a letter or digit)");
            var description = o.String("description");
            var strategy = o.Enum<DrStrategy>("strategy", true);
            var primaryRegion = RegionField(o, "primaryRegion", false);
            var drRegion = RegionField(o, "drRegion", true);
            if (primaryRegion != null && primaryRegion == drRegion)
                issues.Warn(o.PathOf("drRegion"), $"is the same region as primaryRegion ('{drRegion}'); a regional outage would take both sites down");
            var rto = o.Duration("rto", true);
            var rpo = o.Duration("rpo", true, allowZero: true);

            var resources = ReadResources(o.Object("resources", true), strategy, primaryRegion, drRegion, rpo);
            var approvals = new List<ApprovalSpec>();
            var approvalPaths = new List<(string Path, StepKind Before)>();
            foreach (var a in o.Objects("approvals"))
            {
                var before = a.Enum<StepKind>("before", true);
                var message = a.String("message", true);
                a.Finish();
                if (before == StepKind.ManualApproval) issues.Error(a.PathOf("before"), "cannot be ManualApproval itself");
                else if (before is { } b && approvals.Any(x => x.Before == b))
                    issues.Warn(a.PathOf("before"), $"there is already an approval before {b}; both questions will be asked");
                if (before is { } k && message != null) approvals.Add(new ApprovalSpec { Before = k, Message = message });
                if (before is { } kind and not StepKind.ManualApproval) approvalPaths.Add((a.PathOf("before"), kind));
            }
            var options = ReadOptions(o.Object("options"));
            var drill = ReadDrill(o.Object("drill"), resources);
            o.Finish("$schema");

            var plan = name == null || strategy == null || drRegion == null || rto == null || rpo == null || resources == null
                ? null
                : new DrPlan
                {
                    Name = name, Description = description, Strategy = strategy.Value, PrimaryRegion = primaryRegion, DrRegion = drRegion,
                    Rto = rto.Value, Rpo = rpo.Value, Resources = resources, Approvals = approvals, Options = options, Drill = drill, Source = source,
                };
            if (plan != null) WarnUnaskedApprovals(plan, approvalPaths, issues);
            return new PlanLoadResult(plan, issues.Items, source);
        }

        /// <summary>An approval before a kind of step neither the failover nor the failback of this plan runs is never asked.</summary>
        static void WarnUnaskedApprovals(DrPlan plan, List<(string Path, StepKind Before)> approvals, IssueList issues)
        {
            if (approvals.Count == 0) return;
            var runs = RecoveryStepKinds.Of(plan, RecoveryOperation.Failover).Concat(RecoveryStepKinds.Of(plan, RecoveryOperation.Failback))
                .Concat(RecoveryStepKinds.OfDatabaseFailback(plan))
                .Where(k => k is not (StepKind.Custom or StepKind.ManualApproval)).Distinct().OrderBy(k => k).ToList();
            foreach (var (path, before) in approvals)
            {
                if (runs.Any(k => RecoveryStepKinds.Matches(k, before))) continue;
                issues.Warn(path, $"the {RecoveryService.StrategyName(plan.Strategy)} recovery of this plan (failover and failback) runs no {before} step, " +
                                  "so this approval is never asked; name a kind of step it runs (" + (runs.Count > 0 ? string.Join(", ", runs) : "none") +
                                  ") or remove the approval");
            }
        }

        static readonly Lazy<string[]> KnownRegions = new(() =>
            Amazon.RegionEndpoint.EnumerableAllRegions.Select(r => r.SystemName).OrderBy(r => r, StringComparer.Ordinal).ToArray());

        /// <summary>
        /// A well-formed code the SDK does not know is most likely a typo (us-wset-2), but it may be a region newer than
        /// this build: a warning, with the nearest known code.
        /// </summary>
        static void WarnUnknownRegion(PlanObject o, string name, string code)
        {
            var known = KnownRegions.Value;
            if (known.Length == 0 || known.Contains(code, StringComparer.Ordinal)) return;
            var nearest = known.Select(k => (k, d: PlanObject.Distance(code, k))).OrderBy(x => x.d).First();
            var guess = nearest.d <= 3 ? $" (did you mean '{nearest.k}'?)" : "";
            o.Issues.Warn(o.PathOf(name), $"'{code}' is not an AWS region this version of DrTools knows{guess}. Correct it if it is a typo; " +
                                          "if it is a region newer than DrTools, the plan works as it is: Test-DrPlan -Live checks that the region is enabled for the account");
        }

        static string? RegionField(PlanObject o, string name, bool required)
        {
            var raw = o.String(name, required, missingHint: "an AWS region code such as \"us-west-2\"");
            if (raw == null) return null;
            if (Region.IsMatch(raw))
            {
                WarnUnknownRegion(o, name, raw);
                return raw;
            }
            o.Issues.Error(o.PathOf(name), Region.IsMatch(raw.ToLowerInvariant())
                ? $"'{raw}' must be written in lower case: '{raw.ToLowerInvariant()}'"
                : $"'{raw}' is not an AWS region code such as \"us-east-1\" or \"eu-west-2\"");
            return null;
        }

        static readonly Regex TimeWithOffset = new(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$", RegexOptions.IgnoreCase);

        /// <summary>An ISO 8601 date and time with its offset ("2026-03-14T02:10:00Z", "...+01:00"): a time without one is ambiguous at 3 a.m.</summary>
        static DateTimeOffset? PointInTimeField(PlanObject o, string name)
        {
            var raw = o.String(name);
            if (raw == null) return null;
            if (TimeWithOffset.IsMatch(raw) && DateTimeOffset.TryParse(raw, CultureInfo.InvariantCulture, DateTimeStyles.None, out var value)) return value;
            o.Issues.Error(o.PathOf(name), Regex.IsMatch(raw, @"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$")
                ? $"'{raw}' has no UTC offset; add one, e.g. \"{raw}Z\" (UTC) or \"{raw}+01:00\""
                : $"'{raw}' is not an ISO 8601 date and time with an offset such as \"2026-03-14T02:10:00Z\"");
            return null;
        }

        static PlanOptions ReadOptions(PlanObject? o)
        {
            if (o == null) return new PlanOptions();
            var defaults = new PlanOptions();
            var result = new PlanOptions
            {
                MaxParallelism = o.Int("maxParallelism", min: 1, max: 16) ?? defaults.MaxParallelism,
                StepTimeout = o.Duration("stepTimeout") ?? defaults.StepTimeout,
                ContinueOnError = o.Bool("continueOnError") ?? defaults.ContinueOnError,
            };
            o.Finish();
            return result;
        }

        static readonly Regex DbSubnetGroup = new(@"^[A-Za-z0-9._ -]{1,255}$");
        static readonly Regex AlarmName = new(@"^[^\x00-\x1f]{1,255}$");
        static readonly Regex Placeholder = new(@"\{([^{}]*)\}");

        /// <summary>
        /// The optional "drill" section (Invoke-DrDrill). Its rules keep a drill apart from production: the drill record
        /// is never one of the plan's records, and probes may only name what a drill creates.
        /// </summary>
        static DrillSpec? ReadDrill(PlanObject? d, PlanResources? resources)
        {
            if (d == null) return null;
            var issues = d.Issues;
            var subnet = d.String("subnetId", false, SubnetId, "a subnet id such as \"subnet-0abc1234\"");
            var groups = d.Strings("securityGroupIds", false, SecurityGroupId, "a security group id such as \"sg-0abc1234\"");
            var dbSubnetGroup = d.String("dbSubnetGroupName", false, DbSubnetGroup, "a DB subnet group name (letters, digits, spaces, '.', '_', '-')");
            var dbGroups = d.Strings("dbSecurityGroupIds", false, SecurityGroupId, "a VPC security group id such as \"sg-0abc1234\"");
            var dbClass = d.String("dbInstanceClass", false, DbClass, "an RDS instance class such as \"db.t3.medium\"");
            var dns = ReadDrillDns(d.Object("dns"), resources);
            var groupMode = d.Enum<DrillGroupMode>("autoScalingGroups") ?? DrillGroupMode.Copy;
            var probes = new List<DrillProbeSpec>();
            var probeNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var p in d.Objects("probes"))
            {
                var probe = ReadProbe(p, resources, dns != null || d.Has("dns"), out var probeName);
                if (probeName != null && !probeNames.Add(probeName))
                    issues.Error(p.PathOf("name"), $"'{probeName}' is used by another probe; probe names must be unique (the drill result reports by name)");
                else if (probe != null) probes.Add(probe);
            }
            var alarms = d.Strings("stopAlarms", false, AlarmName, "a CloudWatch alarm name (1 to 255 characters)");
            var maxAge = d.Duration("maxAge");
            d.Finish();
            if (dbGroups.Count > 0 && dbSubnetGroup == null && !d.Has("dbSubnetGroupName"))
                issues.Warn(d.PathOf("dbSecurityGroupIds"), "without dbSubnetGroupName the drill database goes into the default VPC's subnet group; " +
                                                            "these security groups must belong to that VPC");
            if (resources?.Database == null && (dbSubnetGroup != null || dbGroups.Count > 0 || dbClass != null))
                issues.Warn(d.PathOf(dbClass != null ? "dbInstanceClass" : dbSubnetGroup != null ? "dbSubnetGroupName" : "dbSecurityGroupIds"),
                    "the plan has no resources.database, so a drill creates no database; it is ignored");
            return new DrillSpec
            {
                SubnetId = subnet, SecurityGroupIds = groups, DbSubnetGroupName = dbSubnetGroup, DbSecurityGroupIds = dbGroups, DbInstanceClass = dbClass,
                Dns = dns, AutoScalingGroups = groupMode, Probes = probes, StopAlarms = alarms, MaxAge = maxAge,
            };
        }

        static DrillDnsSpec? ReadDrillDns(PlanObject? d, PlanResources? resources)
        {
            if (d == null) return null;
            var issues = d.Issues;
            var planZone = resources?.Dns;
            // The plan's own zone is the usual place for a drill name; another zone needs its id.
            var zoneId = d.String("hostedZoneId", planZone?.HostedZoneId == null, ZoneId, "a hosted zone id such as \"Z0123456789ABCDEFGHIJ\"",
                "the Route 53 zone the drill record is created in");
            if (zoneId != null && zoneId.StartsWith("/hostedzone/", StringComparison.Ordinal)) zoneId = zoneId.Substring("/hostedzone/".Length);
            zoneId ??= d.Has("hostedZoneId") ? null : planZone?.HostedZoneId;
            var rawName = d.String("recordName", true, DnsName, "a DNS name such as \"drill.app.example.com.\"",
                "the fully qualified name (with the trailing dot) drills point at the drill instances");
            string? name = null;
            if (rawName != null && !rawName.EndsWith(".", StringComparison.Ordinal))
                issues.Error(d.PathOf("recordName"), $"'{rawName}' must be fully qualified, ending with '.': \"{rawName}.\"");
            else if (rawName != null) name = NormalizeName(rawName);
            // The zone's name is known when the drill uses the plan's zone and the plan names it.
            var zoneName = zoneId != null && planZone?.HostedZoneId != null && string.Equals(zoneId, planZone.HostedZoneId, StringComparison.OrdinalIgnoreCase)
                ? planZone.HostedZoneName
                : null;
            if (name != null && zoneName != null && name != zoneName && !name.EndsWith("." + zoneName, StringComparison.Ordinal))
            {
                issues.Error(d.PathOf("recordName"), $"'{name}' is not in the hosted zone '{zoneName}'");
                name = null;
            }
            if (name != null && planZone?.Records.FirstOrDefault(r => r.Name == name) is { } production)
            {
                issues.Error(d.PathOf("recordName"), $"'{name}' is one of the plan's production records ($.resources.dns.records): a drill never changes production DNS; " +
                                                     $"use a name of its own such as \"drill.{name}\"");
                name = null;
            }
            var server = d.String("appServer");
            var servers = resources?.AppServers ?? Array.Empty<AppServerSpec>();
            if (server != null)
            {
                var target = servers.FirstOrDefault(s => string.Equals(s.Name, server, StringComparison.OrdinalIgnoreCase));
                if (target == null)
                {
                    issues.Error(d.PathOf("appServer"), $"'{server}' is not the name of an app server in $.resources.appServers" +
                                                        (servers.Count > 0 ? $" ({string.Join(", ", servers.Select(s => s.Name))})" : " (the plan has none)"));
                    server = null;
                }
                else server = target.Name;
            }
            var ttl = d.Int("ttl", min: 0, max: 172800) ?? 60;
            d.Finish();
            if (zoneId == null || name == null || (d.Has("appServer") && server == null)) return null;
            return new DrillDnsSpec { HostedZoneId = zoneId, RecordName = name, AppServer = server, Ttl = ttl };
        }

        static DrillProbeSpec? ReadProbe(PlanObject p, PlanResources? resources, bool hasDns, out string? name)
        {
            var issues = p.Issues;
            name = p.String("name", true, RoleName, "a probe name (letters, digits, '-', '_'; up to 64 characters)");
            var url = p.String("url");
            var tcp = p.String("tcp");
            var status = p.Int("expectStatus", min: 100, max: 599);
            var within = p.Duration("within");
            p.Finish();
            var ok = name != null;
            if (p.Has("url") == p.Has("tcp"))
            {
                issues.Error(p.Path, "give exactly one of \"url\" (an HTTP check) or \"tcp\" (\"host:port\", a TCP connection check)");
                return null;
            }
            var field = url != null ? "url" : "tcp";
            var target = url ?? tcp;
            if (target == null) return null;
            if (!CheckPlaceholders(p, field, target, resources, hasDns)) ok = false;
            // Placeholders stand for a host name, an address or a port: check the shape with stand-ins.
            var shape = Placeholder.Replace(target, m => m.Groups[1].Value.EndsWith(".port", StringComparison.OrdinalIgnoreCase) ? "5432" : "drill-host");
            if (url != null)
            {
                if (!Uri.TryCreate(shape, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https") || string.IsNullOrEmpty(uri.Host))
                {
                    issues.Error(p.PathOf("url"), $"'{url}' is not an http:// or https:// URL such as \"http://{{web}}/health\"");
                    ok = false;
                }
            }
            else
            {
                var colon = shape.LastIndexOf(':');
                var host = colon > 0 ? shape.Substring(0, colon).Trim('[', ']') : "";
                var portOk = colon > 0 && int.TryParse(shape.Substring(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536;
                if (!portOk || host.Length == 0 || (!DnsName.IsMatch(host) && !IPAddress.TryParse(host, out _)))
                {
                    issues.Error(p.PathOf("tcp"), $"'{tcp}' is not \"host:port\" such as \"{{database}}:{{database.port}}\" or \"{{web}}:443\"");
                    ok = false;
                }
                if (p.Has("expectStatus"))
                {
                    issues.Error(p.PathOf("expectStatus"), "is for \"url\" probes; a \"tcp\" probe passes when the connection opens");
                    ok = false;
                }
            }
            if (!ok || name == null) return null;
            return new DrillProbeSpec { Name = name, Url = url, Tcp = tcp, ExpectStatus = status, Within = within ?? new DrillProbeSpec().Within };
        }

        /// <summary>Only what a drill creates can be probed: {&lt;role&gt;}, {&lt;role&gt;.publicIp}, {database}, {database.port}, {dns}.</summary>
        static bool CheckPlaceholders(PlanObject p, string field, string target, PlanResources? resources, bool hasDns)
        {
            var ok = true;
            var servers = resources?.AppServers ?? Array.Empty<AppServerSpec>();
            var known = servers.Select(s => "{" + s.Name + "}").Concat(servers.Select(s => "{" + s.Name + ".publicIp}")).ToList();
            if (resources?.Database != null) known.AddRange(new[] { "{database}", "{database.port}" });
            if (hasDns) known.Add("{dns}");
            foreach (Match m in Placeholder.Matches(target))
            {
                var inner = m.Groups[1].Value;
                var dot = inner.IndexOf('.');
                var role = dot < 0 ? inner : inner.Substring(0, dot);
                var suffix = dot < 0 ? "" : inner.Substring(dot + 1);
                string? problem = null;
                if (string.Equals(inner, "dns", StringComparison.OrdinalIgnoreCase))
                    problem = hasDns ? null : "needs a drill.dns section (the drill record it stands for)";
                else if (string.Equals(role, "database", StringComparison.OrdinalIgnoreCase) && (suffix.Length == 0 || string.Equals(suffix, "port", StringComparison.OrdinalIgnoreCase)))
                    problem = resources?.Database != null ? null : "needs a resources.database (the drill database it stands for)";
                else if (servers.Any(s => string.Equals(s.Name, role, StringComparison.OrdinalIgnoreCase)) && (suffix.Length == 0 || string.Equals(suffix, "publicIp", StringComparison.OrdinalIgnoreCase)))
                    problem = null;
                else problem = "is not a placeholder a drill can fill";
                if (problem == null) continue;
                p.Issues.Error(p.PathOf(field), $"{m.Value} {problem}; use " + (known.Count > 0 ? string.Join(", ", known) : "a literal host (the plan has no app servers, database or drill DNS)"));
                ok = false;
            }
            if (Placeholder.Replace(target, "").IndexOfAny(new[] { '{', '}' }) >= 0)
            {
                p.Issues.Error(p.PathOf(field), $"'{target}' has an unmatched '{{' or '}}'");
                ok = false;
            }
            return ok;
        }

        static PlanResources? ReadResources(PlanObject? o, DrStrategy? strategy, string? primaryRegion, string? drRegion, TimeSpan? rpo)
        {
            if (o == null) return null;
            var issues = o.Issues;
            var appServers = new List<AppServerSpec>();
            var roleNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var s in o.Objects("appServers"))
            {
                var spec = ReadAppServer(s, out var role);
                if (role != null && !roleNames.Add(role))
                    issues.Error(s.PathOf("name"), $"'{role}' is used by another app server; names must be unique");
                else if (spec != null) appServers.Add(spec);
            }
            var database = ReadDatabase(o.Object("database"), strategy, primaryRegion, rpo);
            if (database?.Reprotect?.Region is { } reprotectRegion && reprotectRegion == drRegion)
                issues.Error(PlanObject.Child(PlanObject.Child(o.PathOf("database"), "reprotect"), "region"),
                    $"({reprotectRegion}) is the DR region: the replica that protects the database after a failover must be in another region");
            var groups = new List<AutoScalingGroupSpec>();
            foreach (var g in o.Objects("autoScalingGroups"))
            {
                var spec = ReadGroup(g, strategy, drRegion);
                if (spec == null) continue;
                if (groups.Any(x => x.Name == spec.Name && x.Region == spec.Region))
                    issues.Error(g.PathOf("name"), $"the group '{spec.Name}' is listed twice");
                else groups.Add(spec);
            }
            var eips = new List<ElasticIpSpec>();
            foreach (var e in o.Objects("elasticIps"))
            {
                var spec = ReadElasticIp(e, appServers);
                if (spec == null) continue;
                if (eips.Any(x => x.AllocationId == spec.AllocationId))
                    issues.Error(e.PathOf("allocationId"), $"'{spec.AllocationId}' is listed twice; an address attaches to one instance");
                else eips.Add(spec);
            }
            var dns = ReadDns(o.Object("dns"), strategy, eips);
            o.Finish();

            // What each strategy needs to have anything to recover.
            var p = o.Path;
            switch (strategy)
            {
                case DrStrategy.PilotLight when appServers.Count == 0 && groups.Count == 0:
                    issues.Error(PlanObject.Child(p, "appServers"), "PILOT_LIGHT launches app servers on recovery: list at least one app server (or an Auto Scaling group to scale up)");
                    break;
                case DrStrategy.WarmStandby when groups.Count == 0:
                    issues.Error(PlanObject.Child(p, "autoScalingGroups"), "WARM_STANDBY scales the standby Auto Scaling groups to production size: list at least one group");
                    break;
                case DrStrategy.MultiSite when dns == null || !dns.Records.Any(r => r.Routing == DnsRouting.Weighted):
                    issues.Error(PlanObject.Child(p, "dns"), "MULTI_SITE moves traffic between active sites with WEIGHTED records: give the hosted zone and at least one WEIGHTED record");
                    break;
                case DrStrategy.BackupAndRestore when appServers.Count == 0 && database?.Restore == null:
                    issues.Error(PlanObject.Child(p, "appServers"), "BACKUP_AND_RESTORE restores from backups: list app servers (AMIs) and/or a database with \"restore\"");
                    break;
            }
            return new PlanResources { AppServers = appServers, Database = database, AutoScalingGroups = groups, ElasticIps = eips, Dns = dns };
        }

        static AppServerSpec? ReadAppServer(PlanObject s, out string? name)
        {
            name = s.String("name", true, RoleName, "a role name (letters, digits, '-', '_'; up to 64 characters)");
            var amiObj = s.Get("ami", true, "an object with \"id\", or \"name\" and/or \"tags\"");
            AmiSelector? ami = null;
            if (amiObj is { ValueKind: JsonValueKind.String } amiString)
            {
                // Shorthand: "ami": "ami-0123..." is the same as { "id": ... }.
                var id = amiString.GetString()!.Trim();
                if (AmiId.IsMatch(id)) ami = new AmiSelector { Id = id };
                else s.Issues.Error(s.PathOf("ami"), $"'{id}' is not an AMI id such as \"ami-0abcdef1234567890\"; to select by name use {{ \"name\": \"...\" }}");
            }
            else if (amiObj != null)
            {
                var a = s.Object("ami");
                if (a != null)
                {
                    var id = a.String("id", false, AmiId, "an AMI id such as \"ami-0abcdef1234567890\"");
                    var amiName = a.String("name");
                    var tags = a.Map("tags");
                    var owner = a.String("owner", false, new Regex(@"^(self|amazon|aws-marketplace|\d{12})$"), "an owner (\"self\", \"amazon\", \"aws-marketplace\" or a 12-digit account id)");
                    a.Finish();
                    var idGiven = a.Has("id");
                    if (idGiven && (amiName != null || tags.Count > 0))
                        s.Issues.Error(a.Path, "give either \"id\" or a \"name\"/\"tags\" filter, not both");
                    else if (!idGiven && amiName == null && tags.Count == 0)
                        s.Issues.Error(a.Path, "needs \"id\", or \"name\" and/or \"tags\" to find the newest matching image in the DR region");
                    else if (id != null || amiName != null || tags.Count > 0)
                        ami = new AmiSelector { Id = id, Name = amiName, Tags = tags, Owner = owner ?? "self" };
                }
            }
            var type = s.String("instanceType", true, InstanceType, "an EC2 instance type such as \"t3.large\"");
            var subnet = s.String("subnetId", false, SubnetId, "a subnet id such as \"subnet-0abc1234\"");
            var groups = s.Strings("securityGroupIds", false, SecurityGroupId, "a security group id such as \"sg-0abc1234\"");
            var key = s.String("keyName");
            var count = s.Int("count", min: 1, max: 100);
            var tagsMap = s.Map("tags");
            var maxAge = s.Duration("maxAmiAge");
            s.Finish();
            if (name == null || ami == null || type == null) return null;
            return new AppServerSpec
            {
                Name = name, Ami = ami, InstanceType = type, SubnetId = subnet, SecurityGroupIds = groups, KeyName = key,
                Count = count ?? 1, Tags = tagsMap, MaxAmiAge = maxAge,
            };
        }

        static DatabaseSpec? ReadDatabase(PlanObject? d, DrStrategy? strategy, string? planPrimaryRegion, TimeSpan? rpo)
        {
            if (d == null) return null;
            // Aurora (a DB cluster instead of a DB instance): read in a block of its own, DrPlanLoader.Aurora.cs.
            var restoreObject = d.Object("restore");
            if (IsAuroraDatabase(d, restoreObject)) return ReadAuroraDatabase(d, restoreObject, strategy, planPrimaryRegion, rpo);
            var issues = d.Issues;
            var engine = d.String("engine");
            if (engine != null && !KnownEngines.Contains(engine, StringComparer.OrdinalIgnoreCase))
                issues.Warn(d.PathOf("engine"), $"'{engine}' is not an RDS engine DrTools knows ({string.Join(", ", KnownEngines)})");
            var primaryId = d.String("primaryInstanceId", false, DbInstanceId, "an RDS DB instance identifier");
            var primaryRegion = RegionField(d, "primaryRegion", false) ?? planPrimaryRegion;
            var replicaId = d.String("replicaInstanceId", false, DbInstanceId, "an RDS DB instance identifier");
            DatabaseRestoreSpec? restore = null;
            var r = restoreObject;
            if (r != null)
            {
                var snapshot = r.String("snapshotId", false, DbSnapshot, "a DB snapshot identifier or ARN");
                var instance = r.String("instanceId", true, DbInstanceId, "an RDS DB instance identifier");
                var pointInTime = PointInTimeField(r, "pointInTime");
                var latest = r.Bool("latestRestorable") ?? false;
                r.Finish();
                var sources = new[] { r.Has("snapshotId") ? "\"snapshotId\"" : null, r.Has("pointInTime") ? "\"pointInTime\"" : null, latest ? "\"latestRestorable\": true" : null }
                    .OfType<string>().ToList();
                var ok = true;
                if (sources.Count > 1)
                {
                    issues.Error(r.Path, $"give at most one of \"snapshotId\" (restore that snapshot), \"pointInTime\" or \"latestRestorable\": true " +
                                         $"(restore the primary's automated backups replicated to the DR region), not {string.Join(" and ", sources)}");
                    ok = false;
                }
                if ((r.Has("pointInTime") || latest) && !d.Has("primaryInstanceId"))
                {
                    issues.Error(d.PathOf("primaryInstanceId"), "is required with restore." + (latest ? "latestRestorable" : "pointInTime") +
                                                               ": the DB instance whose automated backups (replicated to the DR region) are restored");
                    ok = false;
                }
                if (instance != null && ok)
                    restore = new DatabaseRestoreSpec { SnapshotId = snapshot, InstanceId = instance, PointInTime = pointInTime, LatestRestorable = latest };
            }
            var targetClass = d.String("targetInstanceClass", false, DbClass, "an RDS instance class such as \"db.r6g.large\"");
            var maxLag = d.Duration("maxReplicaLag", allowZero: true);
            var allowDataLoss = d.Bool("allowDataLoss") ?? false;
            // Re-protect after a failover and the failback's fence: a block of their own.
            var reprotect = ReadReprotect(d, primaryId, primaryRegion);
            var fence = ReadFence(d.Object("fence"));
            d.Finish();

            var hasReplica = d.Has("replicaInstanceId");
            var hasRestore = d.Has("restore");
            if (hasReplica && hasRestore)
                issues.Error(d.Path, "give either \"replicaInstanceId\" (promote a read replica) or \"restore\" (restore a snapshot), not both");
            else if (!hasReplica && !hasRestore)
                issues.Error(d.PathOf(strategy == DrStrategy.BackupAndRestore ? "restore" : "replicaInstanceId"),
                    strategy == DrStrategy.BackupAndRestore
                        ? "is required: BACKUP_AND_RESTORE restores the database from a snapshot"
                        : "is required: the read replica in the DR region to promote (or \"restore\" to restore a snapshot)");
            else if (hasReplica && strategy == DrStrategy.BackupAndRestore)
                issues.Warn(d.PathOf("replicaInstanceId"), "promoting a read replica is what PILOT_LIGHT does; BACKUP_AND_RESTORE plans usually \"restore\" a snapshot");
            if (hasReplica && primaryId == null && !d.Has("primaryInstanceId"))
                issues.Warn(d.PathOf("primaryInstanceId"), "is missing: the readiness check cannot compare the replica with its primary");
            if (hasReplica && d.Has("primaryInstanceId") && primaryRegion == null)
                issues.Error(d.PathOf("primaryRegion"), "is required when the plan has no primaryRegion: the region of the primary DB instance");
            if (maxLag != null && rpo != null && maxLag > rpo)
                issues.Warn(d.PathOf("maxReplicaLag"), $"({Duration.ToIso(maxLag.Value)}) is more than the plan's RPO ({Duration.ToIso(rpo.Value)}); promoting at that lag misses the RPO");
            if (hasRestore && (maxLag != null || allowDataLoss))
                issues.Warn(d.PathOf(maxLag != null ? "maxReplicaLag" : "allowDataLoss"), "applies to promoting a replica, not to restoring a snapshot; it is ignored");
            return new DatabaseSpec
            {
                Engine = engine, PrimaryInstanceId = primaryId, PrimaryRegion = primaryRegion, ReplicaInstanceId = replicaId, Restore = restore,
                TargetInstanceClass = targetClass, MaxReplicaLag = maxLag, AllowDataLoss = allowDataLoss,
                Reprotect = reprotect, Fence = fence,
            };
        }

        static readonly Regex KmsKey = new(@"^(arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)/[A-Za-z0-9/_+=,.@-]+|alias/[A-Za-z0-9/_-]+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$");
        static readonly Regex DbParameterGroup = new("^[A-Za-z](?!.*--)[A-Za-z0-9-]{0,254}(?<!-)$");

        /// <summary>database.reprotect: where the replica goes after a failover (checked against drRegion by ReadResources).</summary>
        static ReprotectSpec? ReadReprotect(PlanObject d, string? primaryId, string? primaryRegion)
        {
            var r = d.Object("reprotect");
            if (r == null) return null;
            var issues = r.Issues;
            var region = RegionField(r, "region", false);
            var instanceId = r.String("instanceId", false, DbInstanceId, "an RDS DB instance identifier");
            var instanceClass = r.String("instanceClass", false, DbClass, "an RDS instance class such as \"db.r6g.large\"");
            var kms = r.String("kmsKeyId", false, KmsKey, "a KMS key id, key ARN, alias (\"alias/name\") or alias ARN in the replica's region");
            var subnetGroup = r.String("dbSubnetGroupName", false, DbSubnetGroup, "a DB subnet group name");
            var securityGroups = r.Strings("securityGroupIds", false, SecurityGroupId, "a security group id such as \"sg-0abc1234\"");
            var afterFailover = r.Bool("afterFailover") ?? false;
            r.Finish();
            if (!d.Has("replicaInstanceId") && !d.Has("restore"))
                issues.Error(r.Path, "re-protects the database a failover promotes or restores: the database needs \"replicaInstanceId\" or \"restore\"");
            if (instanceId == null && !r.Has("instanceId") && primaryId == null)
                issues.Error(r.PathOf("instanceId"), "is required when the database has no primaryInstanceId: the id of the replica re-protect creates");
            if (region == null && !r.Has("region") && primaryRegion == null)
                issues.Error(r.PathOf("region"), "is required when neither the database nor the plan has a primaryRegion: where the replica goes");
            return new ReprotectSpec
            {
                Region = region, InstanceId = instanceId, InstanceClass = instanceClass, KmsKeyId = kms, DbSubnetGroupName = subnetGroup,
                SecurityGroupIds = securityGroups, AfterFailover = afterFailover,
            };
        }

        /// <summary>database.fence: how a failback stops writes to the DR database.</summary>
        static FenceSpec? ReadFence(PlanObject? f)
        {
            if (f == null) return null;
            var mode = f.Enum<FenceMode>("mode") ?? FenceMode.StopAppServers;
            var group = f.String("parameterGroupName", false, DbParameterGroup, "a DB parameter group name");
            f.Finish();
            if (mode == FenceMode.ParameterGroup && group == null && !f.Has("parameterGroupName"))
                f.Issues.Error(f.PathOf("parameterGroupName"), "is required with \"mode\": \"PARAMETER_GROUP\": a DB parameter group in the DR region that makes the engine read-only");
            else if (mode == FenceMode.StopAppServers && f.Has("parameterGroupName"))
                f.Issues.Warn(f.PathOf("parameterGroupName"), "applies to \"mode\": \"PARAMETER_GROUP\"; with STOP_APP_SERVERS it is ignored");
            return new FenceSpec { Mode = mode, ParameterGroupName = group };
        }

        static GroupSize? ReadSize(PlanObject? s)
        {
            if (s == null) return null;
            var min = s.Int("min", true, 0, 10000);
            var max = s.Int("max", true, 0, 10000);
            var desired = s.Int("desired", true, 0, 10000);
            s.Finish();
            if (min == null || max == null || desired == null) return null;
            if (min > max) { s.Issues.Error(s.PathOf("min"), $"({min}) is larger than max ({max})"); return null; }
            if (desired < min || desired > max) { s.Issues.Error(s.PathOf("desired"), $"({desired}) must be between min ({min}) and max ({max})"); return null; }
            return new GroupSize(min.Value, max.Value, desired.Value);
        }

        static AutoScalingGroupSpec? ReadGroup(PlanObject g, DrStrategy? strategy, string? drRegion)
        {
            var name = g.String("name", true, GroupName, "an Auto Scaling group name (up to 255 characters, no ':')");
            var region = RegionField(g, "region", false) ?? drRegion;
            var standby = ReadSize(g.Object("standby", strategy == DrStrategy.WarmStandby, "the size the group runs at in standby"));
            var production = ReadSize(g.Object("production", true, "the size to scale to on recovery"));
            var type = g.String("instanceType", false, InstanceType, "an EC2 instance type such as \"m6i.large\"");
            var version = g.String("launchTemplateVersion", false, LaunchTemplateVersion, "\"$Latest\", \"$Default\" or a version number");
            g.Finish();
            if (standby != null && production != null && production.Desired < standby.Desired)
                g.Issues.Warn(g.PathOf("production"), $"desired ({production.Desired}) is smaller than standby desired ({standby.Desired}); recovery would shrink the group");
            if (name == null || region == null || production == null) return null;
            return new AutoScalingGroupSpec { Name = name, Region = region, Standby = standby, Production = production, InstanceType = type, LaunchTemplateVersion = version };
        }

        static ElasticIpSpec? ReadElasticIp(PlanObject e, List<AppServerSpec> servers)
        {
            var allocation = e.String("allocationId", true, AllocationId, "an Elastic IP allocation id such as \"eipalloc-0abc1234\"");
            var server = e.String("appServer");
            var index = e.Int("index", min: 0, max: 99) ?? 0;
            var instance = e.String("instanceId", false, InstanceId, "an EC2 instance id such as \"i-0abc1234\"");
            e.Finish();
            var hasServer = e.Has("appServer");
            var hasInstance = e.Has("instanceId");
            if (hasServer == hasInstance)
            {
                e.Issues.Error(e.Path, "give either \"appServer\" (a recovered app server role) or \"instanceId\" (a running instance), exactly one");
                return null;
            }
            if (server != null)
            {
                var target = servers.FirstOrDefault(s => string.Equals(s.Name, server, StringComparison.OrdinalIgnoreCase));
                if (target == null)
                {
                    e.Issues.Error(e.PathOf("appServer"), $"'{server}' is not the name of an app server in $.resources.appServers" +
                                                          (servers.Count > 0 ? $" ({string.Join(", ", servers.Select(s => s.Name))})" : ""));
                    return null;
                }
                if (index >= target.Count)
                {
                    e.Issues.Error(e.PathOf("index"), $"{index} is out of range: app server '{target.Name}' has {target.Count} instance(s), so the index is 0..{target.Count - 1}");
                    return null;
                }
                server = target.Name;
            }
            if (allocation == null) return null;
            return new ElasticIpSpec { AllocationId = allocation, AppServer = server, Index = index, InstanceId = instance };
        }

        static DnsSpec? ReadDns(PlanObject? d, DrStrategy? strategy, List<ElasticIpSpec> eips)
        {
            if (d == null) return null;
            var zoneId = d.String("hostedZoneId", false, ZoneId, "a hosted zone id such as \"Z0123456789ABCDEFGHIJ\"");
            var zoneName = NormalizeName(d.String("hostedZoneName", false, DnsName, "a DNS zone name such as \"example.com\""));
            if (!d.Has("hostedZoneId") && !d.Has("hostedZoneName"))
                d.Issues.Error(d.PathOf("hostedZoneId"), "is required (or hostedZoneName): the Route 53 zone that holds the records");
            if (zoneId != null && zoneId.StartsWith("/hostedzone/", StringComparison.Ordinal)) zoneId = zoneId.Substring("/hostedzone/".Length);
            var records = new List<DnsRecordSpec>();
            foreach (var r in d.Objects("records", true))
            {
                var rec = ReadRecord(r, strategy, zoneName, eips);
                if (rec == null) continue;
                if (records.Any(x => x.Name == rec.Name && x.Type == rec.Type))
                    d.Issues.Error(r.PathOf("name"), $"the record {rec.Name} {rec.Type} is listed twice");
                else records.Add(rec);
            }
            d.Finish();
            return new DnsSpec { HostedZoneId = zoneId, HostedZoneName = zoneName, Records = records };
        }

        static string? NormalizeName(string? name) => name == null ? null : name.TrimEnd('.').ToLowerInvariant() + ".";

        static DnsRecordSpec? ReadRecord(PlanObject r, DrStrategy? strategy, string? zoneName, List<ElasticIpSpec> eips)
        {
            var issues = r.Issues;
            var name = NormalizeName(r.String("name", true, DnsName, "a DNS name such as \"app.example.com\""));
            if (name != null && zoneName != null && name != zoneName && !name.EndsWith("." + zoneName, StringComparison.Ordinal))
                issues.Error(r.PathOf("name"), $"'{name}' is not in the hosted zone '{zoneName}'");
            var type = r.String("type", true)?.ToUpperInvariant();
            if (type != null && !RecordTypes.Contains(type))
            {
                issues.Error(r.PathOf("type"), $"'{type}' is not a record type DrTools switches ({string.Join(", ", RecordTypes)})");
                type = null;
            }
            var routing = r.Enum<DnsRouting>("routing", true);
            var ttl = r.Int("ttl", min: 0, max: 2147483647);
            if (routing is { } rt && strategy == DrStrategy.MultiSite && rt != DnsRouting.Weighted)
                issues.Error(r.PathOf("routing"), $"{PlanObject.UpperSnake(rt.ToString())} does not fit MULTI_SITE, which shifts traffic between active sites by weight; use WEIGHTED");

            RecordTarget? primary = null, dr = null;
            var sites = new List<DnsSiteSpec>();
            var ok = true;
            if (routing == DnsRouting.Simple)
            {
                r.Forbid("sites", "is for WEIGHTED and FAILOVER records; a SIMPLE record has \"primary\" and \"dr\" targets");
                primary = ReadTarget(r.Object("primary"), type, eips, ref ok);
                dr = ReadTarget(r.Object("dr", true, "what the record points to after recovery"), type, eips, ref ok);
            }
            else if (routing != null)
            {
                r.Forbid("primary", $"is for SIMPLE records; a {PlanObject.UpperSnake(routing.Value.ToString())} record lists its record sets in \"sites\"");
                r.Forbid("dr", $"is for SIMPLE records; a {PlanObject.UpperSnake(routing.Value.ToString())} record lists its record sets in \"sites\"");
                foreach (var s in r.Objects("sites", true))
                {
                    var site = ReadSite(s, routing.Value, type, eips, ref ok);
                    if (site == null) { ok = false; continue; }
                    if (sites.Any(x => string.Equals(x.SetIdentifier, site.SetIdentifier, StringComparison.Ordinal)))
                    {
                        issues.Error(s.PathOf("setIdentifier"), $"'{site.SetIdentifier}' is used by another site of this record; SetIdentifiers must be unique");
                        ok = false;
                    }
                    else sites.Add(site);
                }
                if (ok && routing == DnsRouting.Weighted && sites.Count > 0)
                {
                    if (sites.All(s => s.FailoverWeight == 0))
                    { issues.Error(r.PathOf("sites"), "every failoverWeight is 0: after failover no site would get traffic"); ok = false; }
                    if (sites.All(s => s.Weight == 0))
                        issues.Warn(r.PathOf("sites"), "every weight is 0: Route 53 then answers with all sites equally");
                    if (sites.Count < 2) issues.Warn(r.PathOf("sites"), "a WEIGHTED record with one site cannot move traffic anywhere");
                }
                if (ok && routing == DnsRouting.Failover && sites.Count > 0)
                {
                    var p = sites.Count(s => s.Failover == FailoverRole.Primary);
                    var sec = sites.Count(s => s.Failover == FailoverRole.Secondary);
                    if (p != 1 || sec != 1 || sites.Count != 2)
                    { issues.Error(r.PathOf("sites"), $"a FAILOVER record needs exactly one PRIMARY and one SECONDARY site (found {p} PRIMARY, {sec} SECONDARY)"); ok = false; }
                    else if (sites.First(s => s.Failover == FailoverRole.Primary) is { HealthCheckId: null, Target.Alias: null })
                        issues.Warn(r.PathOf("sites"), "the PRIMARY site has no healthCheckId: Route 53 fails over automatically only when a health check says the primary is down");
                }
            }
            var targets = sites.Select(s => s.Target).Concat(new[] { primary, dr }).Where(t => t != null).ToList();
            if (ttl == null && targets.Any(t => t!.Alias == null) && r.Has("type") && !r.Has("ttl"))
                issues.Error(r.PathOf("ttl"), "is required for records that are not aliases (seconds, e.g. 60; keep it short so failover takes effect quickly)");
            else if (ttl > 300)
                issues.Warn(r.PathOf("ttl"), $"{ttl} seconds: resolvers may keep answering with the old site that long after failover");
            r.Finish();
            if (!ok || name == null || type == null || routing == null) return null;
            return new DnsRecordSpec { Name = name, Type = type, Routing = routing.Value, Ttl = ttl, Primary = primary, Dr = dr, Sites = sites };
        }

        static DnsSiteSpec? ReadSite(PlanObject s, DnsRouting routing, string? type, List<ElasticIpSpec> eips, ref bool ok)
        {
            var id = s.String("setIdentifier", true, SetIdentifier, "a set identifier of 1 to 128 characters");
            int? weight = null, failoverWeight = null;
            FailoverRole? role = null;
            if (routing == DnsRouting.Weighted)
            {
                weight = s.Int("weight", true, 0, 255);
                failoverWeight = s.Int("failoverWeight", true, 0, 255);
                s.Forbid("failover", "is for FAILOVER records; a WEIGHTED site has \"weight\" and \"failoverWeight\"");
                if (weight == null || failoverWeight == null) ok = false;
            }
            else
            {
                role = s.Enum<FailoverRole>("failover", true);
                s.Forbid("weight", "is for WEIGHTED records; a FAILOVER site has \"failover\": PRIMARY or SECONDARY");
                s.Forbid("failoverWeight", "is for WEIGHTED records; a FAILOVER site has \"failover\": PRIMARY or SECONDARY");
                if (role == null) ok = false;
            }
            var target = ReadTarget(s.Object("target", true, "what this site's record set answers"), type, eips, ref ok);
            var hc = s.String("healthCheckId", false, HealthCheckId, "a Route 53 health check id");
            s.Finish();
            if (id == null || target == null) return null;
            return new DnsSiteSpec { SetIdentifier = id, Weight = weight, FailoverWeight = failoverWeight, Failover = role, Target = target, HealthCheckId = hc };
        }

        static RecordTarget? ReadTarget(PlanObject? t, string? type, List<ElasticIpSpec> eips, ref bool ok)
        {
            if (t == null) return null;
            var issues = t.Issues;
            var values = t.Strings("values");
            var eipIds = t.Strings("elasticIps", false, AllocationId, "an Elastic IP allocation id such as \"eipalloc-0abc1234\"");
            AliasTargetSpec? alias = null;
            var a = t.Object("alias");
            if (a != null)
            {
                var dnsName = a.String("dnsName", true, DnsName, "a DNS name");
                var zone = a.String("hostedZoneId", true, ZoneId, "the alias target's hosted zone id");
                var evaluate = a.Bool("evaluateTargetHealth") ?? false;
                a.Finish();
                if (dnsName != null && zone != null) alias = new AliasTargetSpec { DnsName = NormalizeName(dnsName)!, HostedZoneId = zone, EvaluateTargetHealth = evaluate };
                else ok = false;
            }
            t.Finish();
            var kinds = (t.Has("values") ? 1 : 0) + (t.Has("elasticIps") ? 1 : 0) + (t.Has("alias") ? 1 : 0);
            if (kinds != 1)
            {
                issues.Error(t.Path, "give exactly one of \"values\", \"elasticIps\" or \"alias\"");
                ok = false;
                return null;
            }
            for (var i = 0; i < values.Count; i++)
            {
                var path = PlanObject.Index(t.PathOf("values"), i);
                var v = values[i];
                var isIp = IPAddress.TryParse(v, out var ip);
                if (type == "A" && !(isIp && ip!.AddressFamily == AddressFamily.InterNetwork)) { issues.Error(path, $"'{v}' is not an IPv4 address, which an A record needs"); ok = false; }
                else if (type == "AAAA" && !(isIp && ip!.AddressFamily == AddressFamily.InterNetworkV6)) { issues.Error(path, $"'{v}' is not an IPv6 address, which an AAAA record needs"); ok = false; }
                else if (type == "CNAME" && !DnsName.IsMatch(v)) { issues.Error(path, $"'{v}' is not a DNS name, which a CNAME record needs"); ok = false; }
            }
            if (type == "CNAME" && values.Count > 1) { issues.Error(t.PathOf("values"), "a CNAME record has exactly one value"); ok = false; }
            if (t.Has("elasticIps") && type != null && type != "A") { issues.Error(t.PathOf("elasticIps"), $"Elastic IPs are IPv4 addresses; a {type} record cannot use them"); ok = false; }
            for (var i = 0; i < eipIds.Count; i++)
                if (!eips.Any(e => e.AllocationId == eipIds[i]))
                    issues.Warn(PlanObject.Index(t.PathOf("elasticIps"), i), $"'{eipIds[i]}' is not in $.resources.elasticIps; it must already be associated when the record changes");
            if (t.Has("values") && values.Count == 0) { issues.Error(t.PathOf("values"), "must have at least one value"); ok = false; }
            return new RecordTarget { Values = values, ElasticIps = eipIds, Alias = alias };
        }

        static string FirstSentence(string s)
        {
            var i = s.IndexOf(". ", StringComparison.Ordinal);
            return i > 0 ? s.Substring(0, i + 1) : s;
        }
    }
}
