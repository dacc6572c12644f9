using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using System.Xml.Linq;
using DrTools.Core.Aws.Wire;
using DrTools.Core.Connection;
using DrTools.Core.Diagnostics;

namespace DrTools.Core.Aws.Route53
{
    /// <summary>
    /// <see cref="IRoute53Service"/> on DrTools' REST-XML <see cref="Route53Client"/> (API 2013-04-01). Only this class
    /// knows the wire format, so switching to the official AWSSDK.Route53 is a change to this one class.
    /// </summary>
    public sealed class Route53Service : IRoute53Service, IDisposable
    {
        const string Service = "Route53";
        const string Api = "/2013-04-01";

        /// <summary>
        /// Route 53 considers an endpoint healthy when MORE than 18% of its health checkers report it healthy
        /// ("How Amazon Route 53 determines whether a health check is healthy",
        /// https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-determining-health-of-endpoints.html).
        /// </summary>
        public const double HealthyCheckerFraction = 0.18;

        readonly Route53Client _client;
        readonly bool _ownsClient;
        readonly AwsConnection? _connection;
        readonly IOperationReporter _reporter;

        /// <summary>Uses (and disposes) a client from <paramref name="clients"/>.</summary>
        public Route53Service(IAwsClientFactory clients, IOperationReporter? reporter = null)
            : this((clients ?? throw new ArgumentNullException(nameof(clients))).Route53(), clients.Connection, reporter)
        {
            _ownsClient = true;
        }

        /// <summary>Uses <paramref name="client"/> without taking ownership; <paramref name="connection"/> only improves error messages.</summary>
        public Route53Service(Route53Client client, AwsConnection? connection = null, IOperationReporter? reporter = null)
        {
            _client = client ?? throw new ArgumentNullException(nameof(client));
            _connection = connection;
            _reporter = reporter ?? NullReporter.Instance;
        }

        /// <summary>Records per ListResourceRecordSets page (Route 53 allows at most 300).</summary>
        public int RecordPageSize { get; init; } = 300;

        /// <summary>Zones per ListHostedZones / ListHostedZonesByName page (Route 53 allows at most 100).</summary>
        public int ZonePageSize { get; init; } = 100;

        // ---------------- hosted zones ----------------

        public async Task<IReadOnlyList<HostedZone>> ListHostedZonesAsync(CancellationToken cancellationToken = default)
        {
            var zones = new List<HostedZone>();
            string? marker = null;
            while (true)
            {
                var query = new List<KeyValuePair<string, string>> { new("maxitems", Route53Names.Invariant(ZonePageSize)) };
                if (marker != null) query.Add(new("marker", marker));
                var x = await SendAsync("ListHostedZones", "GET", Api + "/hostedzone", "the hosted zones", null, query, null, null, cancellationToken)
                    .ConfigureAwait(false);
                zones.AddRange(Zones(x));
                var next = x.Child("NextMarker");
                if (!IsTruncated(x) || string.IsNullOrEmpty(next)) return zones;
                if (next == marker) throw Stuck("ListHostedZones", "the hosted zones");
                marker = next;
            }
        }

        public async Task<IReadOnlyList<HostedZone>> FindHostedZonesAsync(string name, CancellationToken cancellationToken = default)
        {
            Route53Validation.RequireName(name, "hosted zone");
            // DNS names are case-insensitive and Route 53 keeps them in lower case; its by-name listing compares bytes.
            var wanted = Route53Names.Qualify(name).ToLowerInvariant();
            var found = new List<HostedZone>();
            string dnsName = wanted;
            string? zoneId = null;
            while (true)
            {
                var query = new List<KeyValuePair<string, string>> { new("dnsname", dnsName) };
                if (zoneId != null) query.Add(new("hostedzoneid", zoneId));
                query.Add(new("maxitems", Route53Names.Invariant(ZonePageSize)));
                var x = await SendAsync("ListHostedZonesByName", "GET", Api + "/hostedzonesbyname", $"hosted zone '{wanted}'", wanted,
                    query, null, null, cancellationToken).ConfigureAwait(false);
                // The list is sorted by name and starts at ours: the first zone with another name ends the search.
                foreach (var zone in Zones(x))
                {
                    if (!Route53Names.SameName(zone.Name, wanted)) return found;
                    if (found.All(z => z.Id != zone.Id)) found.Add(zone);
                }
                var nextName = x.Child("NextDNSName");
                var nextId = x.Child("NextHostedZoneId");
                if (!IsTruncated(x) || nextName == null || !Route53Names.SameName(nextName, wanted)) return found;
                if (nextId == zoneId) throw Stuck("ListHostedZonesByName", $"hosted zone '{wanted}'");
                dnsName = nextName;
                zoneId = nextId;
            }
        }

        public async Task<HostedZone> FindHostedZoneAsync(string name, bool? privateZone = null, CancellationToken cancellationToken = default)
        {
            var zones = await FindHostedZonesAsync(name, cancellationToken).ConfigureAwait(false);
            var wanted = Route53Names.Qualify(name).ToLowerInvariant();
            var kind = privateZone switch { true => "private ", false => "public ", _ => "" };
            var matches = privateZone == null ? zones : zones.Where(z => z.IsPrivate == privateZone.Value).ToList();
            if (matches.Count == 1) return matches[0];
            if (matches.Count == 0)
                throw new DrToolsException(ErrorIds.NotFound, DrErrorCategory.ObjectNotFound,
                    $"No {kind}Route 53 hosted zone is named '{wanted}'" +
                    (zones.Count > 0 ? $" (there is a {(zones[0].IsPrivate ? "private" : "public")} one: {zones[0].Id})." : "."),
                    wanted, "Check the zone name and the account (Test-DrConnection shows the account in use).") { Service = Service };
            throw new DrToolsException(ErrorIds.InvalidParameter, DrErrorCategory.InvalidArgument,
                $"{matches.Count} {kind}hosted zones are named '{wanted}': " +
                string.Join(", ", matches.Select(z => $"{z.Id} ({(z.IsPrivate ? "private" : "public")})")) + ".",
                wanted, privateZone == null
                    ? "Say whether you mean the public or the private zone, or pass the hosted zone id."
                    : "Pass the hosted zone id of the one you mean.") { Service = Service };
        }

        // ---------------- record sets ----------------

        public async Task<IReadOnlyList<ResourceRecordSet>> ListRecordSetsAsync(string hostedZoneId, string? name = null, string? type = null,
            CancellationToken cancellationToken = default)
        {
            Route53Validation.RequireId(hostedZoneId, "hosted zone");
            var zoneId = Route53Names.StripId(hostedZoneId);
            var wantedType = Route53Validation.RecordType(type);
            var wantedName = string.IsNullOrWhiteSpace(name) ? null : Route53Names.Normalise(name!);
            var resource = $"record sets of hosted zone {zoneId}";

            // A name filter starts the listing at that name (and type): Route 53 returns records sorted by name, then type.
            (string? Name, string? Type, string? Id) start =
                (wantedName == null ? null : Route53Names.Qualify(name!).ToLowerInvariant(), wantedName == null ? null : wantedType, null);
            var records = new List<ResourceRecordSet>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            while (true)
            {
                var query = new List<KeyValuePair<string, string>>();
                if (start.Name != null) query.Add(new("name", start.Name));
                if (start.Type != null) query.Add(new("type", start.Type));
                if (start.Id != null) query.Add(new("identifier", start.Id));
                query.Add(new("maxitems", Route53Names.Invariant(RecordPageSize)));
                var x = await SendAsync("ListResourceRecordSets", "GET", Api + "/hostedzone/{Id}/rrset", resource, zoneId, query, null,
                    new[] { new KeyValuePair<string, string>("Id", zoneId) }, cancellationToken).ConfigureAwait(false);

                var page = (x.Element("ResourceRecordSets")?.Elements("ResourceRecordSet") ?? Enumerable.Empty<XElement>())
                    .Select(Route53Wire.ParseRecordSet);
                foreach (var r in page)
                {
                    if (wantedName != null && !Route53Names.SameName(r.Name, wantedName)) return records;  // past the name
                    if (wantedName != null && wantedType != null && r.Type != wantedType) return records;   // past the type
                    if (wantedType != null && r.Type != wantedType) continue;
                    // Emulators without NextRecordIdentifier restart a page at the name+type: skip what we already have.
                    if (seen.Add(Route53Names.Normalise(r.Name) + "|" + r.Type + "|" + r.SetIdentifier)) records.Add(r);
                }

                if (!IsTruncated(x)) return records;
                var next = (x.Child("NextRecordName"), x.Child("NextRecordType"), x.Child("NextRecordIdentifier"));
                if (next.Item1 == null || next == start) throw Stuck("ListResourceRecordSets", resource);
                start = next;
            }
        }

        public async Task<ChangeInfo> ChangeRecordSetsAsync(string hostedZoneId, IReadOnlyList<RecordChange> changes, string? comment = null,
            CancellationToken cancellationToken = default)
        {
            Route53Validation.RequireId(hostedZoneId, "hosted zone");
            var zoneId = Route53Names.StripId(hostedZoneId);
            Route53Validation.ValidateChanges(zoneId, changes, comment);
            _reporter.Verbose($"Route 53: submitting {changes.Count} change(s) to hosted zone {zoneId} as one atomic batch" +
                              (comment != null ? $" ('{comment}')" : "") + ":");
            foreach (var c in changes) _reporter.Verbose("  " + c);

            var x = await SendAsync("ChangeResourceRecordSets", "POST", Api + "/hostedzone/{Id}/rrset/", $"hosted zone {zoneId}", zoneId, null,
                Route53Wire.ChangeBatch(_client.Namespace, changes, comment),
                new[] { new KeyValuePair<string, string>("Id", zoneId) }, cancellationToken).ConfigureAwait(false);
            var info = Route53Wire.ParseChangeInfo(x);
            _reporter.Verbose($"Route 53: change {info.Id} accepted ({info.Status}).");
            return info;
        }

        public async Task<ChangeInfo> GetChangeAsync(string changeId, CancellationToken cancellationToken = default)
        {
            Route53Validation.RequireId(changeId, "change");
            var id = Route53Names.StripId(changeId);
            var x = await SendAsync("GetChange", "GET", Api + "/change/{Id}", $"change {id}", id, null, null,
                new[] { new KeyValuePair<string, string>("Id", id) }, cancellationToken).ConfigureAwait(false);
            return Route53Wire.ParseChangeInfo(x);
        }

        public Task<ChangeInfo> WaitForInSyncAsync(string changeId, TimeSpan timeout, TimeSpan? pollInterval = null,
            CancellationToken cancellationToken = default)
        {
            Route53Validation.RequireId(changeId, "change");
            var id = Route53Names.StripId(changeId);
            // Route 53 usually propagates within 60 s; GetChange is cheap, 10 s keeps the wait short without hammering the API.
            return Waiter.UntilAsync($"Route 53 change {id} to reach every name server (INSYNC)",
                ct => GetChangeAsync(id, ct),
                c => c.IsInSync ? WaitCheck.Ready(c.Status) : WaitCheck.Pending(c.Status),
                timeout, pollInterval ?? TimeSpan.FromSeconds(10), _reporter, cancellationToken, activityId: 53);
        }

        // ---------------- health checks ----------------

        public async Task<HealthCheck> CreateHealthCheckAsync(string callerReference, HealthCheckConfig config, CancellationToken cancellationToken = default)
        {
            Route53Validation.ValidateHealthCheck(callerReference, config);
            var normalised = config with { Type = config.Type.ToUpperInvariant() };
            var target = normalised.FullyQualifiedDomainName ?? normalised.IpAddress;
            _reporter.Verbose($"Route 53: creating {normalised.Type} health check '{callerReference}' for {target}" +
                              (normalised.Port != null ? $":{normalised.Port}" : "") + normalised.ResourcePath + ".");
            var x = await SendAsync("CreateHealthCheck", "POST", Api + "/healthcheck", $"health check '{callerReference}'", callerReference, null,
                Route53Wire.CreateHealthCheck(_client.Namespace, callerReference, normalised), null, cancellationToken).ConfigureAwait(false);
            return Route53Wire.ParseHealthCheck(x);
        }

        public async Task<HealthCheck> GetHealthCheckAsync(string healthCheckId, CancellationToken cancellationToken = default)
        {
            Route53Validation.RequireId(healthCheckId, "health check");
            var id = Route53Names.StripId(healthCheckId);
            var x = await SendAsync("GetHealthCheck", "GET", Api + "/healthcheck/{HealthCheckId}", $"health check {id}", id, null, null,
                new[] { new KeyValuePair<string, string>("HealthCheckId", id) }, cancellationToken).ConfigureAwait(false);
            return Route53Wire.ParseHealthCheck(x);
        }

        public async Task DeleteHealthCheckAsync(string healthCheckId, CancellationToken cancellationToken = default)
        {
            Route53Validation.RequireId(healthCheckId, "health check");
            var id = Route53Names.StripId(healthCheckId);
            _reporter.Verbose($"Route 53: deleting health check {id}.");
            await SendAsync("DeleteHealthCheck", "DELETE", Api + "/healthcheck/{HealthCheckId}", $"health check {id}", id, null, null,
                new[] { new KeyValuePair<string, string>("HealthCheckId", id) }, cancellationToken).ConfigureAwait(false);
        }

        public async Task<HealthCheckStatus> GetHealthCheckStatusAsync(string healthCheckId, CancellationToken cancellationToken = default)
        {
            Route53Validation.RequireId(healthCheckId, "health check");
            var id = Route53Names.StripId(healthCheckId);
            var x = await SendAsync("GetHealthCheckStatus", "GET", Api + "/healthcheck/{HealthCheckId}/status", $"health check {id}", id, null, null,
                new[] { new KeyValuePair<string, string>("HealthCheckId", id) }, cancellationToken).ConfigureAwait(false);
            return Evaluate(id, Route53Wire.ParseObservations(x));
        }

        /// <summary>
        /// Route 53's own rule: healthy when more than <see cref="HealthyCheckerFraction"/> (18%) of the checkers that
        /// reported say "Success"; unhealthy at 18% or less; Unknown when no checker has reported yet.
        /// </summary>
        public static HealthCheckStatus Evaluate(string healthCheckId, IReadOnlyList<HealthCheckObservation> observations)
        {
            int healthy = observations.Count(o => o.IsHealthy);
            var state = observations.Count == 0 ? HealthState.Unknown
                : healthy > HealthyCheckerFraction * observations.Count ? HealthState.Healthy
                : HealthState.Unhealthy;
            return new HealthCheckStatus
            {
                HealthCheckId = healthCheckId,
                State = state,
                HealthyCheckers = healthy,
                TotalCheckers = observations.Count,
                Observations = observations,
            };
        }

        // ---------------- plumbing ----------------

        async Task<XElement> SendAsync(string operation, string method, string path, string resource, object? target,
            IEnumerable<KeyValuePair<string, string>>? query, XElement? body, IEnumerable<KeyValuePair<string, string>>? pathParameters,
            CancellationToken cancellationToken)
        {
            try
            {
                return await _client.SendAsync(operation, method, path, query, body, pathParameters, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (!AwsErrorMapper.IsCancellation(ex, cancellationToken))
            {
                throw AwsErrorMapper.Map(ex, Service, operation, resource, target, _connection);
            }
        }

        static IEnumerable<HostedZone> Zones(XElement x) =>
            (x.Element("HostedZones")?.Elements("HostedZone") ?? Enumerable.Empty<XElement>()).Select(Route53Wire.ParseZone);

        // Missing IsTruncated (some emulators) means a single page.
        static bool IsTruncated(XElement x) => Route53Wire.ParseBool(x.Child("IsTruncated")) ?? false;

        static DrToolsException Stuck(string operation, string resource) =>
            new(ErrorIds.ServiceError, DrErrorCategory.InvalidData,
                $"Route53 {operation} for {resource} returned the same page marker twice; stopped paging to avoid an endless loop.", resource,
                "The endpoint does not page correctly. Against AWS this should not happen; against an emulator, list with a larger page size.")
            { Service = Service };

        public void Dispose()
        {
            if (_ownsClient) _client.Dispose();
        }
    }
}
