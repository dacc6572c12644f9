using System;
using System.Collections.Generic;

namespace DrTools.Core.Status
{
    /// <summary>How a status row stands: Ok, Warning (near its target, or could not be read), Failing (misses its target).</summary>
    public enum DrStatusLevel
    {
        Ok,
        Warning,
        Failing,
    }

    /// <summary>
    /// The kinds of status row (<see cref="DrStatusRow.Kind"/>) that Get-DrStatus adds to the readiness checks' names
    /// (replica lag, Route 53 health and the last drill are readiness checks: <see cref="Plans.Readiness.ReadinessChecks"/>).
    /// </summary>
    public static class DrStatusKinds
    {
        /// <summary>Newest EBS snapshot set of a server (tagged with the plan's name), against the RPO.</summary>
        public const string SnapshotSet = "SnapshotSet";
        /// <summary>Newest DrTools AMI of a server (tagged with the plan's name), against the RPO.</summary>
        public const string Image = "Image";
        /// <summary>Newest DrTools DB snapshot of the primary database, in the primary region or the DR region, against the RPO.</summary>
        public const string DbSnapshot = "DBSnapshot";
        /// <summary>Newest DrTools DB cluster snapshot of the primary Aurora cluster (database.clusterId), in the primary region or the DR region, against the RPO.</summary>
        public const string DbClusterSnapshot = "DBClusterSnapshot";
        /// <summary>The latest restorable time of the primary's automated backups replicated to the DR region, against the RPO.</summary>
        public const string AutomatedBackup = "DBAutomatedBackup";
        /// <summary>The weights of a weighted record, against the plan's normal weights.</summary>
        public const string TrafficWeights = "TrafficWeights";
    }

    /// <summary>The CloudWatch metric names -PublishMetrics writes (namespace DrTools, dimensions Plan and Component).</summary>
    public static class DrStatusMetrics
    {
        public const string Namespace = "DrTools";
        /// <summary>Seconds since the newest recovery point of a component was taken.</summary>
        public const string RecoveryPointAge = "RecoveryPointAge";
        /// <summary>Seconds since the AMI an app server launches from was created (held against maxAmiAge).</summary>
        public const string AmiAge = "AmiAge";
        /// <summary>Seconds the read replica is behind its source.</summary>
        public const string ReplicaLag = "ReplicaLag";
        /// <summary>Component "plan": seconds since the newest passing drill ended (plans with drill.maxAge, when one is recorded).</summary>
        public const string LastDrillAge = "LastDrillAge";
        /// <summary>Component "plan": 1 when a drill passed within drill.maxAge, 0 when not (not written when the history could not be read).</summary>
        public const string LastDrillPassed = "LastDrillPassed";
        /// <summary>Component "plan": 1 when the plan meets its RPO now, 0 when not (or it cannot be told).</summary>
        public const string RpoMet = "RpoMet";
        /// <summary>Component "plan": the worst row, 0 Ok, 1 Warning, 2 Failing.</summary>
        public const string StatusLevel = "StatusLevel";
        /// <summary>The Component dimension of the plan-wide metrics.</summary>
        public const string PlanComponent = "plan";
    }

    /// <summary>One line of Get-DrStatus: one measurement or check of one component of a plan.</summary>
    public sealed class DrStatusRow
    {
        public string Plan { get; init; } = "";
        /// <summary>The component as the plan names it (server, AMI selector, DB instance, group, record, health check).</summary>
        public string Component { get; init; } = "";
        /// <summary>What was measured: a readiness check's name (AmiExists, DbReplica...) or one of <see cref="DrStatusKinds"/>.</summary>
        public string Kind { get; init; } = "";
        /// <summary>Where: the region, or "global" for Route 53.</summary>
        public string Region { get; init; } = "";
        public DrStatusLevel Status { get; init; }
        /// <summary>What was found (an age, a lag, weights, a state), as an admin reads it.</summary>
        public string Value { get; init; } = "";
        /// <summary>What the plan asks for ("<= 1d", "standby 2", "primary 100, dr 0"); empty when there is no target.</summary>
        public string Target { get; init; } = "";
        /// <summary>Why the row has its status, and what to do when it is not Ok.</summary>
        public string Reason { get; init; } = "";
        /// <summary>The DrTools error id when the value could not be read (the row is then a Warning).</summary>
        public string? ErrorId { get; init; }
        /// <summary>The measured age or lag; null when the row measures no time or it is unknown.</summary>
        public TimeSpan? Measured { get; init; }
        /// <summary>The limit <see cref="Measured"/> is held against (RPO, maxAmiAge, maxReplicaLag).</summary>
        public TimeSpan? Limit { get; init; }
        /// <summary>Whether the row says something about the RPO (recovery point ages, replica lag and state).</summary>
        public bool CountsForRpo { get; init; }
        /// <summary>The CloudWatch metric (<see cref="DrStatusMetrics"/>) -PublishMetrics writes for this row; null: none.</summary>
        public string? Metric { get; init; }
        public DateTimeOffset CheckedAt { get; init; }

        public override string ToString() => $"{Status.ToString().ToUpperInvariant()} {Kind} {Component} ({Region}): {Value}" + (Target.Length > 0 ? $" / {Target}" : "") + $": {Reason}";
    }

    /// <summary>The verdict of Get-DrStatus on one plan: does it meet its RPO now, and what to do first.</summary>
    public sealed class DrStatusSummary
    {
        public string Plan { get; init; } = "";
        public string Strategy { get; init; } = "";
        public string DrRegion { get; init; } = "";
        /// <summary>The worst row.</summary>
        public DrStatusLevel Status { get; init; }
        /// <summary>True when every recovery point and replica of the plan is within the RPO; false when one is not or could not be measured; null when the plan has none.</summary>
        public bool? MeetsRpo { get; init; }
        /// <summary>False when a readiness check fails (the recovery cannot run as planned); null otherwise (the achieved RTO is known only from a drill).</summary>
        public bool? MeetsRto { get; init; }
        public TimeSpan Rpo { get; init; }
        public TimeSpan Rto { get; init; }
        public int Ok { get; init; }
        public int Warning { get; init; }
        public int Failing { get; init; }
        /// <summary>The first thing to do: the worst row (RPO rows first) and what fixes it; "Nothing to do" when all are Ok.</summary>
        public string NextStep { get; init; } = "";
        public DateTimeOffset CheckedAt { get; init; }
        /// <summary>How long the status took to gather.</summary>
        public TimeSpan Duration { get; init; }

        public override string ToString() => $"Plan {Plan}: {Status.ToString().ToUpperInvariant()} ({Ok} ok, {Warning} warning, {Failing} failing); next: {NextStep}";
    }

    /// <summary>Every row of one plan and its summary.</summary>
    public sealed class DrStatusReport
    {
        public DrStatusReport(IReadOnlyList<DrStatusRow> rows, DrStatusSummary summary)
        {
            Rows = rows;
            Summary = summary;
        }

        public IReadOnlyList<DrStatusRow> Rows { get; }
        public DrStatusSummary Summary { get; }
    }
}
