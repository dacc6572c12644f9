using System;
using System.Collections.Generic;

namespace DrTools.Core.Recovery.Engine
{
    /// <summary>Where a step stands.</summary>
    public enum StepStatus
    {
        /// <summary>Never started (or stopped before it could start: a dependency failed, the run was cancelled).</summary>
        NotStarted,
        /// <summary>In progress. Found in a journal, it means the process died during the step.</summary>
        Running,
        Succeeded,
        /// <summary>Not executed: the work was already done (the step's own check, or an earlier attempt of this run).</summary>
        Skipped,
        Failed,
        Cancelled,
    }

    /// <summary>The state of a whole run.</summary>
    public enum RunState
    {
        Running,
        Succeeded,
        Failed,
        Cancelled,
    }

    /// <summary>
    /// The journal file of one recovery run (JSON, written atomically after every change), so a re-run resumes where
    /// this one stopped. This is the file format: keep changes backward compatible and bump <see cref="FormatVersion"/>.
    /// </summary>
    public sealed class RecoveryJournal
    {
        public const int CurrentFormatVersion = 1;

        public int FormatVersion { get; set; } = CurrentFormatVersion;
        public string PlanName { get; set; } = "";
        public string RunId { get; set; } = "";
        public string? Strategy { get; set; }
        public TimeSpan? RtoTarget { get; set; }
        /// <summary>When the run first started; the RTO clock keeps running from here across resumes.</summary>
        public DateTimeOffset Started { get; set; }
        public DateTimeOffset Updated { get; set; }
        public DateTimeOffset? Finished { get; set; }
        public RunState State { get; set; }
        /// <summary>How many times the run was started (1 + resumes).</summary>
        public int Attempts { get; set; } = 1;
        public List<JournalStep> Steps { get; set; } = new();

        /// <summary>True while the run has work left (running, failed or cancelled): it can be resumed.</summary>
        public bool IsUnfinished => State != RunState.Succeeded;
    }

    /// <summary>One step's record in the journal.</summary>
    public sealed class JournalStep
    {
        public string Id { get; set; } = "";
        public StepKind Kind { get; set; }
        /// <summary>1-based wave in the plan (for reports); 0 in journals written before it was recorded.</summary>
        public int Wave { get; set; }
        public string Description { get; set; } = "";
        public StepStatus Status { get; set; }
        public DateTimeOffset? Started { get; set; }
        public DateTimeOffset? Finished { get; set; }
        /// <summary>How many times the step was started across attempts of the run.</summary>
        public int Attempts { get; set; }
        public string? Message { get; set; }
        public string? ErrorId { get; set; }
        public List<string> ResourceIds { get; set; } = new();
        public Dictionary<string, string> Outputs { get; set; } = new();
    }
}
