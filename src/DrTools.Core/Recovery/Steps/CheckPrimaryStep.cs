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

        public override StepKind Kind => StepKind.Custom;
        public override string Description => "Check that the primary site is healthy and its database writable before failing back";
        public override IReadOnlyList<StepResource> Resources =>
            HealthCheckIds.Select(h => new StepResource("AWS::Route53::HealthCheck", h, null, "read"))
                .Concat(PrimaryDbInstanceId != null ? new[] { new StepResource("AWS::RDS::DBInstance", PrimaryDbInstanceId, _primaryRds!.Region, "read") } : Array.Empty<StepResource>())
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
            if (PrimaryDbInstanceId != null)
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
    }
}
