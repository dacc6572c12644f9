using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Aws.AutoScaling;
using DrTools.Core.Aws.CloudWatch;
using DrTools.Core.Aws.Ec2;
using DrTools.Core.Aws.Rds;
using DrTools.Core.Aws.Route53;
using DrTools.Core.Diagnostics;
using DrTools.Core.RecoveryPoints;
using R53 = DrTools.Core.Aws.Route53;

namespace DrTools.Core.Plans.Readiness
{
    /// <summary>
    /// Checks that a DR plan could run now (Test-DrPlan -Live), like Route 53 ARC's readiness checks: every resource the
    /// plan relies on exists in the DR region and is in shape, and the newest recovery points meet the RPO.
    /// All checks run in parallel and each yields one <see cref="ReadinessCheck"/>. A failed AWS call makes its checks
    /// not ready with the DrTools error id in the reason; only failures of the connection itself (rejected or missing
    /// credentials, a malformed endpoint) end the whole check with a <see cref="DrToolsException"/>.
    /// The checks are documented in docs/readiness.md.
    /// </summary>
    public sealed partial class ReadinessChecker
    {
        /// <summary>Route 53 checks are not in a region.</summary>
        public const string GlobalRegion = "global";

        // Failures that say nothing about the DR site but that the caller's setup is wrong: every check would fail the same way.
        static readonly HashSet<string> ConnectionErrors = new(StringComparer.Ordinal)
        {
            ErrorIds.NoRegion, ErrorIds.InvalidRegion, ErrorIds.NoCredentials, ErrorIds.InvalidCredentials, ErrorIds.ProfileNotFound, ErrorIds.InvalidEndpoint,
        };

        readonly ReadinessServices _services;
        readonly IOperationReporter _reporter;
        readonly Func<DateTimeOffset> _clock;

        /// <param name="clock">The current time, for ages (tests fix it); default the system clock.</param>
        public ReadinessChecker(ReadinessServices services, IOperationReporter? reporter = null, Func<DateTimeOffset>? clock = null)
        {
            _services = services ?? throw new ArgumentNullException(nameof(services));
            _reporter = reporter ?? NullReporter.Instance;
            _clock = clock ?? (() => DateTimeOffset.UtcNow);
        }

        /// <summary>Every check of <paramref name="plan"/>, in plan order (app servers, database, groups, Elastic IPs, DNS, drill stop alarms, last drill).</summary>
        /// <param name="region">The DR region to check; default the plan's drRegion. Groups with their own region are checked there.</param>
        /// <exception cref="DrToolsException">Only for connection-level failures (credentials, endpoint).</exception>
        public async Task<IReadOnlyList<ReadinessCheck>> CheckAsync(DrPlan plan, string? region = null, CancellationToken cancellationToken = default)
        {
            if (plan == null) throw new ArgumentNullException(nameof(plan));
            var run = new Run(this, plan, string.IsNullOrWhiteSpace(region) ? plan.DrRegion : region!, cancellationToken);
            var regionTask = run.RegionAsync();
            var r = plan.Resources;
            var groups = new List<Task<IReadOnlyList<ReadinessCheck>>>();
            groups.AddRange(r.AppServers.Select(run.AppServerAsync));
            groups.AddRange(run.LaunchResourceChecks());
            // The database checks follow the active side record (the writer and replica after a failover).
            if (r.Database != null) groups.Add(run.ActiveDatabaseAsync(r.Database));
            if (r.Database != null && _services.ActiveSides != null) groups.Add(run.ProtectionAsync(r.Database));
            groups.AddRange(r.AutoScalingGroups.Select(run.GroupAsync));
            groups.AddRange(r.AutoScalingGroups.Select(run.LaunchTemplateAsync));
            if (run.LaunchesInstances) groups.Add(run.InstanceQuotaAsync());
            groups.AddRange(ElasticIpsOf(plan).Select(e => run.ElasticIpAsync(e.AllocationId, e.Use)));
            if (r.Dns != null)
            {
                var zone = run.LookupZoneAsync(r.Dns);
                groups.Add(run.ZoneAsync(r.Dns, zone));
                groups.AddRange(r.Dns.Records.Select(rec => run.RecordAsync(rec, zone)));
                var healthChecks = r.Dns.Records.SelectMany(rec => rec.Sites).Select(s => s.HealthCheckId).OfType<string>().Distinct(StringComparer.Ordinal);
                groups.AddRange(healthChecks.Select(run.HealthCheckAsync));
                groups.AddRange(run.HealthCheckStatusChecks(r.Dns));
            }
            if (plan.Drill?.StopAlarms is { Count: > 0 } stopAlarms) groups.Add(run.StopAlarmsAsync(stopAlarms));
            if (plan.Drill?.MaxAge is { } maxDrillAge && _services.DrillHistory != null) groups.Add(run.LastDrillAsync(_services.DrillHistory, maxDrillAge));
            _reporter.Verbose($"Plan '{plan.Name}': checking {groups.Count} resources in {run.Region}.");
            IReadOnlyList<ReadinessCheck>[]? results = null;
            DrToolsException? failure = null;
            try { results = await Task.WhenAll(groups).ConfigureAwait(false); }
            catch (DrToolsException ex) { failure = ex; }
            ReadinessCheck? regionCheck = null;
            try { regionCheck = await regionTask.ConfigureAwait(false); }
            catch (DrToolsException) when (failure != null) { /* the other checks' failure is the one reported */ }
            // In a region that does not exist or is not enabled every other call fails, in an enabled-but-unknown
            // way (unreachable endpoint) or as an AuthFailure that reads like bad credentials: report the cause alone.
            if (regionCheck is { Ready: false, ErrorId: null })
            {
                _reporter.Verbose($"Plan '{plan.Name}': {run.Region} cannot be used ({regionCheck.Reason}); the other checks are left out.");
                return new[] { regionCheck };
            }
            if (failure != null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
            return new[] { regionCheck! }.Concat(results!.SelectMany(x => x)).ToList();
        }

        /// <summary>Every Elastic IP the plan uses (its elasticIps and the DNS targets'), once, with what it is for.</summary>
        static IEnumerable<(string AllocationId, string Use)> ElasticIpsOf(DrPlan plan)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var e in plan.Resources.ElasticIps)
                if (seen.Add(e.AllocationId))
                    yield return (e.AllocationId, e.InstanceId != null ? $"for {e.InstanceId}" : e.AppServer != null ? $"for {e.AppServer}[{e.Index}]" : "");
            if (plan.Resources.Dns == null) yield break;
            foreach (var rec in plan.Resources.Dns.Records)
            {
                var targets = new[] { rec.Primary, rec.Dr }.Concat(rec.Sites.Select(s => s.Target)).OfType<RecordTarget>();
                foreach (var id in targets.SelectMany(t => t.ElasticIps))
                    if (seen.Add(id)) yield return (id, $"for DNS {rec.Name}");
            }
        }

        /// <summary>"9d 2h", "1h 30m", "45s": an age as an admin reads it.</summary>
        public static string FormatAge(TimeSpan age)
        {
            if (age < TimeSpan.Zero) return "in the future (" + FormatAge(-age) + " ahead; check clocks)";
            if (age.TotalDays >= 1) return age.Hours > 0 ? $"{(int)age.TotalDays}d {age.Hours}h" : $"{(int)age.TotalDays}d";
            if (age.TotalHours >= 1) return age.Minutes > 0 ? $"{age.Hours}h {age.Minutes}m" : $"{age.Hours}h";
            if (age.TotalMinutes >= 1) return age.Seconds > 0 ? $"{age.Minutes}m {age.Seconds}s" : $"{age.Minutes}m";
            return $"{Math.Max(0, age.Seconds)}s";
        }

        static string Time(DateTime t) => t.ToUniversalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + "Z";

        /// <summary>One plan's check run: its region, clock and cancellation.</summary>
        sealed partial class Run
        {
            readonly ReadinessChecker _owner;
            readonly DrPlan _plan;
            readonly CancellationToken _ct;
            readonly DateTimeOffset _now;

            public Run(ReadinessChecker owner, DrPlan plan, string region, CancellationToken ct)
            {
                _owner = owner;
                _plan = plan;
                Region = region;
                _ct = ct;
                _now = owner._clock();
            }

            public string Region { get; }
            ReadinessServices Services => _owner._services;

            ReadinessCheck Result(string check, string resource, string region, bool ready, string reason, string? observed = null, string? errorId = null) => new()
            {
                Plan = _plan.Name, Check = check, Resource = resource, Region = region, Ready = ready, Reason = reason, Observed = observed,
                ErrorId = errorId, CheckedAt = _now,
            };

            ReadinessCheck Failed(string check, string resource, string region, DrToolsException ex) =>
                Result(check, resource, region, false, $"Could not check: {ex.ErrorId}: {ex.Message}", null, ex.ErrorId);

            /// <summary>Runs one resource's checks; an AWS failure turns each of <paramref name="planned"/> into a not-ready check.</summary>
            async Task<IReadOnlyList<ReadinessCheck>> Guard(IReadOnlyList<(string Check, string Resource)> planned, string region,
                Func<Task<IReadOnlyList<ReadinessCheck>>> work)
            {
                try
                {
                    // Start every check before the first one waits for AWS.
                    await Task.Yield();
                    return await work().ConfigureAwait(false);
                }
                catch (DrToolsException ex) when (!ConnectionErrors.Contains(ex.ErrorId))
                {
                    _owner._reporter.Verbose($"Plan '{_plan.Name}': {string.Join(", ", planned.Select(p => p.Check).Distinct())} of {planned[0].Resource}: {ex.ErrorId}.");
                    return planned.Select(p => Failed(p.Check, p.Resource, region, ex)).ToList();
                }
            }

            // ---------------------------------------------------------------- region

            /// <summary>
            /// Whether the checked region exists in the account's partition and is enabled. Asked through EC2 in the
            /// plan's primary region when it has one (a region that is not enabled cannot answer for itself), else
            /// (or when that call fails) in the checked region.
            /// </summary>
            public async Task<ReadinessCheck> RegionAsync()
            {
                var askIn = _plan.PrimaryRegion != null && _plan.PrimaryRegion != Region ? new[] { _plan.PrimaryRegion, Region } : new[] { Region };
                IReadOnlyList<Ec2Region>? regions = null;
                string? askedIn = null;
                foreach (var where in askIn)
                {
                    try
                    {
                        regions = await Services.Ec2(where).DescribeRegionsAsync(_ct).ConfigureAwait(false);
                        askedIn = where;
                        break;
                    }
                    catch (DrToolsException ex) when (where != Region)
                    {
                        _owner._reporter.Verbose($"DescribeRegions in {where} failed ({ex.ErrorId}); asking in {Region}.");
                    }
                    catch (DrToolsException ex) when (!ConnectionErrors.Contains(ex.ErrorId))
                    {
                        return Failed(ReadinessChecks.RegionEnabled, Region, Region, ex);
                    }
                }
                if (regions == null || regions.Count == 0)
                    return Result(ReadinessChecks.RegionEnabled, Region, Region, false, $"Could not check: EC2 in {askedIn} listed no regions.", null, ErrorIds.InvalidState);
                var found = regions.FirstOrDefault(x => string.Equals(x.RegionName, Region, StringComparison.Ordinal));
                if (found == null)
                {
                    var nearest = regions.Select(x => (x.RegionName, d: PlanObject.Distance(Region, x.RegionName))).OrderBy(x => x.d).First();
                    return Result(ReadinessChecks.RegionEnabled, Region, Region, false,
                        $"{Region} is not a region of this account's partition (EC2 in {askedIn} lists {regions.Count})" +
                        (nearest.d <= 3 ? $"; did you mean {nearest.RegionName}?" : ".") + " Correct drRegion in the plan (or -Region).");
                }
                var observed = $"{found.RegionName}, {found.OptInStatus ?? "no opt-in status"}";
                return found.Enabled
                    ? Result(ReadinessChecks.RegionEnabled, Region, Region, true, $"{Region} is enabled for the account.", observed)
                    : Result(ReadinessChecks.RegionEnabled, Region, Region, false,
                        $"{Region} is an opt-in region that is not enabled for this account ({found.OptInStatus}): nothing can be recovered there. " +
                        "Enable it (AWS console: Account, AWS Regions; or aws account enable-region) and wait until it is enabled.", observed);
            }

            // ---------------------------------------------------------------- app servers

            public Task<IReadOnlyList<ReadinessCheck>> AppServerAsync(AppServerSpec app)
            {
                var resource = $"{app.Name}: {(app.Ami.Id ?? app.Ami.ToString())}";
                var checks = new List<string> { ReadinessChecks.AmiExists };
                if (app.MaxAmiAge != null) checks.Add(ReadinessChecks.AmiAge);
                // In backup and restore the AMI carries the server's data, so it is a recovery point; otherwise it is only the software.
                if (_plan.Strategy == DrStrategy.BackupAndRestore) checks.Add(ReadinessChecks.AmiRecoveryPoint);
                return Guard(checks.Select(c => (c, resource)).ToList(), Region, async () =>
                {
                    var image = await FindImageAsync(app.Ami).ConfigureAwait(false);
                    var results = new List<ReadinessCheck>();
                    if (image == null)
                    {
                        var what = app.Ami.Id != null ? $"Image {app.Ami.Id} does not exist in {Region}."
                            : $"No image owned by '{app.Ami.Owner}' matches {app.Ami} in {Region}.";
                        results.Add(Result(ReadinessChecks.AmiExists, resource, Region, false, what + " Copy the AMI to the DR region (or fix the plan's ami)."));
                        results.AddRange(checks.Skip(1).Select(c => Result(c, resource, Region, false, "There is no AMI to check (see AmiExists).")));
                        return results;
                    }
                    var age = image.CreationDate is { } created ? _now - new DateTimeOffset(DateTime.SpecifyKind(created, DateTimeKind.Utc)) : (TimeSpan?)null;
                    var observed = $"{image.ImageId}" + (image.Name != null ? $" ({image.Name})" : "") + $", {image.State}"
                                   + (image.CreationDate is { } c ? $", created {Time(c)}, {FormatAge(age!.Value)} old" : "");
                    var available = string.Equals(image.State, "available", StringComparison.OrdinalIgnoreCase);
                    results.Add(Result(ReadinessChecks.AmiExists, resource, Region, available,
                        available ? $"{image.ImageId} is available in {Region}."
                                  : $"{image.ImageId} is {image.State}, not available" + (image.StateReason != null ? $": {image.StateReason}" : "") + ".",
                        observed));
                    if (app.MaxAmiAge is { } maxAge) results.Add(AgeCheck(ReadinessChecks.AmiAge, resource, image.ImageId, age, maxAge, "maxAmiAge", observed));
                    if (checks.Contains(ReadinessChecks.AmiRecoveryPoint))
                        results.Add(AgeCheck(ReadinessChecks.AmiRecoveryPoint, resource, image.ImageId, age, _plan.Rpo, "rpo", observed));
                    return results;
                });
            }

            ReadinessCheck AgeCheck(string check, string resource, string what, TimeSpan? age, TimeSpan limit, string field, string observed)
            {
                if (age == null) return Result(check, resource, Region, false, $"AWS reports no creation time for {what}, so its age is unknown.", observed).WithAge(null, limit);
                var ok = age.Value <= limit;
                return Result(check, resource, Region, ok,
                    ok ? $"{what} is {FormatAge(age.Value)} old; the plan allows {FormatAge(limit)} ({field})."
                       : $"{what} is {FormatAge(age.Value)} old; the plan allows {FormatAge(limit)} ({field}). Take and copy a newer one.",
                    observed).WithAge(age, limit);
            }

            async Task<Ec2Image?> FindImageAsync(AmiSelector ami)
            {
                var ec2 = Services.Ec2(Region);
                if (ami.Id != null)
                {
                    try
                    {
                        var byId = await ec2.DescribeImagesAsync(new[] { ami.Id }, null, null, _ct).ConfigureAwait(false);
                        return byId.FirstOrDefault(i => i.ImageId == ami.Id) ?? byId.FirstOrDefault();
                    }
                    catch (DrToolsException ex) when (ex.ErrorId == ErrorIds.NotFound)
                    {
                        return null;
                    }
                }
                var filters = new List<Ec2Filter>();
                if (ami.Name != null) filters.Add(new Ec2Filter("name", ami.Name));
                filters.AddRange(ami.Tags.Select(t => new Ec2Filter("tag:" + t.Key, t.Value)));
                var images = await ec2.DescribeImagesAsync(null, filters, new[] { ami.Owner }, _ct).ConfigureAwait(false);
                // The newest available image is what a recovery launches; without one, show the newest of any state.
                return images.Where(i => string.Equals(i.State, "available", StringComparison.OrdinalIgnoreCase)).OrderByDescending(i => i.CreationDate).FirstOrDefault()
                       ?? images.OrderByDescending(i => i.CreationDate).FirstOrDefault();
            }

            // ---------------------------------------------------------------- database

            public Task<IReadOnlyList<ReadinessCheck>> DatabaseAsync(DatabaseSpec db)
            {
                if (db.IsAurora) return AuroraAsync(db);
                if (db.ReplicaInstanceId != null) return ReplicaAsync(db, db.ReplicaInstanceId);
                if (db.Restore is { } restore && (restore.PointInTime != null || restore.LatestRestorable)) return AutomatedBackupsAsync(db, restore);
                return SnapshotAsync(db);
            }

            Task<IReadOnlyList<ReadinessCheck>> ReplicaAsync(DatabaseSpec db, string replicaId)
            {
                var resource = replicaId;
                return Guard(new[] { (ReadinessChecks.DbReplica, resource) }, Region, async () =>
                {
                    var instance = await Services.Rds(Region).FindDBInstanceAsync(replicaId, _ct).ConfigureAwait(false);
                    if (instance == null)
                        return One(Result(ReadinessChecks.DbReplica, resource, Region, false,
                            $"DB instance {replicaId} does not exist in {Region}. Create the cross-region read replica (or fix replicaInstanceId)."));
                    var observed = $"{instance.Status}, {instance.InstanceClass ?? "unknown class"}"
                                   + (instance.IsReadReplica ? $", replicating from {instance.ReadReplicaSource}" : ", not a read replica");
                    string? problem = null;
                    if (!string.Equals(instance.Status, "available", StringComparison.OrdinalIgnoreCase))
                        problem = $"{replicaId} is '{instance.Status}', not 'available'.";
                    else if (!instance.IsReadReplica)
                        problem = $"{replicaId} is not a read replica (was it promoted already?): there is nothing to promote.";
                    else if (db.PrimaryInstanceId != null && !SameInstance(instance.ReadReplicaSource!, db.PrimaryInstanceId))
                        problem = $"{replicaId} replicates from {instance.ReadReplicaSource}, but the plan's primary is {db.PrimaryInstanceId}.";
                    return One(Result(ReadinessChecks.DbReplica, resource, Region, problem == null,
                        problem ?? $"{replicaId} is available and replicating from {instance.ReadReplicaSource}.", observed));
                });
            }

            /// <summary>
            /// A point-in-time restore needs the primary's automated backups in the DR region (replicated there, or its own when
            /// the primary lives there) with a window that reaches within the RPO of now, or that contains the plan's pointInTime.
            /// </summary>
            Task<IReadOnlyList<ReadinessCheck>> AutomatedBackupsAsync(DatabaseSpec db, DatabaseRestoreSpec restore)
            {
                var primary = db.PrimaryInstanceId ?? "";
                var sourceRegion = db.PrimaryRegion ?? _plan.PrimaryRegion ?? Region;
                var resource = $"automated backups of {primary}";
                return Guard(new[] { (ReadinessChecks.DbAutomatedBackups, resource) }, Region, async () =>
                {
                    var replicated = PointInTimeRestores.IsReplicated(Region, sourceRegion);
                    var enable = PointInTimeRestores.EnableCommand(primary, sourceRegion, Region);
                    var backup = await PointInTimeRestores.FindBackupAsync(Services.Rds(Region), primary, sourceRegion, _ct).ConfigureAwait(false);
                    if (backup == null)
                        return One(Result(ReadinessChecks.DbAutomatedBackups, resource, Region, false, replicated
                            ? $"The automated backups of {primary} ({sourceRegion}) are not replicated to {Region}: there is nothing to restore to a point in time. Run {enable}."
                            : $"{primary} has no automated backups in {Region} (backup retention 0?): set a backup retention period on it."));
                    var latest = backup.LatestRestorableTime;
                    var observed = $"{backup.Status}, restorable {PointInTimeRestores.Window(backup)}" + (backup.Arn != null ? $", {backup.Arn}" : "");
                    if (restore.PointInTime is { } at)
                    {
                        var t = at.UtcDateTime;
                        var inside = (backup.EarliestRestorableTime is not { } e || t >= e) && (latest is not { } l || t <= l);
                        return One(Result(ReadinessChecks.DbAutomatedBackups, resource, Region, inside && latest != null,
                            latest == null ? $"AWS reports no restorable window for {resource} in {Region} yet; wait for the first backup to be replicated."
                            : inside ? $"{RecoveryPointTags.FormatTime(t)} (restore.pointInTime) is inside the restorable window."
                            : $"{RecoveryPointTags.FormatTime(t)} (restore.pointInTime) is outside the restorable window; change it to a time inside the window.",
                            observed));
                    }
                    if (latest == null)
                        return One(Result(ReadinessChecks.DbAutomatedBackups, resource, Region, false,
                            $"AWS reports no latest restorable time for {resource} in {Region}: the replication has not delivered a backup yet. Wait, or check it with Get-DrBackup -Kind DBAutomatedBackup -Region {Region}.",
                            observed));
                    var age = _now - new DateTimeOffset(DateTime.SpecifyKind(latest.Value, DateTimeKind.Utc));
                    var ok = age <= _plan.Rpo;
                    return One(Result(ReadinessChecks.DbAutomatedBackups, resource, Region, ok,
                        ok ? $"The latest restorable time is {FormatAge(age)} old; the plan allows {FormatAge(_plan.Rpo)} (rpo)."
                           : $"The latest restorable time is {FormatAge(age)} old; the plan allows {FormatAge(_plan.Rpo)} (rpo). Check that the primary is backing up and the replication is running " +
                             $"(Get-DrBackup -Kind DBAutomatedBackup -Region {Region}); {(replicated ? "to restart it run " + enable : "")}".TrimEnd(' ', ';') + ".",
                        observed));
                });
            }

            /// <summary>A replica's source is the primary's id (same region) or ARN (cross-region).</summary>
            static bool SameInstance(string source, string primaryId) =>
                string.Equals(source, primaryId, StringComparison.OrdinalIgnoreCase)
                || source.EndsWith(":db:" + primaryId, StringComparison.OrdinalIgnoreCase)
                || primaryId.EndsWith(":db:" + source, StringComparison.OrdinalIgnoreCase);

            Task<IReadOnlyList<ReadinessCheck>> SnapshotAsync(DatabaseSpec db)
            {
                var snapshotId = db.Restore?.SnapshotId;
                var resource = snapshotId ?? (db.PrimaryInstanceId != null ? $"newest snapshot of {db.PrimaryInstanceId}" : "database snapshot");
                var planned = new[] { (ReadinessChecks.DbSnapshot, resource), (ReadinessChecks.DbRecoveryPoint, resource) };
                return Guard(planned, Region, async () =>
                {
                    var rds = Services.Rds(Region);
                    DbSnapshot? snapshot;
                    if (snapshotId != null) snapshot = await rds.FindDBSnapshotAsync(snapshotId, _ct).ConfigureAwait(false);
                    else if (db.PrimaryInstanceId != null)
                    {
                        // A copy keeps the DBInstanceIdentifier of the instance it was taken from.
                        var all = await rds.DescribeDBSnapshotsAsync(new DbSnapshotQuery { DBInstanceIdentifier = db.PrimaryInstanceId }, _ct).ConfigureAwait(false);
                        snapshot = all.Where(s => string.Equals(s.Status, "available", StringComparison.OrdinalIgnoreCase)).OrderByDescending(TakenAt).FirstOrDefault()
                                   ?? all.OrderByDescending(TakenAt).FirstOrDefault();
                    }
                    else
                    {
                        return planned.Select(p => Result(p.Item1, resource, Region, false,
                            "The plan names neither database.restore.snapshotId nor database.primaryInstanceId, so there is no snapshot to look for.")).ToList();
                    }
                    if (snapshot == null)
                    {
                        var what = snapshotId != null ? $"DB snapshot {snapshotId} does not exist in {Region}."
                            : $"There is no DB snapshot of {db.PrimaryInstanceId} in {Region}. Copy one to the DR region.";
                        return new[]
                        {
                            Result(ReadinessChecks.DbSnapshot, resource, Region, false, what),
                            Result(ReadinessChecks.DbRecoveryPoint, resource, Region, false, "There is no snapshot to check (see DbSnapshot)."),
                        };
                    }
                    var taken = TakenAt(snapshot);
                    var age = taken is { } t ? _now - new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)) : (TimeSpan?)null;
                    var observed = $"{snapshot.Identifier}, {snapshot.Status}" + (taken is { } tt ? $", taken {Time(tt)}, {FormatAge(age!.Value)} old" : "");
                    var available = string.Equals(snapshot.Status, "available", StringComparison.OrdinalIgnoreCase);
                    return new[]
                    {
                        Result(ReadinessChecks.DbSnapshot, resource, Region, available,
                            available ? $"{snapshot.Identifier} is available in {Region}." : $"{snapshot.Identifier} is '{snapshot.Status}', not 'available'.", observed),
                        AgeCheck(ReadinessChecks.DbRecoveryPoint, resource, snapshot.Identifier, age, _plan.Rpo, "rpo", observed),
                    };
                });
            }

            /// <summary>When the data was captured: a copy keeps the original time in OriginalSnapshotCreateTime.</summary>
            static DateTime? TakenAt(DbSnapshot s) => s.OriginalSnapshotCreateTime ?? s.SnapshotCreateTime;

            // ---------------------------------------------------------------- Auto Scaling

            /// <summary>-Region overrides the plan's DR region; a group in another region named explicitly stays there.</summary>
            string RegionOf(AutoScalingGroupSpec spec) => string.IsNullOrEmpty(spec.Region) || spec.Region == _plan.DrRegion ? Region : spec.Region;

            public Task<IReadOnlyList<ReadinessCheck>> GroupAsync(AutoScalingGroupSpec spec)
            {
                var region = RegionOf(spec);
                var resource = spec.Name;
                return Guard(new[] { (ReadinessChecks.AutoScalingGroup, resource) }, region, async () =>
                {
                    var group = await FindGroupAsync(region, spec.Name).ConfigureAwait(false);
                    if (group == null)
                        return One(Result(ReadinessChecks.AutoScalingGroup, resource, region, false, $"Auto Scaling group {spec.Name} does not exist in {region}."));
                    var inService = group.Instances.Count(i => i.IsInServiceAndHealthy);
                    var observed = $"min {group.MinSize}, max {group.MaxSize}, desired {group.DesiredCapacity}; {inService} in service"
                                   + (group.SuspendedProcesses.Count > 0 ? "; suspended: " + string.Join(", ", group.SuspendedProcesses.Select(p => p.ProcessName)) : "");
                    string? problem = null;
                    if (!string.IsNullOrEmpty(group.Status)) problem = $"{spec.Name} is being deleted ({group.Status}).";
                    else if (spec.Standby is { } standby && inService < standby.Desired)
                        problem = $"{spec.Name} has {inService} healthy instance{(inService == 1 ? "" : "s")} in service; its standby size is {standby.Desired}.";
                    return One(Result(ReadinessChecks.AutoScalingGroup, resource, region, problem == null,
                        problem ?? (spec.Standby != null ? $"{spec.Name} exists and runs its standby size ({spec.Standby.Desired})." : $"{spec.Name} exists."),
                        observed));
                });
            }

            // ---------------------------------------------------------------- Elastic IPs

            public Task<IReadOnlyList<ReadinessCheck>> ElasticIpAsync(string allocationId, string use)
            {
                var resource = use.Length > 0 ? $"{allocationId} ({use})" : allocationId;
                return Guard(new[] { (ReadinessChecks.ElasticIp, resource) }, Region, async () =>
                {
                    IReadOnlyList<Ec2Address> found;
                    try
                    {
                        found = await Services.Ec2(Region).DescribeAddressesAsync(new[] { allocationId }, null, _ct).ConfigureAwait(false);
                    }
                    catch (DrToolsException ex) when (ex.ErrorId == ErrorIds.NotFound)
                    {
                        found = Array.Empty<Ec2Address>();
                    }
                    var address = found.FirstOrDefault(a => a.AllocationId == allocationId);
                    if (address == null)
                        return One(Result(ReadinessChecks.ElasticIp, resource, Region, false,
                            $"Elastic IP {allocationId} does not exist in {Region}. Allocate one there and put its allocation id in the plan."));
                    var observed = address.PublicIp + (address.InstanceId != null ? $", associated with {address.InstanceId}"
                        : address.AssociationId != null ? $", associated ({address.NetworkInterfaceId ?? address.AssociationId})" : ", not associated");
                    return One(Result(ReadinessChecks.ElasticIp, resource, Region, true, $"{allocationId} ({address.PublicIp}) exists in {Region}.", observed));
                });
            }

            // ---------------------------------------------------------------- Route 53

            public sealed record ZoneLookup(HostedZone? Zone, string? Problem, DrToolsException? Error);

            public async Task<ZoneLookup> LookupZoneAsync(DnsSpec dns)
            {
                await Task.Yield();
                try
                {
                    var route53 = Services.Route53();
                    if (dns.HostedZoneId != null)
                    {
                        var id = Route53Names.StripId(dns.HostedZoneId);
                        var zone = (await route53.ListHostedZonesAsync(_ct).ConfigureAwait(false)).FirstOrDefault(z => z.Id == id);
                        if (zone == null) return new ZoneLookup(null, $"Hosted zone {id} does not exist.", null);
                        if (dns.HostedZoneName != null && !Route53Names.SameName(zone.Name, dns.HostedZoneName))
                            return new ZoneLookup(zone, $"Hosted zone {id} is named {zone.Name}, but the plan says {dns.HostedZoneName}.", null);
                        return new ZoneLookup(zone, null, null);
                    }
                    var zones = await route53.FindHostedZonesAsync(dns.HostedZoneName!, _ct).ConfigureAwait(false);
                    if (zones.Count == 0) return new ZoneLookup(null, $"There is no hosted zone named {dns.HostedZoneName}.", null);
                    if (zones.Count > 1)
                        return new ZoneLookup(null, $"{zones.Count} hosted zones are named {dns.HostedZoneName} ({string.Join(", ", zones.Select(z => z.Id))}); "
                                                    + "put the right one in the plan's dns.hostedZoneId.", null);
                    return new ZoneLookup(zones[0], null, null);
                }
                catch (DrToolsException ex) when (!ConnectionErrors.Contains(ex.ErrorId))
                {
                    return new ZoneLookup(null, null, ex);
                }
            }

            static string ZoneResource(DnsSpec dns) => dns.HostedZoneId != null && dns.HostedZoneName != null ? $"{dns.HostedZoneId} ({dns.HostedZoneName})"
                : dns.HostedZoneId ?? dns.HostedZoneName ?? "";

            public async Task<IReadOnlyList<ReadinessCheck>> ZoneAsync(DnsSpec dns, Task<ZoneLookup> lookup)
            {
                var resource = ZoneResource(dns);
                var z = await lookup.ConfigureAwait(false);
                if (z.Error != null) return One(Failed(ReadinessChecks.HostedZone, resource, GlobalRegion, z.Error));
                var observed = z.Zone == null ? null
                    : $"{z.Zone.Id} {z.Zone.Name} ({(z.Zone.IsPrivate ? "private" : "public")}" + (z.Zone.RecordSetCount is { } n ? $", {n} record sets)" : ")");
                return One(Result(ReadinessChecks.HostedZone, resource, GlobalRegion, z.Zone != null && z.Problem == null,
                    z.Problem ?? $"Hosted zone {z.Zone!.Id} ({z.Zone.Name}) exists.", observed));
            }

            public Task<IReadOnlyList<ReadinessCheck>> RecordAsync(DnsRecordSpec record, Task<ZoneLookup> lookup)
            {
                var name = $"{record.Name} {record.Type}";
                var planned = record.Routing == DnsRouting.Simple
                    ? new[] { (ReadinessChecks.DnsRecord, name) }
                    : record.Sites.Select(s => (ReadinessChecks.DnsSite, $"{name} '{s.SetIdentifier}'")).ToArray();
                return Guard(planned, GlobalRegion, async () =>
                {
                    var z = await lookup.ConfigureAwait(false);
                    if (z.Error != null) return planned.Select(p => Failed(p.Item1, p.Item2, GlobalRegion, z.Error)).ToList();
                    if (z.Zone == null) return planned.Select(p => Result(p.Item1, p.Item2, GlobalRegion, false, "The hosted zone was not found (see HostedZone).")).ToList();

                    var sets = (await Services.Route53().ListRecordSetsAsync(z.Zone.Id, record.Name, record.Type, _ct).ConfigureAwait(false))
                        .Where(s => Route53Names.SameName(s.Name, record.Name) && string.Equals(s.Type, record.Type, StringComparison.OrdinalIgnoreCase)).ToList();
                    if (record.Routing == DnsRouting.Simple)
                    {
                        var simple = sets.FirstOrDefault(s => s.SetIdentifier == null);
                        if (simple == null)
                            return One(Result(ReadinessChecks.DnsRecord, name, GlobalRegion, false, sets.Count > 0
                                ? $"{record.Name} has only {record.Type} record sets with SetIdentifiers ({string.Join(", ", sets.Select(s => s.SetIdentifier))}); the plan says SIMPLE."
                                : $"There is no {record.Type} record {record.Name} in hosted zone {z.Zone.Id}."));
                        return One(Result(ReadinessChecks.DnsRecord, name, GlobalRegion, true, $"{record.Name} {record.Type} exists.", Describe(simple)));
                    }
                    return record.Sites.Select(site => SiteCheck(record, site, name, sets)).ToList();
                });
            }

            ReadinessCheck SiteCheck(DnsRecordSpec record, DnsSiteSpec site, string name, IReadOnlyList<ResourceRecordSet> sets)
            {
                var resource = $"{name} '{site.SetIdentifier}'";
                var set = sets.FirstOrDefault(s => s.SetIdentifier == site.SetIdentifier);
                if (set == null)
                {
                    var others = sets.Where(s => s.SetIdentifier != null).Select(s => $"'{s.SetIdentifier}'").ToList();
                    return Result(ReadinessChecks.DnsSite, resource, GlobalRegion, false,
                        $"There is no {record.Type} record set {record.Name} with SetIdentifier '{site.SetIdentifier}'"
                        + (others.Count > 0 ? $" (there are: {string.Join(", ", others)})." : "."));
                }
                string? problem = null;
                if (record.Routing == DnsRouting.Weighted && set.Weight == null)
                    problem = $"'{site.SetIdentifier}' is not a weighted record set, but the plan says WEIGHTED.";
                else if (record.Routing == DnsRouting.Failover)
                {
                    var wanted = site.Failover == Plans.FailoverRole.Secondary ? R53.FailoverRole.Secondary : R53.FailoverRole.Primary;
                    if (set.Failover == null) problem = $"'{site.SetIdentifier}' is not a failover record set, but the plan says FAILOVER.";
                    else if (set.Failover != wanted)
                        problem = $"'{site.SetIdentifier}' is {set.Failover.ToString()!.ToUpperInvariant()}, but the plan says {wanted.ToString().ToUpperInvariant()}.";
                }
                if (problem == null && site.HealthCheckId != null && !string.Equals(set.HealthCheckId, site.HealthCheckId, StringComparison.OrdinalIgnoreCase))
                    problem = $"'{site.SetIdentifier}' uses health check {set.HealthCheckId ?? "(none)"}, but the plan says {site.HealthCheckId}.";
                return Result(ReadinessChecks.DnsSite, resource, GlobalRegion, problem == null, problem ?? $"'{site.SetIdentifier}' exists.", Describe(set));
            }

            static string Describe(ResourceRecordSet s) =>
                string.Join(", ", new[]
                {
                    s.Weight != null ? $"weight {s.Weight}" : null,
                    s.Failover != null ? s.Failover.ToString()!.ToUpperInvariant() : null,
                    s.AliasTarget != null ? $"alias {s.AliasTarget.DnsName}" : string.Join(" ", s.Values),
                    s.Ttl != null ? $"TTL {s.Ttl}" : null,
                    s.HealthCheckId != null ? $"health check {s.HealthCheckId}" : null,
                }.Where(p => !string.IsNullOrEmpty(p)));

            public Task<IReadOnlyList<ReadinessCheck>> HealthCheckAsync(string healthCheckId) =>
                Guard(new[] { (ReadinessChecks.HealthCheck, healthCheckId) }, GlobalRegion, async () =>
                {
                    HealthCheck check;
                    try
                    {
                        check = await Services.Route53().GetHealthCheckAsync(healthCheckId, _ct).ConfigureAwait(false);
                    }
                    catch (DrToolsException ex) when (ex.ErrorId == ErrorIds.NotFound)
                    {
                        return One(Result(ReadinessChecks.HealthCheck, healthCheckId, GlobalRegion, false, $"Health check {healthCheckId} does not exist."));
                    }
                    var c = check.Config;
                    var observed = $"{c.Type} {c.FullyQualifiedDomainName ?? c.IpAddress}" + (c.Port != null ? $":{c.Port}" : "") + (c.ResourcePath ?? "");
                    return One(Result(ReadinessChecks.HealthCheck, healthCheckId, GlobalRegion, true, $"Health check {healthCheckId} exists.", observed.Trim()));
                });

            // ---------------------------------------------------------------- drill stop alarms

            /// <summary>One check per alarm in drill.stopAlarms, all read with one DescribeAlarms call in the DR region.</summary>
            public Task<IReadOnlyList<ReadinessCheck>> StopAlarmsAsync(IReadOnlyList<string> alarmNames)
            {
                var names = alarmNames.Distinct(StringComparer.Ordinal).ToList();
                var planned = names.Select(n => (ReadinessChecks.StopAlarm, n)).ToList();
                return Guard(planned, Region, async () =>
                {
                    var cloudWatch = Services.CloudWatch(Region);
                    if (cloudWatch == null)
                        return names.Select(n => Result(ReadinessChecks.StopAlarm, n, Region, false, "Could not check: no CloudWatch reader was given to the readiness check."))
                            .ToList();
                    var states = await cloudWatch.DescribeAlarmsAsync(names, _ct).ConfigureAwait(false);
                    return names.Select(n =>
                    {
                        var state = states.FirstOrDefault(s => string.Equals(s.Name, n, StringComparison.Ordinal));
                        if (state == null)
                            return Result(ReadinessChecks.StopAlarm, n, Region, false,
                                $"CloudWatch alarm '{n}' does not exist in {Region} (names are case-sensitive), so it could never stop a drill. " +
                                "Create it in the DR region or fix the plan's drill.stopAlarms.");
                        var observed = $"{state.AlarmType}, {state.StateValue}" + (state.StateUpdated is { } t ? $" since {Time(t)}" : "")
                                       + (string.IsNullOrWhiteSpace(state.StateReason) ? "" : $": {state.StateReason}");
                        return Result(ReadinessChecks.StopAlarm, n, Region, true, state.IsInAlarm
                            ? $"'{n}' exists in {Region}; it is in ALARM now, so a drill started now would stop at once."
                            : $"'{n}' exists in {Region} ({state.StateValue}).", observed);
                    }).ToList();
                });
            }

            static IReadOnlyList<ReadinessCheck> One(ReadinessCheck check) => new[] { check };
        }
    }
}
