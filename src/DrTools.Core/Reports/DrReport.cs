using System;
using System.Collections.Generic;
using System.Text.Json.Serialization;

namespace DrTools.Core.Reports
{
    /// <summary>
    /// The report model: everything the HTML, Markdown and JSON renderers show, already computed (durations, waves,
    /// RTO/RPO met or missed, trends, ages) and already redacted. Times are in the report's time zone. The JSON
    /// rendering of this class is the documented evidence format (docs/report-schema.md): keep changes additive and
    /// bump <see cref="CurrentSchemaVersion"/> on a breaking one.
    /// </summary>
    public sealed class DrReport
    {
        public const int CurrentSchemaVersion = 1;

        public int SchemaVersion { get; init; } = CurrentSchemaVersion;
        public string Title { get; init; } = "";
        /// <summary>Succeeded when every run succeeded within its targets, every check is ready and every RPO is met; else Failed.</summary>
        public string Result { get; init; } = "";
        /// <summary>Why the result is Failed, one line each.</summary>
        public IReadOnlyList<string> Problems { get; init; } = Array.Empty<string>();
        public DateTimeOffset Generated { get; init; }
        /// <summary>The time zone every time is shown in, e.g. "UTC+02:00 (Europe/Berlin)".</summary>
        public string TimeZone { get; init; } = "";
        public string ToolVersion { get; init; } = "";
        public ReportRunner RanBy { get; init; } = new();
        public bool Redacted { get; init; }
        public IReadOnlyList<string> Plans { get; init; } = Array.Empty<string>();
        public IReadOnlyList<string> Strategies { get; init; } = Array.Empty<string>();
        public IReadOnlyList<string> Regions { get; init; } = Array.Empty<string>();
        /// <summary>Recovery runs and drills, oldest first.</summary>
        public IReadOnlyList<ReportRun> Runs { get; init; } = Array.Empty<ReportRun>();
        /// <summary>Per plan with more than one run: achieved RTO/RPO per run against the target.</summary>
        public IReadOnlyList<ReportTrend> Trends { get; init; } = Array.Empty<ReportTrend>();
        public IReadOnlyList<ReportReadinessCheck> Readiness { get; init; } = Array.Empty<ReportReadinessCheck>();
        /// <summary>Per backed-up source: the newest backup's age against the RPO, and the last verified restore.</summary>
        public IReadOnlyList<ReportBackupSource> Backups { get; init; } = Array.Empty<ReportBackupSource>();
        public IReadOnlyList<ReportRestoreTest> RestoreTests { get; init; } = Array.Empty<ReportRestoreTest>();
        /// <summary>What the report could not include or check (e.g. why the caller identity is missing).</summary>
        public IReadOnlyList<string> Notes { get; init; } = Array.Empty<string>();
    }

    /// <summary>Who made the report: the AWS caller identity (when it could be asked) and the operating-system user.</summary>
    public sealed class ReportRunner
    {
        public string OsUser { get; init; } = "";
        public string? Machine { get; init; }
        public string? Account { get; init; }
        public string? Arn { get; init; }
        public string? UserId { get; init; }
    }

    /// <summary>A figure against its target: achieved, target, met (null without a target or a figure).</summary>
    public sealed class ReportMeasure
    {
        [JsonPropertyName("achievedSeconds")] public TimeSpan? Achieved { get; init; }
        [JsonPropertyName("targetSeconds")] public TimeSpan? Target { get; init; }
        public bool? Met { get; init; }
        /// <summary>Achieved / target (1 = exactly on target); null without both.</summary>
        public double? Ratio => Achieved is { } a && Target is { } t && t > TimeSpan.Zero ? Math.Round(a.TotalSeconds / t.TotalSeconds, 4) : null;
    }

    /// <summary>One recovery run or drill with its timeline.</summary>
    public sealed class ReportRun
    {
        /// <summary>Recovery or Drill.</summary>
        public string Kind { get; init; } = "";
        public string Plan { get; init; } = "";
        public string? Strategy { get; init; }
        public string RunId { get; init; } = "";
        public string? Scenario { get; init; }
        /// <summary>Succeeded, Failed, Cancelled, or Running (a journal of a run that has not finished).</summary>
        public string Outcome { get; init; } = "";
        public IReadOnlyList<string> Regions { get; init; } = Array.Empty<string>();
        public DateTimeOffset Started { get; init; }
        public DateTimeOffset? Finished { get; init; }
        [JsonPropertyName("durationSeconds")] public TimeSpan Duration { get; init; }
        public int Attempt { get; init; }
        /// <summary>Where the run came from: Result (pipeline) or the journal path.</summary>
        public string Source { get; init; } = "";
        public ReportMeasure Rto { get; init; } = new();
        public ReportMeasure Rpo { get; init; } = new();
        /// <summary>"3 done, 1 failed, 2 not started, 0 cancelled".</summary>
        public string Summary { get; init; } = "";
        public IReadOnlyList<ReportWave> Waves { get; init; } = Array.Empty<ReportWave>();
        /// <summary>Every step, by wave, in plan order within a wave.</summary>
        public IReadOnlyList<ReportStep> Steps { get; init; } = Array.Empty<ReportStep>();
        /// <summary>Drills only.</summary>
        public ReportDrillDetails? Drill { get; init; }
    }

    /// <summary>One wave of a run: steps that may run in parallel, and when the wave ran.</summary>
    public sealed class ReportWave
    {
        public int Number { get; init; }
        /// <summary>True when the journal did not record waves and they were inferred from the step times.</summary>
        public bool Inferred { get; init; }
        public DateTimeOffset? Started { get; init; }
        public DateTimeOffset? Finished { get; init; }
        [JsonPropertyName("durationSeconds")] public TimeSpan? Duration { get; init; }
        public IReadOnlyList<string> StepIds { get; init; } = Array.Empty<string>();
    }

    /// <summary>One bar of the timeline.</summary>
    public sealed class ReportStep
    {
        public string Id { get; init; } = "";
        public int Wave { get; init; }
        public string Kind { get; init; } = "";
        public string Description { get; init; } = "";
        /// <summary>NotStarted, Running, Succeeded, Skipped, Failed, Cancelled.</summary>
        public string Status { get; init; } = "";
        /// <summary>Approval: the run waited for a person. Wait: the step waits for health or state, it changes nothing.</summary>
        public string? Marker { get; init; }
        public DateTimeOffset? Started { get; init; }
        public DateTimeOffset? Finished { get; init; }
        /// <summary>From the run's start to the step's start.</summary>
        [JsonPropertyName("offsetSeconds")] public TimeSpan? Offset { get; init; }
        [JsonPropertyName("durationSeconds")] public TimeSpan? Duration { get; init; }
        public int Attempts { get; init; }
        /// <summary>"launch: AWS::EC2::Instance 2 x web (us-west-2)": what the step was declared to touch.</summary>
        public IReadOnlyList<string> Resources { get; init; } = Array.Empty<string>();
        /// <summary>Ids of what it created or changed.</summary>
        public IReadOnlyList<string> ResourceIds { get; init; } = Array.Empty<string>();
        public string? Message { get; init; }
        public string? ErrorId { get; init; }
    }

    public sealed class ReportDrillDetails
    {
        public bool Passed { get; init; }
        public string? StopReason { get; init; }
        public bool CleanedUp { get; init; }
        public IReadOnlyList<ReportDrillComponent> Rpo { get; init; } = Array.Empty<ReportDrillComponent>();
        public IReadOnlyList<ReportDrillValidation> Validation { get; init; } = Array.Empty<ReportDrillValidation>();
        public IReadOnlyList<ReportDrillLeftover> Leftovers { get; init; } = Array.Empty<ReportDrillLeftover>();
    }

    public sealed class ReportDrillComponent
    {
        public string Component { get; init; } = "";
        public string Source { get; init; } = "";
        public DateTimeOffset DataTime { get; init; }
        [JsonPropertyName("ageSeconds")] public TimeSpan Age { get; init; }
        public bool? Met { get; init; }
    }

    public sealed class ReportDrillValidation
    {
        public string Name { get; init; } = "";
        public bool Passed { get; init; }
        public string? Message { get; init; }
        public DateTimeOffset? Started { get; init; }
        public DateTimeOffset? Finished { get; init; }
        [JsonPropertyName("durationSeconds")] public TimeSpan? Duration { get; init; }
    }

    public sealed class ReportDrillLeftover
    {
        public string Kind { get; init; } = "";
        public string Id { get; init; } = "";
        public string? Region { get; init; }
        public string? State { get; init; }
    }

    /// <summary>Achieved RTO/RPO of a plan's runs, oldest first, against the target.</summary>
    public sealed class ReportTrend
    {
        public string Plan { get; init; } = "";
        public IReadOnlyList<ReportTrendPoint> Points { get; init; } = Array.Empty<ReportTrendPoint>();
        public int RtoMetCount { get; init; }
        public int RtoMissedCount { get; init; }
        [JsonPropertyName("worstRtoSeconds")] public TimeSpan? WorstRto { get; init; }
        [JsonPropertyName("bestRtoSeconds")] public TimeSpan? BestRto { get; init; }
        /// <summary>Newest RTO minus the previous one: negative is faster.</summary>
        [JsonPropertyName("lastChangeSeconds")] public TimeSpan? LastChange { get; init; }
    }

    public sealed class ReportTrendPoint
    {
        public string RunId { get; init; } = "";
        public string Kind { get; init; } = "";
        public DateTimeOffset Started { get; init; }
        public string Outcome { get; init; } = "";
        public ReportMeasure Rto { get; init; } = new();
        public ReportMeasure Rpo { get; init; } = new();
    }

    public sealed class ReportReadinessCheck
    {
        public string Plan { get; init; } = "";
        public string Check { get; init; } = "";
        public string Resource { get; init; } = "";
        public string Region { get; init; } = "";
        public bool Ready { get; init; }
        public string Reason { get; init; } = "";
        public string? Observed { get; init; }
        public string? ErrorId { get; init; }
        public DateTimeOffset CheckedAt { get; init; }
    }

    /// <summary>One backed-up source (a server volume, image, database, or a host's file paths in a repository).</summary>
    public sealed class ReportBackupSource
    {
        /// <summary>Snapshot, Image, DBSnapshot, DBAutomatedBackup, DBClusterSnapshot or Files.</summary>
        public string Kind { get; init; } = "";
        /// <summary>Instance, volume or database id; for files, host: paths.</summary>
        public string Source { get; init; } = "";
        /// <summary>Region, or the repository of file backups.</summary>
        public string Location { get; init; } = "";
        public int Count { get; init; }
        public string? NewestId { get; init; }
        public DateTimeOffset? NewestTime { get; init; }
        /// <summary>Report time minus the newest usable backup's data time: the data at risk now.</summary>
        [JsonPropertyName("ageSeconds")] public TimeSpan? Age { get; init; }
        [JsonPropertyName("rpoTargetSeconds")] public TimeSpan? RpoTarget { get; init; }
        public bool? RpoMet { get; init; }
        /// <summary>Bytes of the newest file backup set, or GiB * 2^30 of a snapshot/database.</summary>
        public long? SizeBytes { get; init; }
        public ReportVerifiedRestore? LastVerifiedRestore { get; init; }
    }

    public sealed class ReportVerifiedRestore
    {
        public string BackupId { get; init; } = "";
        public DateTimeOffset BackupTime { get; init; }
        public string Mode { get; init; } = "";
        public bool Passed { get; init; }
        [JsonPropertyName("durationSeconds")] public TimeSpan Duration { get; init; }
    }

    public sealed class ReportRestoreTest
    {
        public string BackupId { get; init; } = "";
        public string? Kind { get; init; }
        public string Repository { get; init; } = "";
        public DateTimeOffset BackupTime { get; init; }
        public string Mode { get; init; } = "";
        public bool Passed { get; init; }
        public long FilesChecked { get; init; }
        public long BytesChecked { get; init; }
        [JsonPropertyName("durationSeconds")] public TimeSpan Duration { get; init; }
        public ReportMeasure Rto { get; init; } = new();
        public IReadOnlyList<string> Failures { get; init; } = Array.Empty<string>();
    }
}
