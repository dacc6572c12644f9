using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using DrTools.Core.Backup;
using DrTools.Core.Plans;
using DrTools.Core.Plans.Readiness;
using DrTools.Core.Recovery.Engine;
using DrTools.Core.RecoveryPoints;

namespace DrTools.Core.Reports
{
    /// <summary>How a report is made: its clock, time zone, who made it, redaction, the secrets to keep out.</summary>
    public sealed class ReportOptions
    {
        /// <summary>The report's time (ages of backups are measured to it); default now.</summary>
        public DateTimeOffset? Now { get; set; }
        /// <summary>The zone every time is shown in; default the computer's local zone.</summary>
        public TimeZoneInfo? TimeZone { get; set; }
        /// <summary>Mask account ids, IP addresses and host names (-Redact).</summary>
        public bool Redact { get; set; }
        /// <summary>Values that must never appear in the report (the connection's secret key and session token).</summary>
        public List<string> Secrets { get; } = new();
        public string OsUser { get; set; } = Environment.UserName;
        public string? Machine { get; set; } = Environment.MachineName;
        public string? Account { get; set; }
        public string? Arn { get; set; }
        public string? UserId { get; set; }
        /// <summary>Lines for the report's notes (why the caller identity is missing...).</summary>
        public List<string> Notes { get; } = new();
        /// <summary>Default: DrTools.Core's informational version without the commit.</summary>
        public string? ToolVersion { get; set; }

        /// <summary>The secret values of the environment's AWS settings (AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN).</summary>
        public static IEnumerable<string> EnvironmentSecrets()
        {
            foreach (var name in new[] { "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN" })
                if (Environment.GetEnvironmentVariable(name) is { Length: > 0 } v) yield return v;
        }

        /// <summary>The connection's secrets (secret key, session token), as its error messages redact them.</summary>
        public static IEnumerable<string> SecretsOf(Connection.AwsConnection connection) => connection.Secrets;

        public static string DefaultToolVersion()
        {
            var v = typeof(ReportBuilder).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
                    ?? typeof(ReportBuilder).Assembly.GetName().Version?.ToString() ?? "";
            var plus = v.IndexOf('+');
            return plus > 0 ? v.Substring(0, plus) : v;
        }
    }

    /// <summary>Turns results, journals, drills, checks and backups into the report model: all the arithmetic is here.</summary>
    public static class ReportBuilder
    {
        public static DrReport Build(ReportInputs inputs, ReportOptions? options = null)
        {
            if (inputs == null) throw new ArgumentNullException(nameof(inputs));
            options ??= new ReportOptions();
            var zone = options.TimeZone ?? TimeZoneInfo.Local;
            var now = options.Now ?? DateTimeOffset.UtcNow;
            var b = new Context(zone, new ReportRedactor(options.Redact, options.Secrets.Concat(ReportOptions.EnvironmentSecrets()), new[] { options.Machine }), inputs.Plans);
            string C(string s) => b.Redactor.Clean(s);

            var runs = new List<ReportRun>();
            runs.AddRange(inputs.Recoveries.Select(b.FromResult));
            // A run piped as a result and also read from its journal is shown once, from the result (it has the resources).
            runs.AddRange(inputs.Journals.Where(j => !inputs.Recoveries.Any(r => r.RunId == j.RunId && r.Plan == j.PlanName)).Select(b.FromJournal));
            runs.AddRange(inputs.Drills.Select(b.FromDrill));
            runs = runs.OrderBy(r => r.Started).ThenBy(r => r.RunId, StringComparer.Ordinal).ToList();

            var trends = runs.GroupBy(r => r.Plan, StringComparer.Ordinal).Where(g => g.Count() > 1).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => Trend(g.Key, g.ToList())).ToList();

            var readiness = inputs.Readiness.Select(c => new ReportReadinessCheck
            {
                Plan = C(c.Plan), Check = c.Check, Resource = C(c.Resource), Region = c.Region, Ready = c.Ready, Reason = C(c.Reason),
                Observed = b.Redactor.CleanOrNull(c.Observed), ErrorId = c.ErrorId, CheckedAt = b.Local(c.CheckedAt),
            }).ToList();

            var backups = BackupSources(inputs, b, now);
            var restoreTests = inputs.RestoreTests.OrderBy(t => t.BackupTime).ThenBy(t => t.BackupSetId, StringComparer.Ordinal).Select(t => new ReportRestoreTest
            {
                BackupId = C(t.BackupSetId), Kind = t.Kind, Repository = C(t.Repository), BackupTime = b.Local(t.BackupTime), Mode = t.Mode, Passed = t.Passed,
                FilesChecked = t.FilesChecked, BytesChecked = t.BytesChecked, Duration = t.Duration,
                Rto = new ReportMeasure { Achieved = t.Duration, Target = t.RtoTarget, Met = t.RtoMet },
                Failures = t.Failures.Select(f => C($"{f.Path}: {f.Error.Message}")).ToList(),
            }).ToList();

            var problems = new List<string>();
            foreach (var r in runs)
            {
                var what = $"{r.Kind} {r.RunId} of plan {r.Plan}";
                if (r.Outcome != "Succeeded") problems.Add($"{what} {r.Outcome.ToLowerInvariant()} ({r.Summary}).");
                if (r.Rto.Met == false && r.Outcome == "Succeeded") problems.Add($"{what} took {ReportText.Duration(r.Rto.Achieved)}, over the RTO of {ReportText.Duration(r.Rto.Target)}.");
                if (r.Rpo.Met == false) problems.Add($"{what} restored data {ReportText.Duration(r.Rpo.Achieved)} old, over the RPO of {ReportText.Duration(r.Rpo.Target)}.");
                if (r.Drill is { } d)
                {
                    var failedValidations = d.Validation.Count(v => !v.Passed);
                    if (failedValidations > 0) problems.Add($"{what}: {failedValidations} of {d.Validation.Count} validations failed.");
                    if (!d.CleanedUp || d.Leftovers.Count > 0) problems.Add($"{what} left {d.Leftovers.Count} resource(s) behind; remove them.");
                }
            }
            var notReady = readiness.Count(c => !c.Ready);
            if (notReady > 0) problems.Add($"{notReady} of {readiness.Count} readiness checks are not ready.");
            foreach (var s in backups.Where(s => s.RpoMet == false))
                problems.Add($"RPO missed: {s.Kind} of {s.Source} in {s.Location} is {ReportText.Duration(s.Age)} old (RPO {ReportText.Duration(s.RpoTarget)}).");
            foreach (var s in backups.Where(s => s.NewestTime == null))
                problems.Add($"No usable backup of {s.Source} in {s.Location}.");
            foreach (var t in restoreTests.Where(t => !t.Passed))
                problems.Add($"Restore test of {t.BackupId} failed" + (t.Failures.Count > 0 ? $": {t.Failures[0]}" : t.Rto.Met == false ? ": over the RTO." : "."));

            var plans = runs.Select(r => r.Plan).Concat(readiness.Select(c => c.Plan)).Concat(inputs.Plans.Select(p => C(p.Name)))
                .Where(p => p.Length > 0).Distinct(StringComparer.Ordinal).OrderBy(p => p, StringComparer.Ordinal).ToList();
            var strategies = runs.Select(r => r.Strategy).Concat(inputs.Plans.Select(p => StrategyName(p.Strategy)))
                .Where(s => !string.IsNullOrEmpty(s)).Select(s => s!).Distinct(StringComparer.Ordinal).OrderBy(s => s, StringComparer.Ordinal).ToList();
            var regions = runs.SelectMany(r => r.Regions).Concat(readiness.Select(c => c.Region)).Concat(backups.Where(s => s.Kind != "Files").Select(s => s.Location))
                .Where(r => r.Length > 0 && r != ReadinessChecker.GlobalRegion).Distinct(StringComparer.Ordinal).OrderBy(r => r, StringComparer.Ordinal).ToList();

            return new DrReport
            {
                Title = plans.Count == 1 ? $"DR report: plan {plans[0]}" : "DR report",
                Result = problems.Count == 0 ? "Passed" : "Failed",
                Problems = problems,
                Generated = b.Local(now),
                TimeZone = ReportText.Zone(zone, now),
                ToolVersion = options.ToolVersion ?? ReportOptions.DefaultToolVersion(),
                RanBy = new ReportRunner
                {
                    OsUser = C(options.OsUser),
                    Machine = b.Redactor.CleanOrNull(options.Machine),
                    Account = b.Redactor.CleanOrNull(options.Account),
                    Arn = b.Redactor.CleanOrNull(options.Arn),
                    UserId = b.Redactor.CleanOrNull(options.UserId),
                },
                Redacted = options.Redact,
                Plans = plans,
                Strategies = strategies,
                Regions = regions,
                Runs = runs,
                Trends = trends,
                Readiness = readiness,
                Backups = backups,
                RestoreTests = restoreTests,
                Notes = options.Notes.Select(C).ToList(),
            };
        }

        internal static string StrategyName(DrStrategy s) => s switch
        {
            DrStrategy.BackupAndRestore => "BACKUP_AND_RESTORE",
            DrStrategy.PilotLight => "PILOT_LIGHT",
            DrStrategy.WarmStandby => "WARM_STANDBY",
            DrStrategy.MultiSite => "MULTI_SITE",
            _ => s.ToString(),
        };

        static ReportTrend Trend(string plan, List<ReportRun> runs)
        {
            var points = runs.OrderBy(r => r.Started).ThenBy(r => r.RunId, StringComparer.Ordinal).Select(r => new ReportTrendPoint
            {
                RunId = r.RunId, Kind = r.Kind, Started = r.Started, Outcome = r.Outcome, Rto = r.Rto, Rpo = r.Rpo,
            }).ToList();
            // Only finished runs have an achieved RTO that means anything; a failed run's time is not a recovery time.
            var measured = points.Where(p => p.Outcome == "Succeeded" && p.Rto.Achieved != null).Select(p => p.Rto.Achieved!.Value).ToList();
            return new ReportTrend
            {
                Plan = plan,
                Points = points,
                RtoMetCount = points.Count(p => p.Rto.Met == true),
                RtoMissedCount = points.Count(p => p.Rto.Met == false),
                WorstRto = measured.Count > 0 ? measured.Max() : null,
                BestRto = measured.Count > 0 ? measured.Min() : null,
                LastChange = measured.Count > 1 ? measured[measured.Count - 1] - measured[measured.Count - 2] : null,
            };
        }

        static List<ReportBackupSource> BackupSources(ReportInputs inputs, Context b, DateTimeOffset now)
        {
            string C(string s) => b.Redactor.Clean(s);
            var sources = new List<(string Sort, ReportBackupSource Source)>();
            foreach (var g in inputs.RecoveryPoints.GroupBy(p => (p.Kind, p.SourceId, p.Region)))
            {
                var newest = g.Where(p => p.IsUsable).OrderByDescending(p => p.Created).ThenBy(p => p.Id, StringComparer.Ordinal).FirstOrDefault();
                var target = g.Select(p => p.Rpo).FirstOrDefault(r => r != null) ?? PlanRpo(inputs.Plans, g.Select(p => p.Plan).FirstOrDefault(p => p != null));
                var age = newest != null ? now - new DateTimeOffset(DateTime.SpecifyKind(newest.Created, DateTimeKind.Utc)) : (TimeSpan?)null;
                var ids = new HashSet<string>(g.Select(p => p.Id), StringComparer.Ordinal);
                var test = LastVerified(inputs.RestoreTests.Where(t => t.Kind != null && ids.Contains(t.BackupSetId)));
                sources.Add(($"{g.Key.Kind}\n{g.Key.SourceId}\n{g.Key.Region}", new ReportBackupSource
                {
                    Kind = g.Key.Kind.ToString(),
                    Source = C(g.Key.SourceId),
                    Location = g.Key.Region,
                    Count = g.Count(),
                    NewestId = newest != null ? C(newest.Id) : null,
                    NewestTime = newest != null ? b.Local(newest.Created) : null,
                    Age = age,
                    RpoTarget = target,
                    RpoMet = target is { } t ? age is { } a && a <= t : null,
                    SizeBytes = newest?.SizeGiB is { } gib ? gib * (1L << 30) : null,
                    LastVerifiedRestore = test != null ? Verified(test, b) : null,
                }));
            }
            var fileGroups = inputs.BackupSets.GroupBy(s => (s.Repository, s.Host, Paths: string.Join(", ", s.SourcePaths))).ToList();
            foreach (var g in fileGroups)
            {
                var newest = g.OrderByDescending(s => s.Time).ThenBy(s => s.Id, StringComparer.Ordinal).First();
                var ids = new HashSet<string>(g.Select(s => s.Id), StringComparer.Ordinal);
                var tests = inputs.RestoreTests.Where(t => t.Kind == null && t.Repository == g.Key.Repository).ToList();
                // A test of a set that was not piped still belongs here when this is the repository's only source.
                var test = LastVerified(tests.Where(t => ids.Contains(t.BackupSetId)))
                           ?? (fileGroups.Count(o => o.Key.Repository == g.Key.Repository) == 1 ? LastVerified(tests) : null);
                var age = now - new DateTimeOffset(DateTime.SpecifyKind(newest.Time, DateTimeKind.Utc));
                sources.Add(($"Files\n{g.Key.Repository}\n{g.Key.Host}\n{g.Key.Paths}", new ReportBackupSource
                {
                    Kind = "Files",
                    Source = C(g.Key.Host.Length > 0 ? $"{g.Key.Host}: {g.Key.Paths}" : g.Key.Paths),
                    Location = C(g.Key.Repository),
                    Count = g.Count(),
                    NewestId = C(newest.Id),
                    NewestTime = b.Local(newest.Time),
                    Age = age,
                    SizeBytes = newest.Bytes,
                    LastVerifiedRestore = test != null ? Verified(test, b) : null,
                }));
            }
            return sources.OrderBy(s => s.Sort, StringComparer.Ordinal).Select(s => s.Source).ToList();
        }

        static TimeSpan? PlanRpo(IEnumerable<DrPlan> plans, string? planName) =>
            planName == null ? null : plans.FirstOrDefault(p => p.Name == planName) is { } p && p.Rpo > TimeSpan.Zero ? p.Rpo : null;

        /// <summary>The newest passed test; without one, the newest failed one (a reader must see that it failed).</summary>
        static RestoreTestResult? LastVerified(IEnumerable<RestoreTestResult> tests)
        {
            var list = tests.OrderByDescending(t => t.BackupTime).ThenBy(t => t.BackupSetId, StringComparer.Ordinal).ToList();
            return list.FirstOrDefault(t => t.Passed) ?? list.FirstOrDefault();
        }

        static ReportVerifiedRestore Verified(RestoreTestResult t, Context b) => new()
        {
            BackupId = b.Redactor.Clean(t.BackupSetId), BackupTime = b.Local(t.BackupTime), Mode = t.Mode, Passed = t.Passed, Duration = t.Duration,
        };

        /// <summary>The waves of a run's steps: as recorded, or (older journals, drills without waves) inferred from the times.</summary>
        internal static IReadOnlyList<(string Id, int Wave)> Waves(IReadOnlyList<(string Id, int Wave, DateTimeOffset? Started, DateTimeOffset? Finished)> steps, out bool inferred)
        {
            inferred = steps.Count > 0 && steps.Any(s => s.Wave <= 0);
            if (!inferred) return steps.Select(s => (s.Id, s.Wave)).ToList();
            // A step that started after every step of the current wave had finished begins the next wave; a step that
            // started while one was still running ran in parallel with it. Steps that never started come last.
            var waves = new Dictionary<string, int>(StringComparer.Ordinal);
            var wave = 0;
            DateTimeOffset? waveEnd = null;
            foreach (var s in steps.Select((s, i) => (s, i)).Where(x => x.s.Started != null).OrderBy(x => x.s.Started).ThenBy(x => x.i).Select(x => x.s))
            {
                if (wave == 0 || waveEnd is { } end && s.Started >= end)
                {
                    wave++;
                    waveEnd = null;
                }
                var finished = s.Finished ?? DateTimeOffset.MaxValue;
                waveEnd = waveEnd is { } e && e > finished ? e : finished;
                waves[s.Id] = wave;
            }
            var last = wave + 1;
            return steps.Select(s => (s.Id, waves.TryGetValue(s.Id, out var w) ? w : last)).ToList();
        }

        sealed class Context
        {
            readonly TimeZoneInfo _zone;
            readonly IReadOnlyList<DrPlan> _plans;

            public Context(TimeZoneInfo zone, ReportRedactor redactor, IReadOnlyList<DrPlan> plans)
            {
                _zone = zone;
                Redactor = redactor;
                _plans = plans;
            }

            public ReportRedactor Redactor { get; }

            public DateTimeOffset Local(DateTimeOffset t) => TimeZoneInfo.ConvertTime(t, _zone);
            public DateTimeOffset Local(DateTime t) => Local(new DateTimeOffset(t.Kind == DateTimeKind.Local ? t.ToUniversalTime() : DateTime.SpecifyKind(t, DateTimeKind.Utc)));
            DateTimeOffset? Local(DateTimeOffset? t) => t is { } v ? Local(v) : null;
            string C(string s) => Redactor.Clean(s);

            DrPlan? PlanNamed(string name) => _plans.FirstOrDefault(p => p.Name == name);

            IEnumerable<string> PlanRegions(string plan) =>
                PlanNamed(plan) is { } p ? new[] { p.PrimaryRegion, p.DrRegion }.Where(r => !string.IsNullOrEmpty(r)).Select(r => r!) : Array.Empty<string>();

            public ReportRun FromResult(RecoveryResult r)
            {
                var steps = Steps(r.Started, r.Steps.Select(s => new StepRow(s.StepId, s.Wave, s.Kind, s.Description, s.Status, s.Started, s.Finished, s.Attempts,
                    s.Resources.Select(x => x.ToString()).ToList(), s.ResourceIds, s.Message, s.ErrorId)).ToList(), out var waves);
                return new ReportRun
                {
                    Kind = "Recovery",
                    Plan = C(r.Plan),
                    Strategy = r.Strategy ?? (PlanNamed(r.Plan) is { } p ? StrategyName(p.Strategy) : null),
                    RunId = C(r.RunId),
                    Outcome = r.Succeeded ? "Succeeded" : r.Cancelled ? "Cancelled" : "Failed",
                    Regions = r.Steps.SelectMany(s => s.Resources).Select(x => x.Region).Where(x => !string.IsNullOrEmpty(x)).Select(x => x!)
                        .Concat(PlanRegions(r.Plan)).Distinct(StringComparer.Ordinal).OrderBy(x => x, StringComparer.Ordinal).ToList(),
                    Started = Local(r.Started),
                    Finished = Local(r.Finished),
                    Duration = r.AchievedRto,
                    Attempt = r.Attempt,
                    Source = r.JournalPath != null ? C(r.JournalPath) : "Result",
                    Rto = new ReportMeasure { Achieved = r.AchievedRto, Target = r.RtoTarget, Met = r.RtoMet },
                    Rpo = new ReportMeasure { Target = PlanNamed(r.Plan) is { } plan && plan.Rpo > TimeSpan.Zero ? plan.Rpo : null },
                    Summary = r.Summary,
                    Waves = waves,
                    Steps = steps,
                };
            }

            public ReportRun FromJournal(RecoveryJournal j)
            {
                var finished = j.Finished ?? j.Updated;
                var achieved = finished - j.Started;
                var succeeded = j.State == RunState.Succeeded;
                var rows = j.Steps.Select(s => new StepRow(s.Id, s.Wave, s.Kind, s.Description, s.Status, s.Started, s.Finished, s.Attempts,
                    Array.Empty<string>(), s.ResourceIds, s.Message, s.ErrorId)).ToList();
                var steps = Steps(j.Started, rows, out var waves);
                var plan = PlanNamed(j.PlanName);
                return new ReportRun
                {
                    Kind = "Recovery",
                    Plan = C(j.PlanName),
                    Strategy = j.Strategy ?? (plan != null ? StrategyName(plan.Strategy) : null),
                    RunId = C(j.RunId),
                    Outcome = j.State.ToString(),
                    Regions = PlanRegions(j.PlanName).Distinct(StringComparer.Ordinal).OrderBy(x => x, StringComparer.Ordinal).ToList(),
                    Started = Local(j.Started),
                    Finished = j.Finished is { } f ? Local(f) : null,
                    Duration = achieved,
                    Attempt = j.Attempts,
                    Source = "Journal",
                    // A run still in its journal as Running has no achieved RTO yet: only finished runs are measured.
                    Rto = new ReportMeasure
                    {
                        Achieved = j.Finished != null ? achieved : null,
                        Target = j.RtoTarget,
                        Met = j.RtoTarget is { } t && j.Finished != null ? succeeded && achieved <= t : null,
                    },
                    Rpo = new ReportMeasure { Target = plan != null && plan.Rpo > TimeSpan.Zero ? plan.Rpo : null },
                    Summary = $"{rows.Count(s => s.Status is StepStatus.Succeeded or StepStatus.Skipped)} done, {rows.Count(s => s.Status == StepStatus.Failed)} failed, " +
                              $"{rows.Count(s => s.Status == StepStatus.NotStarted)} not started, {rows.Count(s => s.Status == StepStatus.Cancelled)} cancelled",
                    Waves = waves,
                    Steps = steps,
                };
            }

            public ReportRun FromDrill(ReportDrill d)
            {
                var rows = d.Steps.Select(s => new StepRow(s.StepId, s.Wave, s.Kind, s.Description, s.Status, s.Started, s.Finished, s.Attempts,
                    s.Resources.Select(x => x.ToString()).ToList(), s.ResourceIds, s.Message, s.ErrorId)).ToList();
                var steps = Steps(d.Started, rows, out var waves);
                var failed = rows.Count(s => s.Status == StepStatus.Failed);
                return new ReportRun
                {
                    Kind = "Drill",
                    Plan = C(d.Plan),
                    Strategy = d.Strategy ?? (PlanNamed(d.Plan) is { } p ? StrategyName(p.Strategy) : null),
                    RunId = C(d.RunId),
                    Scenario = d.Scenario != null ? C(d.Scenario) : null,
                    Outcome = d.Passed ? "Succeeded" : "Failed",
                    Regions = d.Steps.SelectMany(s => s.Resources).Select(x => x.Region).Concat(d.Leftovers.Select(l => l.Region))
                        .Where(x => !string.IsNullOrEmpty(x)).Select(x => x!).Concat(PlanRegions(d.Plan))
                        .Distinct(StringComparer.Ordinal).OrderBy(x => x, StringComparer.Ordinal).ToList(),
                    Started = Local(d.Started),
                    Finished = Local(d.Finished),
                    Duration = d.Finished - d.Started,
                    Attempt = 1,
                    Source = "Drill",
                    Rto = new ReportMeasure { Achieved = d.AchievedRto, Target = d.RtoTarget, Met = d.RtoMet },
                    Rpo = new ReportMeasure { Achieved = d.AchievedRpo, Target = d.RpoTarget, Met = d.RpoMet },
                    Summary = $"{rows.Count(s => s.Status is StepStatus.Succeeded or StepStatus.Skipped)} done, {failed} failed, " +
                              $"{rows.Count(s => s.Status == StepStatus.NotStarted)} not started, {rows.Count(s => s.Status == StepStatus.Cancelled)} cancelled",
                    Waves = waves,
                    Steps = steps,
                    Drill = new ReportDrillDetails
                    {
                        Passed = d.Passed,
                        StopReason = d.StopReason != null ? C(d.StopReason) : null,
                        CleanedUp = d.CleanedUp,
                        Rpo = d.Rpo.OrderBy(c => c.Component, StringComparer.Ordinal).Select(c => new ReportDrillComponent
                        {
                            Component = C(c.Component), Source = C(c.Source), DataTime = Local(c.DataTime), Age = c.Age,
                            Met = d.RpoTarget is { } t ? c.Age <= t : null,
                        }).ToList(),
                        Validation = d.Validation.Select(v => new ReportDrillValidation
                        {
                            Name = C(v.Name), Passed = v.Passed, Message = v.Message != null ? C(v.Message) : null,
                            Started = Local(v.Started), Finished = Local(v.Finished),
                            Duration = v.Started is { } vs && v.Finished is { } vf ? vf - vs : null,
                        }).ToList(),
                        Leftovers = d.Leftovers.Select(l => new ReportDrillLeftover { Kind = l.Kind, Id = C(l.Id), Region = l.Region, State = l.State }).ToList(),
                    },
                };
            }

            sealed record StepRow(string Id, int Wave, StepKind Kind, string Description, StepStatus Status, DateTimeOffset? Started, DateTimeOffset? Finished,
                int Attempts, IReadOnlyList<string> Resources, IReadOnlyList<string> ResourceIds, string? Message, string? ErrorId);

            List<ReportStep> Steps(DateTimeOffset runStarted, List<StepRow> rows, out List<ReportWave> waves)
            {
                var assigned = ReportBuilder.Waves(rows.Select(s => (s.Id, s.Wave, s.Started, s.Finished)).ToList(), out var inferred);
                var waveOf = assigned.ToDictionary(a => a.Id, a => a.Wave, StringComparer.Ordinal);
                // By wave, then in the order given (the plan's order within a wave).
                var ordered = rows.Select((s, i) => (s, i)).OrderBy(x => waveOf[x.s.Id]).ThenBy(x => x.i).Select(x => x.s).ToList();
                var steps = ordered.Select(s => new ReportStep
                {
                    Id = C(s.Id),
                    Wave = waveOf[s.Id],
                    Kind = s.Kind.ToString(),
                    Description = C(s.Description),
                    Status = s.Status.ToString(),
                    Marker = s.Kind == StepKind.ManualApproval ? "Approval" : s.Kind == StepKind.WaitHealthy ? "Wait" : null,
                    Started = Local(s.Started),
                    Finished = Local(s.Finished),
                    Offset = s.Started is { } st ? st - runStarted : null,
                    Duration = s.Started is { } a && s.Finished is { } f ? f - a : null,
                    Attempts = s.Attempts,
                    Resources = s.Resources.Select(C).ToList(),
                    ResourceIds = s.ResourceIds.Select(C).ToList(),
                    Message = s.Message != null ? C(s.Message) : null,
                    ErrorId = s.ErrorId,
                }).ToList();
                waves = ordered.GroupBy(s => waveOf[s.Id]).OrderBy(g => g.Key).Select(g =>
                {
                    var started = g.Where(s => s.Started != null).Select(s => s.Started!.Value).ToList();
                    var finished = g.Where(s => s.Finished != null).Select(s => s.Finished!.Value).ToList();
                    DateTimeOffset? ws = started.Count > 0 ? started.Min() : null;
                    DateTimeOffset? wf = finished.Count > 0 && finished.Count == started.Count ? finished.Max() : null;
                    return new ReportWave
                    {
                        Number = g.Key, Inferred = inferred, Started = Local(ws), Finished = Local(wf),
                        Duration = ws is { } x && wf is { } y ? y - x : null,
                        StepIds = g.Select(s => C(s.Id)).ToList(),
                    };
                }).ToList();
                return steps;
            }
        }
    }
}
