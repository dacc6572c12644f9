using System;
using System.Collections.Generic;
using System.Linq;

namespace DrTools.Core.Recovery.Engine
{
    /// <summary>One step's line in the timeline of a recovery.</summary>
    public sealed class StepResult
    {
        public string StepId { get; init; } = "";
        public StepKind Kind { get; init; }
        /// <summary>1-based wave of the step in the plan (steps of one wave may run in parallel); 0 when unknown.</summary>
        public int Wave { get; init; }
        public string Description { get; init; } = "";
        public StepStatus Status { get; init; }
        public DateTimeOffset? Started { get; init; }
        public DateTimeOffset? Finished { get; init; }
        public TimeSpan? Duration => Started is { } s && Finished is { } f ? f - s : null;
        /// <summary>The resources the step was declared to touch.</summary>
        public IReadOnlyList<StepResource> Resources { get; init; } = Array.Empty<StepResource>();
        /// <summary>Ids of what the step created or changed (instance ids, DB id, change id).</summary>
        public IReadOnlyList<string> ResourceIds { get; init; } = Array.Empty<string>();
        /// <summary>What happened: the outcome, why it was skipped, why it failed, or why it did not start.</summary>
        public string? Message { get; init; }
        /// <summary>The DrTools error id of a failure (DrTools.Timeout, DrTools.NotFound...).</summary>
        public string? ErrorId { get; init; }
        /// <summary>The failure itself, for the cmdlet to write as an error record; not kept in the journal (nor in drill history).</summary>
        [System.Text.Json.Serialization.JsonIgnore]
        public Exception? Error { get; init; }
        /// <summary>How many times the step was started across attempts of the run.</summary>
        public int Attempts { get; init; }
        public IReadOnlyDictionary<string, string> Outputs { get; init; } = new Dictionary<string, string>();

        public override string ToString() => $"{StepId} {Status}" + (Message != null ? $": {Message}" : "");
    }

    /// <summary>What a recovery run did; cmdlets emit it and the report of a later issue consumes it.</summary>
    public sealed class RecoveryResult
    {
        public string Plan { get; init; } = "";
        public string? Strategy { get; init; }
        public string RunId { get; init; } = "";
        /// <summary>When the run first started (not when this resume started): the outage clock.</summary>
        public DateTimeOffset Started { get; init; }
        public DateTimeOffset Finished { get; init; }
        /// <summary>Finished - Started, across resumes.</summary>
        public TimeSpan AchievedRto => Finished - Started;
        public TimeSpan? RtoTarget { get; init; }
        /// <summary>True when the run succeeded within the target; false when it failed or took longer; null without a target.</summary>
        public bool? RtoMet => RtoTarget is { } t ? Succeeded && AchievedRto <= t : null;
        /// <summary>Every step succeeded or was already done.</summary>
        public bool Succeeded { get; init; }
        public bool Cancelled { get; init; }
        /// <summary>This call continued an earlier run.</summary>
        public bool Resumed { get; init; }
        /// <summary>Attempt number of the run (1 + resumes).</summary>
        public int Attempt { get; init; }
        /// <summary>The journal file; pass the run id with -Resume to continue.</summary>
        public string? JournalPath { get; init; }
        /// <summary>The timeline, in execution order.</summary>
        public IReadOnlyList<StepResult> Steps { get; init; } = Array.Empty<StepResult>();

        public IEnumerable<StepResult> Done => Steps.Where(s => s.Status is StepStatus.Succeeded or StepStatus.Skipped);
        public IEnumerable<StepResult> Failed => Steps.Where(s => s.Status == StepStatus.Failed);
        public IEnumerable<StepResult> NotStarted => Steps.Where(s => s.Status == StepStatus.NotStarted);

        /// <summary>"3 done, 1 failed, 2 not started, 0 cancelled".</summary>
        public string Summary =>
            $"{Done.Count()} done, {Failed.Count()} failed, {NotStarted.Count()} not started, {Steps.Count(s => s.Status == StepStatus.Cancelled)} cancelled";

        public override string ToString() => $"{Plan} run {RunId}: " + (Succeeded ? "succeeded" : Cancelled ? "cancelled" : "failed") + $" ({Summary})";
    }

    /// <summary>Thrown when the run was cancelled (Ctrl+C); carries the result so far (the journal has it too).</summary>
    public sealed class RecoveryCancelledException : OperationCanceledException
    {
        public RecoveryCancelledException(RecoveryResult result, System.Threading.CancellationToken token)
            : base($"Recovery of plan '{result.Plan}' was cancelled ({result.Summary}). Resume it with run id '{result.RunId}'.", token)
        {
            Result = result;
        }

        public RecoveryResult Result { get; }
    }
}
