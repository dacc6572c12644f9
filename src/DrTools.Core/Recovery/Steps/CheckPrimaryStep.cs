using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Aws.Rds;
using DrTools.Core.Aws.Route53;
using DrTools.Core.Diagnostics;
using DrTools.Core.Recovery.Engine;

namespace DrTools.Core.Recovery.Steps
{
    /// <summary>
    /// Failback's gate: traffic only goes back when the primary site is ready to take it. Every health check of the
    /// primary site must report Healthy and the primary database (when the plan names one) must exist, be available
    /// and be writable (not a read replica). Otherwise DrTools.PrimaryNotReady, and nothing after it starts.
    /// Read-only; -SkipPrimaryCheck leaves this step out.
    /// With <see cref="ExpectReplica"/> (the failback of a failed-over database) the primary database must instead be
    /// the re-protected replica: exist, be available, be a read replica of the DR writer, and have a lag within the
    /// limit (DrTools.DataLossRisk otherwise, unless data loss is allowed); a missing replica is DrTools.NotProtected.
    /// </summary>
    public sealed class CheckPrimaryStep : RecoveryStepBase
    {
        readonly IRoute53Service? _route53;
        readonly IRdsService? _primaryRds;

        public CheckPrimaryStep(string id, IRoute53Service? route53, IEnumerable<string> healthCheckIds, IRdsService? primaryRds, string? primaryDbInstanceId) : base(id)
        {
            _route53 = route53;
            _primaryRds = primaryRds;
            HealthCheckIds = healthCheckIds.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            PrimaryDbInstanceId = primaryRds != null ? primaryDbInstanceId : null;
        }

        public IReadOnlyList<string> HealthCheckIds { get; }
        public string? PrimaryDbInstanceId { get; }
        /// <summary>Failback of a failed-over database: what the primary database must be (a caught-up replica of the DR writer).</summary>
        public ReplicaExpectation? ExpectReplica { get; init; }

        public override StepKind Kind => StepKind.Custom;
        public override string Description => ExpectReplica is { } r && PrimaryDbInstanceId != null
            ? $"Check that the primary site is healthy and {PrimaryDbInstanceId} in {_primaryRds!.Region} is a read replica of {r.WriterInstanceId} ({r.WriterRegion}) " +
              (r.AllowDataLoss ? "(data loss allowed: any lag)" : $"with a known lag of at most {PromoteDatabaseStep.Text(r.MaxLag)}")
            : "Check that the primary site is healthy and its database writable before failing back";
        public override IReadOnlyList<StepResource> Resources =>
            HealthCheckIds.Select(h => new StepResource("AWS::Route53::HealthCheck", h, null, "read"))
                .Concat(PrimaryDbInstanceId != null ? new[] { new StepResource("AWS::RDS::DBInstance", PrimaryDbInstanceId, _primaryRds!.Region, ExpectReplica != null ? "read (replica, lag)" : "read") } : Array.Empty<StepResource>())
                .ToList();

        /// <summary>Always checks again: the primary's health is a fact of now, not of an earlier attempt.</summary>
        public override Task<StepOutcome?> CheckDoneAsync(StepContext context, CancellationToken cancellationToken) => Task.FromResult<StepOutcome?>(null);

        public override async Task<StepOutcome> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
        {
            var problems = new List<string>();
            var good = new List<string>();
            foreach (var id in HealthCheckIds)
            {
                var status = await _route53!.GetHealthCheckStatusAsync(id, cancellationToken).ConfigureAwait(false);
                if (status.State == HealthState.Healthy) good.Add($"health check {id} healthy");
                else problems.Add($"health check {id} is {status.State} ({status.HealthyCheckers}/{status.TotalCheckers} checkers see it healthy)");
            }
            if (PrimaryDbInstanceId != null && ExpectReplica != null)
                await CheckReplicaAsync(ExpectReplica, context, problems, good, cancellationToken).ConfigureAwait(false);
            else if (PrimaryDbInstanceId != null)
            {
                var db = await _primaryRds!.FindDBInstanceAsync(PrimaryDbInstanceId, cancellationToken).ConfigureAwait(false);
                if (db == null) problems.Add($"the primary database {PrimaryDbInstanceId} does not exist in {_primaryRds.Region}");
                else if (db.Status != "available") problems.Add($"the primary database {PrimaryDbInstanceId} is {db.Status}, not available");
                else if (db.IsReadReplica) problems.Add($"the primary database {PrimaryDbInstanceId} is still a read replica of {db.ReadReplicaSource} (promote it once it has caught up)");
                else good.Add($"database {PrimaryDbInstanceId} available and writable");
            }
            if (problems.Count > 0)
                throw new DrToolsException(ErrorIds.PrimaryNotReady, DrErrorCategory.InvalidOperation,
                    "Not failing back: " + string.Join("; ", problems) + ".", "primary",
                    "Re-protect the primary first (database caught up and writable, health checks green), then run Invoke-DrFailback again. " +
                    "-SkipPrimaryCheck skips this check.");
            return StepOutcome.Done(good.Count > 0 ? "Primary ready: " + string.Join(", ", good) : "Primary ready (the plan names nothing to check)");
        }

        async Task CheckReplicaAsync(ReplicaExpectation expected, StepContext context, List<string> problems, List<string> good, CancellationToken ct)
        {
            var id = PrimaryDbInstanceId!;
            var region = _primaryRds!.Region;
            var db = await _primaryRds.FindDBInstanceAsync(id, ct).ConfigureAwait(false);
            if (db == null || !db.IsReadReplica || !expected.IsReplica(db))
            {
                var what = db == null ? $"there is no database {id} in {region}"
                    : !db.IsReadReplica ? $"{id} in {region} is not a read replica (writes made on {expected.WriterInstanceId} since the failover are not in it)"
                    : $"{id} in {region} replicates from {db.ReadReplicaSource}, not from the writer {expected.WriterInstanceId} ({expected.WriterRegion})";
                throw new DrToolsException(ErrorIds.NotProtected, DrErrorCategory.InvalidOperation,
                    $"Not failing back: {what}.", id,
                    $"Re-protect the plan first: Invoke-DrReprotect -Plan {expected.PlanArgument} creates the replica in {region}; then run Invoke-DrFailback again.");
            }
            if (db.Status != "available")
            {
                problems.Add($"the replica {id} is {db.Status}, not available");
                return;
            }
            var reading = await expected.Lag.GetLagAsync(region, id, ct).ConfigureAwait(false);
            string? lagProblem = reading.Lag switch
            {
                null => $"its replica lag is unknown ({reading.Source})",
                { } lag when lag > expected.MaxLag => $"it is {PromoteDatabaseStep.Text(lag)} behind {expected.WriterInstanceId} ({reading.Source}), more than the {PromoteDatabaseStep.Text(expected.MaxLag)} the plan allows",
                _ => null,
            };
            if (lagProblem == null)
            {
                good.Add($"{id} replicates from {expected.WriterInstanceId}, lag {PromoteDatabaseStep.Text(reading.Lag!.Value)}");
                return;
            }
            if (expected.AllowDataLoss)
            {
                context.Reporter.Warning($"Failing back although the replica {id} {lagProblem} (data loss allowed).");
                good.Add($"{id} replicates from {expected.WriterInstanceId} ({lagProblem}; data loss allowed)");
                return;
            }
            throw new DrToolsException(ErrorIds.DataLossRisk, DrErrorCategory.InvalidOperation,
                $"Not failing back: the replica {id} in {region} {lagProblem}. Nothing was fenced or changed.", id,
                "Wait until the replica has caught up (ReplicaLag in CloudWatch) and run Invoke-DrFailback again; " +
                "-AllowDataLoss fails back whatever the lag (-Force never allows data loss).");
        }
    }

    /// <summary>What the primary database must be before a failback of a failed-over database.</summary>
    /// <param name="PlanArgument">How the next-step message names the plan (its path, or its name).</param>
    public sealed record ReplicaExpectation(string WriterInstanceId, string WriterRegion, IReplicaLagSource Lag, TimeSpan MaxLag,
        bool AllowDataLoss, string PlanArgument)
    {
        /// <summary>Whether <paramref name="db"/> replicates from the writer (the re-protect's rule: its source names the writer's region and id).</summary>
        public bool IsReplica(DbInstance db) =>
            Reprotect.ReprotectNames.IsReplicaOf(db, new Reprotect.DatabaseLocation { Id = WriterInstanceId, Region = WriterRegion });
    }
}
