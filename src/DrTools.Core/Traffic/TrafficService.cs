using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Aws.Route53;
using DrTools.Core.Diagnostics;

namespace DrTools.Core.Traffic
{
    /// <summary>
    /// Weighted traffic between sites: each site is one weighted record set (its SetIdentifier is the site name) of the
    /// same name and type. Reads weights and health, plans a re-weight without changing anything (for -WhatIf), and applies
    /// it as ONE atomic Route 53 change batch with safety rules like Route 53 ARC's.
    /// </summary>
    public sealed class TrafficService
    {
        /// <summary>Route 53 usually propagates within a minute; ten leave room for a slow day.</summary>
        public static readonly TimeSpan DefaultInSyncTimeout = TimeSpan.FromMinutes(10);

        static readonly Regex ZoneIdPattern = new("^[A-Z0-9]{1,32}$", RegexOptions.CultureInvariant);

        readonly IRoute53Service _route53;
        readonly IOperationReporter _reporter;

        public TrafficService(IRoute53Service route53, IOperationReporter? reporter = null)
        {
            _route53 = route53 ?? throw new ArgumentNullException(nameof(route53));
            _reporter = reporter ?? NullReporter.Instance;
        }

        /// <summary>How often to ask Route 53 whether the change is INSYNC; null uses the Route 53 service's default.</summary>
        public TimeSpan? InSyncPollInterval { get; init; }

        /// <summary>The clock (tests replace it).</summary>
        public Func<DateTimeOffset> Now { get; init; } = () => DateTimeOffset.UtcNow;

        // ---------------- read ----------------

        /// <summary>
        /// One <see cref="TrafficWeight"/> per site of the weighted record <paramref name="recordName"/> in
        /// <paramref name="zone"/> (a hosted zone id or name). Without <paramref name="recordType"/>, every weighted type at
        /// that name is returned (shares are per type). DrTools.NotFound when the zone or the record does not exist,
        /// DrTools.InvalidParameter when the record is not weighted.
        /// </summary>
        public async Task<IReadOnlyList<TrafficWeight>> GetWeightsAsync(string zone, string recordName, string? recordType = null,
            CancellationToken cancellationToken = default)
        {
            var hostedZone = await ResolveZoneAsync(zone, cancellationToken).ConfigureAwait(false);
            var records = await ReadWeightedAsync(hostedZone, recordName, recordType, cancellationToken).ConfigureAwait(false);
            var health = await HealthAsync(records, cancellationToken).ConfigureAwait(false);
            return records.GroupBy(r => r.Type).SelectMany(g => ToWeights(hostedZone, g.ToList(), health)).ToList();
        }

        // ---------------- plan ----------------

        /// <summary>
        /// Works out a re-weight without changing anything: <paramref name="weights"/> maps site (SetIdentifier) to its new
        /// weight 0..255; sites not named keep theirs. Refuses unknown sites and weights out of range
        /// (DrTools.InvalidParameter, every problem at once) and, unless <see cref="TrafficChangeOptions.OverrideSafety"/>, a change
        /// that sets every site to 0 or sends traffic to a site whose health check fails (DrTools.TrafficSafety).
        /// </summary>
        public async Task<TrafficChangePlan> PlanChangeAsync(string zone, string recordName, IDictionary<string, int> weights,
            TrafficChangeOptions? options = null, CancellationToken cancellationToken = default)
        {
            options ??= new TrafficChangeOptions();
            if (weights == null || weights.Count == 0)
                throw Invalid("No site weights were given.", recordName, "Name at least one site and its weight, e.g. @{ onprem = 0; aws = 100 }.");

            var hostedZone = await ResolveZoneAsync(zone, cancellationToken).ConfigureAwait(false);
            var records = await ReadWeightedAsync(hostedZone, recordName, options.RecordType, cancellationToken).ConfigureAwait(false);
            var types = records.Select(r => r.Type).Distinct().ToList();
            var displayName = Route53Names.Qualify(recordName).ToLowerInvariant();
            if (types.Count > 1)
                throw Invalid($"'{displayName}' has weighted records of {types.Count} types ({string.Join(", ", types)}); a traffic change applies to one.",
                    displayName, $"Pass the record type, e.g. -RecordType {types[0]}, and re-run once per type.");
            var type = types[0];

            // Map each named site to its record: exact SetIdentifier first, else one that differs only in case.
            var sites = records.Select(r => r.SetIdentifier!).ToList();
            var after = records.ToDictionary(r => r.SetIdentifier!, r => r.Weight ?? 0, StringComparer.Ordinal);
            var named = new HashSet<string>(StringComparer.Ordinal);
            var problems = new List<string>();
            foreach (var kv in weights)
            {
                var site = sites.FirstOrDefault(s => s == kv.Key)
                           ?? (sites.Count(s => string.Equals(s, kv.Key, StringComparison.OrdinalIgnoreCase)) == 1
                               ? sites.First(s => string.Equals(s, kv.Key, StringComparison.OrdinalIgnoreCase)) : null);
                if (site == null) { problems.Add($"site '{kv.Key}' is not one of the record's sites"); continue; }
                if (kv.Value < 0 || kv.Value > 255) { problems.Add($"weight {kv.Value} for site '{site}' is outside 0..255"); continue; }
                if (!named.Add(site)) { problems.Add($"site '{site}' is named twice"); continue; }
                after[site] = kv.Value;
            }
            if (problems.Count > 0)
                throw Invalid($"Traffic change for {displayName} {type} was not planned: {string.Join("; ", problems)}. " +
                              $"The sites of this record are: {string.Join(", ", sites.Select(s => $"'{s}'"))}.",
                    displayName, "Name sites exactly as their SetIdentifier (Get-DrTrafficWeight lists them) with weights 0..255. Nothing was changed.");

            var locked = records.Where(r => r.TrafficPolicyInstanceId != null && after[r.SetIdentifier!] != (r.Weight ?? 0)).ToList();
            if (locked.Count > 0)
                throw new DrToolsException(ErrorIds.InvalidState, DrErrorCategory.InvalidOperation,
                    $"Site(s) {string.Join(", ", locked.Select(r => $"'{r.SetIdentifier}' (traffic policy instance {r.TrafficPolicyInstanceId})"))} " +
                    $"of {displayName} {type} belong to a Route 53 traffic policy and cannot be re-weighted directly.",
                    displayName, "Change the traffic policy instead. Nothing was changed.");

            var health = await HealthAsync(records, cancellationToken).ConfigureAwait(false);
            var siteChanges = SiteChanges(records, after, health);
            var changes = records.Where(r => after[r.SetIdentifier!] != (r.Weight ?? 0))
                .Select(r => new RecordChange(ChangeAction.Upsert, r with { Weight = after[r.SetIdentifier!] }))
                .ToList();

            // Safety rules (only when something would change: a no-op never moves traffic).
            var safety = new List<string>();
            var notes = new List<string>();
            if (changes.Count > 0)
            {
                if (siteChanges.All(s => s.After == 0))
                    safety.Add("every site would get weight 0 (all traffic to zero; Route 53 then spreads answers evenly over every site, healthy or not)");
                foreach (var s in siteChanges.Where(s => s.After > 0 && s.Health == SiteHealth.Unhealthy && named.Contains(s.Site)))
                    safety.Add($"site '{s.Site}' would get weight {s.After} but its health check {HealthCheckOf(records, s.Site)} is failing");
                var receiving = siteChanges.Where(s => s.After > 0).ToList();
                if (receiving.Count > 0 && receiving.All(s => s.Health == SiteHealth.Unhealthy))
                    safety.Add($"the only site(s) left with traffic ({string.Join(", ", receiving.Select(s => $"'{s.Site}'"))}) are unhealthy");
                foreach (var s in receiving.Where(s => s.Health == SiteHealth.Unknown))
                    notes.Add($"site '{s.Site}' health is unknown (no checker has reported, or its status could not be read)");
            }
            safety = safety.Distinct().ToList();

            var comment = options.Comment ?? Truncate("DrTools: " + string.Join(", ",
                siteChanges.Where(s => s.Changed).Select(s => $"{s.Site} {s.Before}->{s.After}")), 256);
            var plan = new TrafficChangePlan
            {
                Zone = hostedZone.Name,
                ZoneId = hostedZone.Id,
                RecordName = records[0].Name,
                RecordType = type,
                Sites = siteChanges,
                Changes = changes,
                Observed = records,
                Comment = comment,
                PlannedAt = Now(),
                OverriddenSafetyProblems = options.OverrideSafety ? safety : Array.Empty<string>(),
                SafetyVerdict = changes.Count == 0 ? "nothing to check (no weight changes)."
                    : safety.Count == 0 ? "passed: at least one site keeps traffic and no traffic goes to a site whose health check is failing." +
                                          (notes.Count > 0 ? " Note: " + string.Join("; ", notes) + "." : "")
                    : options.OverrideSafety ? "OVERRIDDEN by -OverrideSafety: " + string.Join("; ", safety) + "."
                    : "REFUSED: " + string.Join("; ", safety) + ".",
            };

            if (safety.Count > 0 && !options.OverrideSafety)
                throw new DrToolsException(ErrorIds.TrafficSafety, DrErrorCategory.InvalidOperation,
                    $"Traffic change for {displayName} {type} refused by a safety rule: {string.Join("; ", safety)}.\n{plan.Describe()}",
                    displayName,
                    "Keep weight on a healthy site, or fix the failing site or its health check first. If you are sure (for example the health " +
                    "check itself is wrong), re-run with -OverrideSafety (-Force only skips the confirmation). Nothing was changed.");
            if (safety.Count > 0)
                _reporter.Warning($"Safety rule overridden by -OverrideSafety for {displayName} {type}: {string.Join("; ", safety)}.");
            foreach (var n in notes) _reporter.Warning($"{displayName} {type}: {n}.");
            return plan;
        }

        // ---------------- apply ----------------

        /// <summary>
        /// Applies <paramref name="plan"/> as ONE ChangeResourceRecordSets batch, after checking that the record sets are
        /// still exactly as planned (DrTools.InvalidState otherwise), then waits until Route 53 reports INSYNC unless
        /// <paramref name="waitForInSync"/> is false. A plan without changes sends nothing.
        /// </summary>
        public async Task<TrafficChangeResult> ApplyAsync(TrafficChangePlan plan, bool waitForInSync = true, TimeSpan? timeout = null,
            CancellationToken cancellationToken = default)
        {
            if (plan == null) throw new ArgumentNullException(nameof(plan));
            var result = new TrafficChangeResult
            {
                Zone = plan.Zone,
                ZoneId = plan.ZoneId,
                RecordName = plan.RecordName,
                RecordType = plan.RecordType,
                Sites = plan.Sites,
                Before = plan.Sites.ToDictionary(s => s.Site, s => s.Before, StringComparer.Ordinal),
                After = plan.Sites.ToDictionary(s => s.Site, s => s.After, StringComparer.Ordinal),
            };
            if (!plan.HasChanges)
            {
                _reporter.Verbose($"{plan.RecordName} {plan.RecordType}: every site already has the requested weight; nothing sent.");
                return result with { Status = "NoChange" };
            }

            // Someone (another admin, a pipeline, an earlier run) may have changed the record since the plan was made.
            var current = (await _route53.ListRecordSetsAsync(plan.ZoneId, plan.RecordName, plan.RecordType, cancellationToken).ConfigureAwait(false))
                .Where(IsWeighted).ToList();
            var differences = Differences(plan.Observed, current);
            if (differences.Count > 0)
                throw new DrToolsException(ErrorIds.InvalidState, DrErrorCategory.InvalidOperation,
                    $"{plan.RecordName} {plan.RecordType} in hosted zone {plan.ZoneId} changed since planned: {string.Join("; ", differences)}. Nothing was sent.",
                    plan.RecordName, "Look at the current weights (Get-DrTrafficWeight) and plan the change again.");

            _reporter.Verbose($"Sending {plan.Changes.Count} UPSERT(s) for {plan.RecordName} {plan.RecordType} as one atomic change batch.");
            var info = await _route53.ChangeRecordSetsAsync(plan.ZoneId, plan.Changes, plan.Comment, cancellationToken).ConfigureAwait(false);
            result = result with { ChangeId = info.Id, Status = info.Status, SubmittedAt = info.SubmittedAt };
            if (!waitForInSync) return result;

            var limit = timeout ?? DefaultInSyncTimeout;
            try
            {
                var done = await _route53.WaitForInSyncAsync(info.Id, limit, InSyncPollInterval, cancellationToken).ConfigureAwait(false);
                return result with { Status = done.Status, InSyncAt = Now() };
            }
            catch (DrToolsException ex) when (ex.ErrorId == ErrorIds.Timeout)
            {
                // The batch is accepted and Route 53 will finish it: say so, or the admin may re-run or roll back blindly.
                throw new DrToolsException(ErrorIds.Timeout, DrErrorCategory.OperationTimeout,
                    $"Route 53 accepted change {info.Id} for {plan.RecordName} {plan.RecordType} (the new weights are set) but it was not INSYNC " +
                    $"on every name server after {limit.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} s.",
                    info.Id, "Do not re-apply: the change stands and is propagating. Check again in a minute, or wait longer with -TimeoutSec.", ex)
                { Service = ex.Service, RequestId = ex.RequestId };
            }
        }

        // ---------------- helpers ----------------

        /// <summary>A zone id ("Z123...", "/hostedzone/Z123...") or a zone name ("example.com").</summary>
        async Task<HostedZone> ResolveZoneAsync(string zone, CancellationToken ct)
        {
            if (string.IsNullOrWhiteSpace(zone))
                throw Invalid("A hosted zone id or name is required.", null, "Pass -HostedZone with the zone id (Z...) or its name (example.com).");
            var z = zone.Trim();
            var bare = Route53Names.StripId(z);
            bool isId = z.StartsWith("/hostedzone/", StringComparison.OrdinalIgnoreCase) || (!z.TrimEnd('.').Contains('.') && ZoneIdPattern.IsMatch(bare));
            if (!isId) return await _route53.FindHostedZoneAsync(z, null, ct).ConfigureAwait(false);

            var zones = await _route53.ListHostedZonesAsync(ct).ConfigureAwait(false);
            return zones.FirstOrDefault(h => h.Id == bare)
                   ?? throw new DrToolsException(ErrorIds.NotFound, DrErrorCategory.ObjectNotFound,
                       $"No Route 53 hosted zone has the id '{bare}'.", bare,
                       "Check the zone id (or pass the zone name) and the account (Test-DrConnection shows the account in use).") { Service = "Route53" };
        }

        static bool IsWeighted(ResourceRecordSet r) => r.Weight != null && !string.IsNullOrEmpty(r.SetIdentifier);

        async Task<IReadOnlyList<ResourceRecordSet>> ReadWeightedAsync(HostedZone zone, string recordName, string? recordType, CancellationToken ct)
        {
            if (string.IsNullOrWhiteSpace(recordName))
                throw Invalid("A record name is required.", null, $"Pass the fully qualified record name, e.g. www.{zone.Name}");
            var display = Route53Names.Qualify(recordName).ToLowerInvariant();
            var all = await _route53.ListRecordSetsAsync(zone.Id, recordName, recordType, ct).ConfigureAwait(false);
            var weighted = all.Where(IsWeighted).ToList();
            var kind = recordType == null ? "" : recordType.Trim().ToUpperInvariant() + " ";
            if (all.Count == 0)
            {
                var hint = Route53Names.Normalise(recordName).EndsWith("." + Route53Names.Normalise(zone.Name), StringComparison.Ordinal)
                           || Route53Names.SameName(recordName, zone.Name)
                    ? "Check the record name and type."
                    : $"The name is not inside zone {zone.Name}: pass the fully qualified name, e.g. {recordName.TrimEnd('.')}.{zone.Name}";
                throw new DrToolsException(ErrorIds.NotFound, DrErrorCategory.ObjectNotFound,
                    $"Hosted zone {zone.Name} ({zone.Id}) has no {kind}record named '{display}'.", display, hint) { Service = "Route53" };
            }
            if (weighted.Count == 0)
                throw Invalid($"'{display}' in hosted zone {zone.Name} has no weighted {kind}records " +
                              $"({string.Join(", ", all.Select(r => r.Type + (r.Failover != null ? " failover" : r.AliasTarget != null ? " alias" : "")).Distinct())}); " +
                              "traffic weights apply to weighted records (one per site, told apart by SetIdentifier).",
                    display, "Pass the name of a weighted record.");
            return weighted;
        }

        /// <summary>Each distinct health check's state, read in parallel; a check that cannot be read is Unknown (with a warning).</summary>
        async Task<IReadOnlyDictionary<string, SiteHealth>> HealthAsync(IReadOnlyList<ResourceRecordSet> records, CancellationToken ct)
        {
            var ids = records.Where(r => !string.IsNullOrEmpty(r.HealthCheckId)).Select(r => r.HealthCheckId!).Distinct().ToList();
            var states = await Task.WhenAll(ids.Select(async id =>
            {
                try
                {
                    var status = await _route53.GetHealthCheckStatusAsync(id, ct).ConfigureAwait(false);
                    return (id, status.State switch
                    {
                        HealthState.Healthy => SiteHealth.Healthy,
                        HealthState.Unhealthy => SiteHealth.Unhealthy,
                        _ => SiteHealth.Unknown,
                    });
                }
                catch (DrToolsException ex)
                {
                    _reporter.Warning($"Health check {id}: status could not be read ({ex.ErrorId}: {ex.Message}); treating it as Unknown.");
                    return (id, SiteHealth.Unknown);
                }
            })).ConfigureAwait(false);
            return states.ToDictionary(s => s.id, s => s.Item2, StringComparer.Ordinal);
        }

        static SiteHealth HealthOf(ResourceRecordSet r, IReadOnlyDictionary<string, SiteHealth> health) =>
            string.IsNullOrEmpty(r.HealthCheckId) ? SiteHealth.None : health.TryGetValue(r.HealthCheckId!, out var h) ? h : SiteHealth.Unknown;

        static string HealthCheckOf(IEnumerable<ResourceRecordSet> records, string site) =>
            records.First(r => r.SetIdentifier == site).HealthCheckId ?? "";

        /// <summary>Route 53 sends weight/sum of the traffic to each record; with every weight 0 it answers with each equally.</summary>
        static double Share(long weight, long total, int count) =>
            Math.Round(total > 0 ? 100.0 * weight / total : 100.0 / count, 1);

        static IEnumerable<TrafficWeight> ToWeights(HostedZone zone, IReadOnlyList<ResourceRecordSet> records, IReadOnlyDictionary<string, SiteHealth> health)
        {
            var total = records.Sum(r => r.Weight ?? 0);
            return records.Select(r => new TrafficWeight
            {
                Zone = zone.Name,
                ZoneId = zone.Id,
                RecordName = r.Name,
                RecordType = r.Type,
                Site = r.SetIdentifier!,
                Weight = r.Weight ?? 0,
                Share = Share(r.Weight ?? 0, total, records.Count),
                Values = r.Values,
                AliasTarget = r.AliasTarget?.DnsName,
                Ttl = r.Ttl,
                HealthCheckId = r.HealthCheckId,
                Health = HealthOf(r, health),
                RecordSet = r,
            });
        }

        static IReadOnlyList<TrafficSiteChange> SiteChanges(IReadOnlyList<ResourceRecordSet> records, IReadOnlyDictionary<string, long> after,
            IReadOnlyDictionary<string, SiteHealth> health)
        {
            long totalBefore = records.Sum(r => r.Weight ?? 0), totalAfter = after.Values.Sum();
            return records.Select(r => new TrafficSiteChange
            {
                Site = r.SetIdentifier!,
                Before = r.Weight ?? 0,
                After = after[r.SetIdentifier!],
                ShareBefore = Share(r.Weight ?? 0, totalBefore, records.Count),
                ShareAfter = Share(after[r.SetIdentifier!], totalAfter, records.Count),
                Health = HealthOf(r, health),
            }).ToList();
        }

        /// <summary>Every way the record sets now differ from those planned against (sites added, removed, or any field changed).</summary>
        internal static IReadOnlyList<string> Differences(IReadOnlyList<ResourceRecordSet> planned, IReadOnlyList<ResourceRecordSet> current)
        {
            var diffs = new List<string>();
            foreach (var p in planned)
            {
                var c = current.FirstOrDefault(r => r.SetIdentifier == p.SetIdentifier);
                if (c == null) diffs.Add($"site '{p.SetIdentifier}' was removed");
                else if (!Same(p, c)) diffs.Add($"site '{p.SetIdentifier}' was {p} and is now {c}");
            }
            foreach (var c in current.Where(c => planned.All(p => p.SetIdentifier != c.SetIdentifier)))
                diffs.Add($"site '{c.SetIdentifier}' was added ({c})");
            return diffs;
        }

        static bool Same(ResourceRecordSet a, ResourceRecordSet b) =>
            Route53Names.SameName(a.Name, b.Name) && a.Values.SequenceEqual(b.Values, StringComparer.Ordinal) &&
            a with { Name = "", Values = Array.Empty<string>() } == b with { Name = "", Values = Array.Empty<string>() };

        static string Truncate(string s, int max) => s.Length <= max ? s : s.Substring(0, max - 3) + "...";

        static DrToolsException Invalid(string message, object? target, string action) =>
            new(ErrorIds.InvalidParameter, DrErrorCategory.InvalidArgument, message, target, action);
    }
}
