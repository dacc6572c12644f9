using System;
using System.Collections.Generic;
using DrTools.Core.Backup;
using DrTools.Core.Plans.Readiness;
using DrTools.Core.Recovery.Engine;
using DrTools.Core.RecoveryPoints;

namespace DrTools.Core.Reports
{
    /// <summary>
    /// A drill as the report sees it. The drill engine (Invoke-DrDrill) has its own result type; an adapter maps it onto
    /// this record (<see cref="ReportInputs.Add(object)"/> is the one place), so the report does not depend on its shape.
    /// </summary>
    public sealed class ReportDrill
    {
        public string Plan { get; init; } = "";
        public string RunId { get; init; } = "";
        /// <summary>What the drill rehearsed (e.g. "failover", "restore-db").</summary>
        public string? Scenario { get; init; }
        public string? Strategy { get; init; }
        public bool Passed { get; init; }
        public DateTimeOffset Started { get; init; }
        public DateTimeOffset Finished { get; init; }
        public TimeSpan AchievedRto { get; init; }
        public TimeSpan? RtoTarget { get; init; }
        public bool? RtoMet { get; init; }
        /// <summary>The oldest component's data age at the drill (the drill's achieved RPO).</summary>
        public TimeSpan? AchievedRpo { get; init; }
        public TimeSpan? RpoTarget { get; init; }
        public bool? RpoMet { get; init; }
        public IReadOnlyList<ReportDrillRpo> Rpo { get; init; } = Array.Empty<ReportDrillRpo>();
        public IReadOnlyList<StepResult> Steps { get; init; } = Array.Empty<StepResult>();
        public IReadOnlyList<ReportValidation> Validation { get; init; } = Array.Empty<ReportValidation>();
        /// <summary>Why the drill stopped early (a failed step, a validation, Ctrl+C); null when it ran through.</summary>
        public string? StopReason { get; init; }
        /// <summary>Everything the drill created was removed.</summary>
        public bool CleanedUp { get; init; }
        /// <summary>What the cleanup could not remove (the admin must remove it).</summary>
        public IReadOnlyList<ReportLeftover> Leftovers { get; init; } = Array.Empty<ReportLeftover>();
    }

    /// <summary>One component's data age in a drill: the recovery point it restored and how old its data was.</summary>
    public sealed record ReportDrillRpo(string Component, string Source, DateTimeOffset DataTime, TimeSpan Age);

    /// <summary>One validation of a drill (an HTTP probe, a DNS answer, a script).</summary>
    public sealed record ReportValidation(string Name, bool Passed, string? Message, DateTimeOffset? Started, DateTimeOffset? Finished);

    /// <summary>A resource a drill left behind.</summary>
    public sealed record ReportLeftover(string Kind, string Id, string? Region, string? State);

    /// <summary>What a report is made of: any mix of runs, drills, readiness checks, backups and restore tests.</summary>
    public sealed class ReportInputs
    {
        public List<RecoveryResult> Recoveries { get; } = new();
        /// <summary>Runs read back from the journal (-Plan -Last, -RunId): the same timeline without resources.</summary>
        public List<RecoveryJournal> Journals { get; } = new();
        public List<ReportDrill> Drills { get; } = new();
        public List<ReadinessCheck> Readiness { get; } = new();
        public List<BackupSet> BackupSets { get; } = new();
        public List<RecoveryPoint> RecoveryPoints { get; } = new();
        public List<RestoreTestResult> RestoreTests { get; } = new();
        /// <summary>Plans named by -Plan: their regions, strategy and targets fill in what journals do not record.</summary>
        public List<Plans.DrPlan> Plans { get; } = new();

        public bool IsEmpty => Recoveries.Count == 0 && Journals.Count == 0 && Drills.Count == 0 && Readiness.Count == 0
                               && BackupSets.Count == 0 && RecoveryPoints.Count == 0 && RestoreTests.Count == 0;

        /// <summary>
        /// Adds one pipeline object; false when it is not something a report shows. A RecoveryCancelledException carries
        /// its run. Drill results of the drill engine are mapped to <see cref="ReportDrill"/> here.
        /// </summary>
        public bool Add(object item)
        {
            switch (item)
            {
                case RecoveryResult r: Recoveries.Add(r); return true;
                case RecoveryCancelledException c: Recoveries.Add(c.Result); return true;
                case RecoveryJournal j: Journals.Add(j); return true;
                case ReportDrill d: Drills.Add(d); return true;
                case ReadinessCheck c: Readiness.Add(c); return true;
                case BackupSet s: BackupSets.Add(s); return true;
                case RecoveryPoint p: RecoveryPoints.Add(p); return true;
                case RestoreTestResult t: RestoreTests.Add(t); return true;
                case Plans.DrPlan p: Plans.Add(p); return true;
                case DrTools.Core.Drills.DrillResult d: Drills.Add(ReportDrillAdapter.From(d)); return true;
                default: return false;
            }
        }

        /// <summary>Whether any input came from AWS (the caller identity is then worth asking for).</summary>
        public bool HasAwsInput => Recoveries.Count > 0 || Journals.Count > 0 || Drills.Count > 0 || Readiness.Count > 0 || RecoveryPoints.Count > 0;

        /// <summary>The types a report takes, for the error message of anything else.</summary>
        public const string AcceptedTypes = "RecoveryResult (Invoke-DrFailover, Invoke-DrFailback, Start-DrPilotLight, Start-DrWarmStandby), " +
                                            "drill results (Invoke-DrDrill), ReadinessCheck (Test-DrPlan -Live), BackupSet and RecoveryPoint (Get-DrBackup), " +
                                            "RestoreTestResult (Test-DrRestore)";
    }
}
