using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Serialization;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Recovery.Engine;

namespace DrTools.Core.Drills
{
    /// <summary>What a drill rehearses; each is one more way to pick recovery points, not another engine.</summary>
    public enum DrillScenario
    {
        /// <summary>Recover in the DR region as if the primary region were gone (the primary is never touched).</summary>
        RegionLoss,
        /// <summary>A user error: the database is restored to a moment before it (<see cref="DrillOptions.PointInTime"/>).</summary>
        PointInTime,
        /// <summary>Recover only from recovery points taken before <see cref="DrillOptions.Before"/>.</summary>
        Ransomware,
    }

    /// <summary>The tags every resource a drill creates carries.</summary>
    public static class DrillTags
    {
        /// <summary>The drill's run id: cleanup and Remove-DrDrill find everything by it.</summary>
        public const string Drill = "DrTools:Drill";
        /// <summary>Run name of drills: journals, and the DrTools:Plan tag of what drills create, so recoveries never reuse it.</summary>
        public static string RunName(string planName) => planName + ".drill";
    }

    /// <summary>How one drill runs; null members fall back to the plan's options.</summary>
    public sealed class DrillOptions
    {
        public DrillScenario Scenario { get; init; } = DrillScenario.RegionLoss;
        /// <summary>PointInTime: the moment the drill database is restored to.</summary>
        public DateTimeOffset? PointInTime { get; init; }
        /// <summary>Ransomware: only recovery points taken before this moment are used.</summary>
        public DateTimeOffset? Before { get; init; }
        /// <summary>Leave everything the drill created running (the result lists it); Remove-DrDrill deletes it later.</summary>
        public bool Keep { get; init; }
        public bool Resume { get; init; }
        /// <summary>With Resume: the drill to continue; else the id of the new drill (default: time plus random suffix).</summary>
        public string? RunId { get; init; }
        public int? MaxParallelism { get; init; }
        public TimeSpan? StepTimeout { get; init; }
        public bool? ContinueOnError { get; init; }
        /// <summary>Asks the operator at the plan's manual approval steps; null: they fail with DrTools.ApprovalUnavailable.</summary>
        public Func<string, CancellationToken, Task<bool>>? Approve { get; init; }
        /// <summary>Polled while the steps run; the first reason stops the drill (then it cleans up).</summary>
        public IReadOnlyList<IDrillStopCondition> StopConditions { get; init; } = Array.Empty<IDrillStopCondition>();
        public TimeSpan StopCheckInterval { get; init; } = TimeSpan.FromSeconds(30);
        /// <summary>
        /// Watches the stop conditions: completes with the first reason, runs until cancelled otherwise. Null:
        /// <see cref="DrillStopWatcher"/> every <see cref="StopCheckInterval"/> (a failed check is a warning; three in a row stop the drill).
        /// </summary>
        public Func<IReadOnlyList<IDrillStopCondition>, TimeSpan, CancellationToken, Task<string>>? StopWatcher { get; init; }
        /// <summary>Checks of the drill environment after every step succeeded (probes, the -Validation scriptblock).</summary>
        public IReadOnlyList<Func<DrillEnvironment, CancellationToken, Task<IReadOnlyList<DrillValidationResult>>>> Validations { get; init; } =
            Array.Empty<Func<DrillEnvironment, CancellationToken, Task<IReadOnlyList<DrillValidationResult>>>>();
        /// <summary>How long cleanup (delete and verify) may take; it has its own token because it also runs after Ctrl+C.</summary>
        public TimeSpan CleanupTimeout { get; init; } = TimeSpan.FromMinutes(30);
        /// <summary>The clock of the RPO arithmetic (tests fix it).</summary>
        public Func<DateTimeOffset> UtcNow { get; init; } = () => DateTimeOffset.UtcNow;
    }

    /// <summary>One drill instance, for validation.</summary>
    public sealed record DrillInstance(string Role, string InstanceId, string? PrivateIpAddress, string? PublicIpAddress);

    /// <summary>What a validation can reach: the drill's instances, database, groups and DNS name.</summary>
    public sealed class DrillEnvironment
    {
        public string Plan { get; init; } = "";
        public string RunId { get; init; } = "";
        public string Region { get; init; } = "";
        /// <summary>App server role -> its drill instances (sorted by id).</summary>
        public IReadOnlyDictionary<string, IReadOnlyList<DrillInstance>> Instances { get; init; } = new Dictionary<string, IReadOnlyList<DrillInstance>>();
        public string? DatabaseInstanceId { get; init; }
        public string? DatabaseEndpoint { get; init; }
        public int? DatabasePort { get; init; }
        /// <summary>The drill Auto Scaling groups (copies of the plan's groups).</summary>
        public IReadOnlyList<string> Groups { get; init; } = Array.Empty<string>();
        /// <summary>The drill DNS record (without the trailing dot); null without drill.dns.</summary>
        public string? DnsName { get; init; }
        /// <summary>Probe placeholders: {web}, {web.publicIp}, {database}, {database.port}, {dns}.</summary>
        public IReadOnlyDictionary<string, string> Placeholders { get; init; } = new Dictionary<string, string>();
    }

    /// <summary>The age of the data one component of the drill recovered.</summary>
    /// <param name="Component">"database", "ami:web".</param>
    /// <param name="Source">Where the data came from: "snapshot x of replica y (lag 3 s)", "point in time ...", "AMI ami-1".</param>
    /// <param name="DataTime">The moment the data is from; null when unknown.</param>
    /// <param name="Age">How much older than the drill's start the data is (the RPO this component achieved); null when unknown.</param>
    public sealed record DrillRpoComponent(string Component, string Source, DateTimeOffset? DataTime, TimeSpan? Age);

    /// <summary>A resource a drill created that still exists (after cleanup, or found by Remove-DrDrill).</summary>
    /// <param name="Kind">Instance, DBInstance, DBSnapshot, AutoScalingGroup, DnsRecord.</param>
    public sealed record DrillLeftover(string Kind, string Id, string? Region, string? State, string? RunId)
    {
        public override string ToString() => $"{Kind} {Id}" + (Region != null ? $" ({Region})" : "") + (State != null ? $" {State}" : "");
    }

    /// <summary>A plan resource the drill deliberately leaves alone, and why (shown by -WhatIf).</summary>
    public sealed record DrillSkip(string Type, string Id, string Reason)
    {
        public override string ToString() => $"skipped: {Type} {Id}: {Reason}";
    }

    /// <summary>-WhatIf of a drill: the steps (waves, resources), what it leaves alone, and the cleanup that follows.</summary>
    public sealed class DrillPlan
    {
        public string Plan { get; init; } = "";
        public string RunId { get; init; } = "";
        public DrillScenario Scenario { get; init; }
        public RecoveryPlan Steps { get; init; } = null!;
        public IReadOnlyList<DrillSkip> Skipped { get; init; } = Array.Empty<DrillSkip>();
        /// <summary>One line per kind of resource cleanup deletes.</summary>
        public IReadOnlyList<string> Cleanup { get; init; } = Array.Empty<string>();
        public bool Keep { get; init; }
    }

    /// <summary>What a drill did and measured; also its history record (JSON).</summary>
    public sealed class DrillResult
    {
        public string Plan { get; init; } = "";
        public string RunId { get; init; } = "";
        public DrillScenario Scenario { get; init; }
        /// <summary>Every step succeeded, every validation passed, and no stop condition ended it.</summary>
        public bool Passed { get; init; }
        /// <summary>When the drill was declared started (the first attempt of its run).</summary>
        public DateTimeOffset Started { get; init; }
        public DateTimeOffset Finished { get; init; }
        /// <summary>Start to validation passed; null when the drill did not pass.</summary>
        public TimeSpan? AchievedRto { get; init; }
        public TimeSpan? RtoTarget { get; init; }
        public bool? RtoMet => AchievedRto is { } a && RtoTarget is { } t ? a <= t : Passed || RtoTarget == null ? null : false;
        /// <summary>The worst age of the recovered data (AMIs excluded: they are code, reported apart).</summary>
        public TimeSpan? AchievedRpo { get; init; }
        public IReadOnlyList<DrillRpoComponent> Rpo { get; init; } = Array.Empty<DrillRpoComponent>();
        public TimeSpan? RpoTarget { get; init; }
        public bool? RpoMet => AchievedRpo is { } a && RpoTarget is { } t ? a <= t : null;
        /// <summary>The timeline of the recovery steps.</summary>
        public IReadOnlyList<StepResult> Steps { get; init; } = Array.Empty<StepResult>();
        public IReadOnlyList<DrillValidationResult> Validation { get; init; } = Array.Empty<DrillValidationResult>();
        /// <summary>Why the drill stopped early (a stop condition, Ctrl+C); null when it ran to the end.</summary>
        public string? StopReason { get; init; }
        /// <summary>Everything tagged with the run id was deleted and verified gone.</summary>
        public bool CleanedUp { get; init; }
        /// <summary>-Keep: nothing was deleted.</summary>
        public bool Kept { get; init; }
        /// <summary>What still exists after cleanup (or everything, with -Keep); emptied when Remove-DrDrill deletes it.</summary>
        public IReadOnlyList<DrillLeftover> Leftovers { get; set; } = Array.Empty<DrillLeftover>();
        /// <summary>A kept drill: when Remove-DrDrill deleted what it left (it can no longer be resumed); null otherwise.</summary>
        public DateTimeOffset? RemovedAt { get; set; }
        /// <summary>The recovery run itself (not kept in the history).</summary>
        [JsonIgnore]
        public RecoveryResult? Recovery { get; init; }

        public override string ToString() => $"{Plan} drill {RunId}: " + (Passed ? "passed" : "failed") + (StopReason != null ? $" ({StopReason})" : "");
    }

    /// <summary>Thrown after cleanup when the caller cancelled a drill (Ctrl+C); carries the result.</summary>
    public sealed class DrillCancelledException : OperationCanceledException
    {
        public DrillCancelledException(DrillResult result, CancellationToken token)
            : base($"Drill {result.RunId} of plan '{result.Plan}' was cancelled; " +
                   (result.CleanedUp ? "everything it created was deleted." : $"{result.Leftovers.Count} resource(s) remain: remove them with Remove-DrDrill -RunId {result.RunId}."), token)
        {
            Result = result;
        }

        public DrillResult Result { get; }
    }
}

namespace DrTools.Core.Drills
{
    /// <summary>Readable lines of a drill's -WhatIf: the steps by wave, what is left alone and why, the cleanup.</summary>
    public static class DrillPlanFormatter
    {
        public static IEnumerable<string> Format(DrillPlan plan)
        {
            yield return $"Drill of plan '{plan.Plan}', scenario {plan.Scenario}, run id {plan.RunId} (names and tags below use it; " +
                         "a real run without -RunId gets a new one). Production and the standby are not changed.";
            foreach (var line in RecoveryPlanFormatter.Format(plan.Steps)) yield return line;
            if (plan.Skipped.Count > 0)
            {
                yield return "Left alone:";
                foreach (var s in plan.Skipped) yield return $"  {s.Type} {s.Id}: {s.Reason}";
            }
            yield return plan.Keep ? "Cleanup (-Keep):" : "Cleanup (always, unless -Keep):";
            foreach (var line in plan.Cleanup) yield return "  " + line;
        }
    }
}
