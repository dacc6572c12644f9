using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Aws.Route53;
using DrTools.Core.Diagnostics;
using DrTools.Core.Plans;
using DrTools.Core.Plans.Readiness;
using DrTools.Core.RecoveryPoints;
using DrTools.Core.Reprotect;
using DrTools.Core.Traffic;

namespace DrTools.Core.Status
{
    /// <summary>
    /// Get-DrStatus: one row per measurement of a plan's components (newest recovery points and their age against the
    /// RPO, replica lag, Route 53 health and traffic weights, and every readiness check) and a summary that says whether
    /// the plan meets its RPO now and what to do first. Every read runs in parallel; a read that fails becomes a Warning
    /// row naming the DrTools error id. Only connection-level failures (credentials, endpoint, region) end the call.
    /// The rows and rules are documented in docs/status.md.
    /// </summary>
    public sealed class StatusService
    {
        /// <summary>An age or lag above this share of its limit is a Warning: the next missed backup breaks the target.</summary>
        public const double WarningShare = 0.8;

        // Failures that say nothing about the plan but that the caller's setup is wrong (as in ReadinessChecker).
        static readonly HashSet<string> ConnectionErrors = new(StringComparer.Ordinal)
        {
            ErrorIds.NoRegion, ErrorIds.InvalidRegion, ErrorIds.NoCredentials, ErrorIds.InvalidCredentials, ErrorIds.ProfileNotFound, ErrorIds.InvalidEndpoint,
        };

        // Readiness checks whose outcome says whether the data a recovery would use is within the RPO.
        static readonly HashSet<string> RpoChecks = new(StringComparer.Ordinal)
        {
            ReadinessChecks.AmiRecoveryPoint, ReadinessChecks.DbRecoveryPoint, ReadinessChecks.DbSnapshot, ReadinessChecks.DbReplica,
            ReadinessChecks.ReplicaLag, ReadinessChecks.Protection,
        };

        readonly StatusServices _services;
        readonly IOperationReporter _reporter;
        readonly Func<DateTimeOffset> _clock;

        /// <param name="clock">The current time, for ages (tests fix it); default the system clock.</param>
        public StatusService(StatusServices services, IOperationReporter? reporter = null, Func<DateTimeOffset>? clock = null)
        {
            _services = services ?? throw new ArgumentNullException(nameof(services));
            _reporter = reporter ?? NullReporter.Instance;
            _clock = clock ?? (() => DateTimeOffset.UtcNow);
        }

        /// <summary>The status of <paramref name="plan"/>: its rows (RPO rows first, then traffic, then readiness) and summary.</summary>
        /// <param name="region">The DR region; default the plan's drRegion (as Test-DrPlan -Live).</param>
        /// <exception cref="DrToolsException">Only for connection-level failures (credentials, endpoint, region).</exception>
        public async Task<DrStatusReport> GetAsync(DrPlan plan, string? region = null, CancellationToken cancellationToken = default)
        {
            if (plan == null) throw new ArgumentNullException(nameof(plan));
            var watch = Stopwatch.StartNew();
            var run = new Run(this, plan, string.IsNullOrWhiteSpace(region) ? plan.DrRegion : region!, cancellationToken);
            var sources = RowSources(run).ToList(); // started here, all at once
            _reporter.Verbose($"Plan '{plan.Name}': reading {sources.Count} status sources in {run.Region}.");
            var rows = (await Task.WhenAll(sources).ConfigureAwait(false)).SelectMany(r => r).ToList();
            return new DrStatusReport(rows, Summarize(plan, run, rows, watch.Elapsed));
        }

        /// <summary>
        /// Every source of rows, in output order. Each is one method of <see cref="Run"/> returning its rows; a new kind
        /// of row is one more line here. Replica lag, Route 53 health and the last drill are readiness checks (one row each).
        /// </summary>
        static IEnumerable<Task<IReadOnlyList<DrStatusRow>>> RowSources(Run run)
        {
            yield return run.PlanRecoveryPointsAsync(RecoveryPointKind.Snapshot);
            yield return run.PlanRecoveryPointsAsync(RecoveryPointKind.Image);
            yield return run.DbSnapshotsAsync();
            yield return run.ClusterSnapshotsAsync();
            yield return run.AutomatedBackupsAsync();
            yield return run.TrafficAsync();
            yield return run.ReadinessAsync();
        }

        static DrStatusSummary Summarize(DrPlan plan, Run run, IReadOnlyList<DrStatusRow> rows, TimeSpan duration)
        {
            var rpoRows = rows.Where(r => r.CountsForRpo).ToList();
            bool? meetsRpo = rpoRows.Count == 0 ? null
                : rpoRows.All(r => r.Status != DrStatusLevel.Failing && r.ErrorId == null && (r.Limit == null || r.Measured != null));
            var readinessFails = rows.Any(r => r.Status == DrStatusLevel.Failing && r.ErrorId == null && IsReadiness(r.Kind) && !r.CountsForRpo);
            var worst = rows.Count == 0 ? DrStatusLevel.Ok : rows.Max(r => r.Status);
            // What to do first: the worst row, and among equals, one that loses data (RPO) before one that slows recovery.
            // A failed-over writer without a replica comes first: re-protecting it also takes and copies its first snapshot.
            var first = rows.Where(r => r.Status != DrStatusLevel.Ok)
                .OrderByDescending(r => r.Status).ThenByDescending(r => r.CountsForRpo)
                .ThenByDescending(r => r.Kind == ReadinessChecks.Protection && r.ErrorId == null).ThenBy(r => r.ErrorId != null)
                .FirstOrDefault();
            return new DrStatusSummary
            {
                Plan = plan.Name,
                Strategy = PlanStrategyName(plan.Strategy),
                DrRegion = run.Region,
                Status = worst,
                MeetsRpo = meetsRpo,
                MeetsRto = readinessFails ? false : null,
                Rpo = plan.Rpo,
                Rto = plan.Rto,
                Ok = rows.Count(r => r.Status == DrStatusLevel.Ok),
                Warning = rows.Count(r => r.Status == DrStatusLevel.Warning),
                Failing = rows.Count(r => r.Status == DrStatusLevel.Failing),
                NextStep = first == null
                    ? $"Nothing to do: all {rows.Count} checks are Ok."
                    : $"{first.Kind} {first.Component}: {first.Reason}",
                CheckedAt = run.Now,
                Duration = duration,
            };
        }

        static bool IsReadiness(string kind) => typeof(ReadinessChecks).GetField(kind) != null;

        static string PlanStrategyName(DrStrategy s) => s switch
        {
            DrStrategy.BackupAndRestore => "BACKUP_AND_RESTORE",
            DrStrategy.PilotLight => "PILOT_LIGHT",
            DrStrategy.WarmStandby => "WARM_STANDBY",
            _ => "MULTI_SITE",
        };

        /// <summary>"&lt;= 1d": a limit as a target.</summary>
        static string AtMost(TimeSpan limit) => "<= " + ReadinessChecker.FormatAge(limit);

        /// <summary>Ok, Warning above <see cref="WarningShare"/> of the limit, Failing above the limit.</summary>
        internal static DrStatusLevel AgeLevel(TimeSpan age, TimeSpan limit) =>
            age > limit ? DrStatusLevel.Failing : age.Ticks > limit.Ticks * WarningShare ? DrStatusLevel.Warning : DrStatusLevel.Ok;

        /// <summary>One plan's status run: its region, clock and cancellation.</summary>
        sealed class Run
        {
            readonly StatusService _owner;
            readonly DrPlan _plan;
            readonly CancellationToken _ct;

            public Run(StatusService owner, DrPlan plan, string region, CancellationToken ct)
            {
                _owner = owner;
                _plan = plan;
                Region = region;
                _ct = ct;
                Now = owner._clock();
            }

            public string Region { get; }
            public DateTimeOffset Now { get; }
            StatusServices Services => _owner._services;
            DatabaseSpec? Db => _plan.Resources.Database;
            string? PrimaryDbRegion => Db?.PrimaryRegion ?? _plan.PrimaryRegion;

            DrStatusRow Row(string component, string kind, string region, DrStatusLevel status, string value, string target, string reason,
                bool countsForRpo = false, TimeSpan? measured = null, TimeSpan? limit = null, string? metric = null, string? errorId = null) => new()
            {
                Plan = _plan.Name, Component = component, Kind = kind, Region = region, Status = status, Value = value, Target = target, Reason = reason,
                CountsForRpo = countsForRpo, Measured = measured, Limit = limit, Metric = metric, ErrorId = errorId, CheckedAt = Now,
            };

            /// <summary>Runs one source; a failed read becomes one Warning row naming the error id (connection failures end the run).</summary>
            async Task<IReadOnlyList<DrStatusRow>> Guard(string component, string kind, string region, bool countsForRpo,
                Func<Task<IReadOnlyList<DrStatusRow>>> work)
            {
                try
                {
                    // Start every source before the first one waits for AWS.
                    await Task.Yield();
                    return await work().ConfigureAwait(false);
                }
                catch (DrToolsException ex) when (!ConnectionErrors.Contains(ex.ErrorId))
                {
                    _owner._reporter.Verbose($"Plan '{_plan.Name}': {kind} of {component}: {ex.ErrorId}.");
                    return new[]
                    {
                        Row(component, kind, region, DrStatusLevel.Warning, "unknown", "", $"Could not read: {ex.ErrorId}: {ex.Message}" +
                            (ex.RecommendedAction is { Length: > 0 } a ? " " + a : ""), countsForRpo, errorId: ex.ErrorId),
                    };
                }
            }

            static IReadOnlyList<DrStatusRow> None => Array.Empty<DrStatusRow>();

            DrStatusRow AgeRow(string component, string kind, string region, string what, DateTime takenUtc, TimeSpan limit, string limitName,
                bool countsForRpo, string metric, string fix)
            {
                var age = Now.UtcDateTime - DateTime.SpecifyKind(takenUtc, DateTimeKind.Utc);
                var level = AgeLevel(age, limit);
                var text = $"{what} is {ReadinessChecker.FormatAge(age)} old ({ReadinessChecker.FormatAge(limit)} allowed, {limitName})";
                var reason = level switch
                {
                    DrStatusLevel.Failing => text + ". " + fix,
                    DrStatusLevel.Warning => text + $": over {WarningShare * 100:0}% of the limit. " + fix,
                    _ => text + ".",
                };
                return Row(component, kind, region, level, ReadinessChecker.FormatAge(age), AtMost(limit), reason, countsForRpo, age, limit, metric);
            }

            // ---------------------------------------------------------------- recovery points

            /// <summary>
            /// EBS snapshot sets and AMIs DrTools took with -Plan &lt;this plan's name&gt;, in the DR region: one row per server,
            /// its newest usable recovery point against the RPO. Plans that tag none get no rows.
            /// </summary>
            public Task<IReadOnlyList<DrStatusRow>> PlanRecoveryPointsAsync(RecoveryPointKind kind)
            {
                var rowKind = kind == RecoveryPointKind.Snapshot ? DrStatusKinds.SnapshotSet : DrStatusKinds.Image;
                return Guard($"servers tagged {RecoveryPointTags.Plan}={_plan.Name}", rowKind, Region, true, async () =>
                {
                    var points = await new RecoveryPointCatalog(Services.RecoveryPoints).ListAsync(kind, Region, null, _ct).ConfigureAwait(false);
                    var mine = points.Where(p => string.Equals(p.Plan, _plan.Name, StringComparison.Ordinal));
                    return mine.GroupBy(p => p.SourceId, StringComparer.OrdinalIgnoreCase).Select(g =>
                    {
                        var newest = g.Where(p => p.IsUsable).OrderByDescending(p => p.Created).FirstOrDefault();
                        if (newest == null)
                            return Row(g.Key, rowKind, Region, DrStatusLevel.Failing, "none usable", AtMost(_plan.Rpo),
                                $"No {Describe(kind)} of {g.Key} in {Region} is usable ({string.Join(", ", g.Select(p => $"{p.Id} {p.State}").Take(3))}).", true);
                        return AgeRow(g.Key, rowKind, Region, $"The newest {Describe(kind)} {newest.Id}", newest.Created, _plan.Rpo, "rpo", true,
                            DrStatusMetrics.RecoveryPointAge, $"Take a new one with Invoke-DrBackup -InstanceId {g.Key}{(kind == RecoveryPointKind.Image ? " -Image" : "")} -CopyToRegion {Region} -Plan {_plan.Name}.");
                    }).ToList();
                });
            }

            static string Describe(RecoveryPointKind kind) => kind switch
            {
                RecoveryPointKind.Snapshot => "EBS snapshot set",
                RecoveryPointKind.Image => "AMI",
                RecoveryPointKind.DBSnapshot => "DB snapshot",
                RecoveryPointKind.DBClusterSnapshot => "DB cluster snapshot",
                _ => "automated backup",
            };

            /// <summary>
            /// The database the age rows are about: the active writer, its region and the other side's region (where its
            /// copies go) while the plan is failed over (active side record); else the plan's primary, primary region and
            /// the DR region. A record that cannot be read leaves the plan's ids (the Protection row reports it).
            /// </summary>
            async Task<(string? Writer, string? WriterRegion, string CopyRegion, bool HasReplica, bool FailedOver)> DatabaseNowAsync()
            {
                ActiveSide? record = null;
                try { record = await Services.Aws.ActiveSideOfAsync(_plan.Name, _ct).ConfigureAwait(false); }
                catch (DrToolsException) { /* reported by the Protection row */ }
                if (record?.Active == PlanSide.Dr && ActiveDatabase.Of(_plan, record) is { Writer.IsCluster: false, OtherRegion: { } other } active)
                    return (active.Writer.Id, active.Writer.Region, other, active.Replica != null, true);
                return (Db?.PrimaryInstanceId, PrimaryDbRegion, Region, Db?.ReplicaInstanceId != null, false);
            }

            string PlanArgument => _plan.CommandArgument();

            /// <summary>
            /// The newest DrTools DB snapshot of the primary database in the primary region and its copy in the DR region
            /// (failed over: of the active writer in its region and its copy on the other side).
            /// The copy counts for the RPO unless the writer has a replica (then the lag does).
            /// </summary>
            public async Task<IReadOnlyList<DrStatusRow>> DbSnapshotsAsync()
            {
                await Task.Yield();
                var (writer, writerRegion, copyRegion, hasReplica, failedOver) = await DatabaseNowAsync().ConfigureAwait(false);
                if (writer is not { } primary) return None;
                var regions = new[] { writerRegion, copyRegion }.OfType<string>().Distinct(StringComparer.Ordinal).ToList();
                return await Combine(regions.Select(region =>
                {
                    var counts = region == copyRegion && !hasReplica;
                    var component = region == copyRegion ? primary : $"{primary} ({(failedOver ? "writer" : "primary")})";
                    return Guard(component, DrStatusKinds.DbSnapshot, region, counts, async () =>
                    {
                        var points = await new RecoveryPointCatalog(Services.RecoveryPoints)
                            .ListAsync(RecoveryPointKind.DBSnapshot, region, new[] { primary }, _ct).ConfigureAwait(false);
                        var newest = points.Where(p => p.IsUsable).OrderByDescending(p => p.Created).FirstOrDefault();
                        if (newest == null) return None; // no DrTools snapshots: the readiness check covers what a restore would use
                        var fix = failedOver ? $"Take and copy a new one of the active writer: Invoke-DrBackup -Plan {PlanArgument}."
                            : region == copyRegion
                            ? $"Take and copy a new one: Invoke-DrBackup -DBInstanceIdentifier {primary} -Region {writerRegion ?? region} -CopyToRegion {copyRegion}."
                            : $"Take a new one: Invoke-DrBackup -DBInstanceIdentifier {primary} -Region {region}.";
                        return new[] { AgeRow(component, DrStatusKinds.DbSnapshot, region, $"The newest DB snapshot {newest.Id}", newest.Created, _plan.Rpo, "rpo",
                            counts, DrStatusMetrics.RecoveryPointAge, fix) };
                    });
                })).ConfigureAwait(false);
            }

            /// <summary>
            /// As <see cref="DbSnapshotsAsync"/> for an Aurora cluster (database.clusterId): the newest DrTools DB cluster
            /// snapshot in the primary region and its copy in the DR region. The DR copy counts for the RPO unless the
            /// plan replicates the cluster (replicaClusterId / globalClusterId: then the lag does).
            /// </summary>
            public Task<IReadOnlyList<DrStatusRow>> ClusterSnapshotsAsync()
            {
                if (Db?.ClusterId is not { } primary) return Task.FromResult(None);
                var regions = new[] { PrimaryDbRegion, Region }.OfType<string>().Distinct(StringComparer.Ordinal).ToList();
                return Combine(regions.Select(region =>
                {
                    var counts = region == Region && Db.ReplicaClusterId == null && Db.GlobalClusterId == null;
                    var component = region == Region ? primary : $"{primary} (primary)";
                    return Guard(component, DrStatusKinds.DbClusterSnapshot, region, counts, async () =>
                    {
                        var points = await new RecoveryPointCatalog(Services.RecoveryPoints)
                            .ListAsync(RecoveryPointKind.DBClusterSnapshot, region, new[] { primary }, _ct).ConfigureAwait(false);
                        var newest = points.Where(p => p.IsUsable).OrderByDescending(p => p.Created).FirstOrDefault();
                        if (newest == null) return None; // no DrTools cluster snapshots: the readiness checks cover what a restore would use
                        var fix = region == Region
                            ? $"Take and copy a new one: Invoke-DrBackup -DBClusterIdentifier {primary} -Region {PrimaryDbRegion ?? region} -CopyToRegion {Region}."
                            : $"Take a new one: Invoke-DrBackup -DBClusterIdentifier {primary} -Region {region}.";
                        return new[] { AgeRow(component, DrStatusKinds.DbClusterSnapshot, region, $"The newest DB cluster snapshot {newest.Id}", newest.Created, _plan.Rpo, "rpo",
                            counts, DrStatusMetrics.RecoveryPointAge, fix) };
                    });
                }));
            }

            /// <summary>
            /// The primary's automated backups replicated to the DR region (failed over: the active writer's, replicated
            /// to the other side): the latest restorable time against the RPO.
            /// Missing is Failing only when the plan restores from them (point in time / latest restorable).
            /// </summary>
            public async Task<IReadOnlyList<DrStatusRow>> AutomatedBackupsAsync()
            {
                await Task.Yield();
                var (writer, _, copyRegion, _, failedOver) = await DatabaseNowAsync().ConfigureAwait(false);
                if (writer is not { } primary || Db == null) return None;
                var reliedOn = Db.Restore is { } r && (r.PointInTime != null || r.LatestRestorable);
                var turnOn = failedOver ? $"Enable-DrBackupReplication -Plan {PlanArgument}" : $"automated-backup replication of {primary} to {copyRegion}";
                return await Guard(primary, DrStatusKinds.AutomatedBackup, copyRegion, reliedOn, async () =>
                {
                    var points = await new RecoveryPointCatalog(Services.RecoveryPoints)
                        .ListAsync(RecoveryPointKind.DBAutomatedBackup, copyRegion, new[] { primary }, _ct).ConfigureAwait(false);
                    var newest = points.Where(p => p.IsUsable).OrderByDescending(p => p.Created).FirstOrDefault();
                    if (newest == null)
                        return reliedOn
                            ? new[] { Row(primary, DrStatusKinds.AutomatedBackup, copyRegion, DrStatusLevel.Failing, "none", AtMost(_plan.Rpo),
                                $"The plan restores {primary} from its automated backups, but none of {primary} are restorable in {copyRegion}. " +
                                $"Turn on {turnOn}.", true) }
                            : None;
                    var row = AgeRow(primary, DrStatusKinds.AutomatedBackup, copyRegion, "The latest restorable time", newest.Created, _plan.Rpo, "rpo",
                        reliedOn, DrStatusMetrics.RecoveryPointAge, failedOver ? $"Check that it runs ({turnOn})." : $"Check that automated-backup replication of {primary} to {copyRegion} runs.");
                    return new[] { row };
                }).ConfigureAwait(false);
            }

            // ---------------------------------------------------------------- Route 53

            /// <summary>The weights of every WEIGHTED record against the plan's normal weights (read by the traffic code).</summary>
            public Task<IReadOnlyList<DrStatusRow>> TrafficAsync()
            {
                var dns = _plan.Resources.Dns;
                if (dns == null) return Task.FromResult(None);
                var zone = dns.HostedZoneId ?? dns.HostedZoneName!;
                var records = dns.Records.Where(r => r.Routing == DnsRouting.Weighted).ToList();
                return Combine(records.Select(record => Guard($"{record.Name} {record.Type}", DrStatusKinds.TrafficWeights, ReadinessChecker.GlobalRegion, false, async () =>
                {
                    var weights = await new TrafficService(Services.Aws.Route53(), _owner._reporter)
                        .GetWeightsAsync(zone, record.Name, record.Type, _ct).ConfigureAwait(false);
                    return new[] { TrafficRow(record, weights) };
                })));
            }

            DrStatusRow TrafficRow(DnsRecordSpec record, IReadOnlyList<TrafficWeight> weights)
            {
                var component = $"{record.Name} {record.Type}";
                var current = weights.ToDictionary(w => w.Site, w => w.Weight, StringComparer.Ordinal);
                var value = string.Join(", ", weights.Select(w => $"{w.Site} {w.Weight}"));
                var normal = record.Sites.Where(s => s.Weight != null).ToDictionary(s => s.SetIdentifier, s => (long)s.Weight!.Value, StringComparer.Ordinal);
                var failover = record.Sites.Where(s => s.FailoverWeight != null).ToDictionary(s => s.SetIdentifier, s => (long)s.FailoverWeight!.Value, StringComparer.Ordinal);
                var target = string.Join(", ", record.Sites.Select(s => $"{s.SetIdentifier} {s.Weight?.ToString(CultureInfo.InvariantCulture) ?? "?"}"));
                bool Matches(Dictionary<string, long> wanted) => wanted.Count > 0 && wanted.All(kv => current.TryGetValue(kv.Key, out var w) && w == kv.Value);

                var sick = weights.Where(w => w.Weight > 0 && w.Health == SiteHealth.Unhealthy).ToList();
                if (sick.Count > 0)
                    return Row(component, DrStatusKinds.TrafficWeights, ReadinessChecker.GlobalRegion, DrStatusLevel.Failing, value, target,
                        $"{string.Join(", ", sick.Select(w => $"'{w.Site}' gets {w.Share.ToString("0.#", CultureInfo.InvariantCulture)}%"))} of the traffic but its health check fails. " +
                        "Move traffic to a healthy site (Set-DrTrafficWeight, or Invoke-DrFailover for the whole plan).");
                var missing = record.Sites.Where(s => !current.ContainsKey(s.SetIdentifier)).Select(s => $"'{s.SetIdentifier}'").ToList();
                if (missing.Count > 0)
                    return Row(component, DrStatusKinds.TrafficWeights, ReadinessChecker.GlobalRegion, DrStatusLevel.Failing, value, target,
                        $"The record has no site {string.Join(", ", missing)} that the plan names (see DnsSite).");
                if (weights.All(w => w.Weight == 0))
                    return Row(component, DrStatusKinds.TrafficWeights, ReadinessChecker.GlobalRegion, DrStatusLevel.Warning, value, target,
                        "Every site has weight 0: Route 53 spreads answers evenly over every site, healthy or not. Set the plan's weights (Set-DrTrafficWeight).");
                if (Matches(normal))
                    return Row(component, DrStatusKinds.TrafficWeights, ReadinessChecker.GlobalRegion, DrStatusLevel.Ok, value, target, "The weights are the plan's normal weights.");
                if (Matches(failover))
                    return Row(component, DrStatusKinds.TrafficWeights, ReadinessChecker.GlobalRegion, DrStatusLevel.Warning, value, target,
                        "Traffic runs on the plan's failover weights (the plan is failed over). When the primary is healthy again, run Invoke-DrFailback.");
                return Row(component, DrStatusKinds.TrafficWeights, ReadinessChecker.GlobalRegion, DrStatusLevel.Warning, value, target,
                    "The weights are neither the plan's normal nor its failover weights. Check who changed them (Get-DrTrafficWeight) and set them back (Set-DrTrafficWeight).");
            }

            // ---------------------------------------------------------------- readiness

            /// <summary>Every readiness check (ReadinessChecker, as Test-DrPlan -Live) as a row; age checks get the Warning rule.</summary>
            public async Task<IReadOnlyList<DrStatusRow>> ReadinessAsync()
            {
                await Task.Yield();
                var checks = await new ReadinessChecker(Services.Aws, _owner._reporter, () => Now).CheckAsync(_plan, Region, _ct).ConfigureAwait(false);
                return checks.Select(FromReadiness).ToList();
            }

            DrStatusRow FromReadiness(ReadinessCheck c)
            {
                var counts = RpoChecks.Contains(c.Check);
                var metric = c.Check switch
                {
                    ReadinessChecks.AmiRecoveryPoint or ReadinessChecks.DbRecoveryPoint => DrStatusMetrics.RecoveryPointAge,
                    ReadinessChecks.AmiAge => DrStatusMetrics.AmiAge,
                    ReadinessChecks.ReplicaLag => DrStatusMetrics.ReplicaLag,
                    ReadinessChecks.LastDrill => DrStatusMetrics.LastDrillAge,
                    _ => null,
                };
                // The last drill is about the whole plan: its metrics go with the plan's (Component "plan").
                if (c.Check == ReadinessChecks.LastDrill) c = c.ForResource(DrStatusMetrics.PlanComponent);
                if (c.ErrorId != null)
                    return Row(c.Resource, c.Check, c.Region, DrStatusLevel.Warning, "unknown", "", c.Reason, counts, errorId: c.ErrorId, limit: c.Limit);
                if (c.Limit is { } limit)
                {
                    // An unknown lag is a Warning (the watch cannot see it; a failover would need -AllowDataLoss); a missing AMI or snapshot fails.
                    var level = c.Age is { } a ? (c.Ready ? AgeLevel(a, limit) : DrStatusLevel.Failing)
                        : c.Check == ReadinessChecks.ReplicaLag ? DrStatusLevel.Warning
                        : c.Ready ? DrStatusLevel.Ok : DrStatusLevel.Failing;
                    var reason = level == DrStatusLevel.Warning && c.Age != null
                        ? c.Reason.TrimEnd('.') + $": over {WarningShare * 100:0}% of the limit. " + NearLimitAdvice(c.Check)
                        : c.Reason;
                    return Row(c.Resource, c.Check, c.Region, level, c.Age is { } age ? ReadinessChecker.FormatAge(age) : "unknown", AtMost(limit), reason,
                        counts, c.Age, limit, c.Age != null ? metric : null);
                }
                var status = !c.Ready ? DrStatusLevel.Failing : c.Notice ? DrStatusLevel.Warning : DrStatusLevel.Ok;
                return Row(c.Resource, c.Check, c.Region, status, c.Observed ?? (c.Ready ? "ready" : "not ready"), TargetOf(c), c.Reason, counts);
            }

            static string NearLimitAdvice(string check) => check switch
            {
                ReadinessChecks.ReplicaLag => "Find why replication lags (write load, replica class, network).",
                ReadinessChecks.LastDrill => "Run a drill soon (Invoke-DrDrill).",
                _ => "Take and copy a newer one soon.",
            };

            string TargetOf(ReadinessCheck c)
            {
                if (c.Check == ReadinessChecks.AutoScalingGroup)
                {
                    var spec = _plan.Resources.AutoScalingGroups.FirstOrDefault(g => g.Name == c.Resource);
                    return spec?.Standby is { } s ? $"standby {s.Desired} in service" : "exists";
                }
                return c.Check switch
                {
                    ReadinessChecks.AmiExists or ReadinessChecks.DbSnapshot => "available",
                    ReadinessChecks.DbReplica => "available replica",
                    ReadinessChecks.RegionEnabled => "enabled",
                    ReadinessChecks.HealthCheckStatus => "healthy",
                    ReadinessChecks.Protection => "replica in another region",
                    _ => "exists",
                };
            }

            static async Task<IReadOnlyList<DrStatusRow>> Combine(IEnumerable<Task<IReadOnlyList<DrStatusRow>>> parts) =>
                (await Task.WhenAll(parts.ToList()).ConfigureAwait(false)).SelectMany(r => r).ToList();
        }
    }
}
