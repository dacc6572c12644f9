using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Aws;
using DrTools.Core.Aws.AutoScaling;
using DrTools.Core.Aws.Route53;
using DrTools.Core.Recovery.Engine;

namespace DrTools.Core.Recovery.Steps
{
    /// <summary>
    /// The last step of a recovery: waits until the Route 53 health checks of the recovered site report Healthy and
    /// each Auto Scaling group has its desired number of instances InService and Healthy. Read-only, so its check
    /// and its work are the same poll.
    /// </summary>
    public sealed class WaitHealthyStep : RecoveryStepBase
    {
        readonly IRoute53Service? _route53;
        readonly IAutoScalingService? _asg;

        public WaitHealthyStep(string id, IRoute53Service? route53, IEnumerable<string> healthCheckIds, IAutoScalingService? asg,
            IEnumerable<(string Group, int Count)> groups) : base(id)
        {
            _route53 = route53;
            _asg = asg;
            HealthCheckIds = healthCheckIds.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            Groups = groups.ToList();
            if (HealthCheckIds.Count > 0 && route53 == null) throw new ArgumentNullException(nameof(route53));
            if (Groups.Count > 0 && asg == null) throw new ArgumentNullException(nameof(asg));
        }

        public IReadOnlyList<string> HealthCheckIds { get; }
        public IReadOnlyList<(string Group, int Count)> Groups { get; }
        public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(10);

        public override StepKind Kind => StepKind.WaitHealthy;
        public override string Description => "Wait until " + string.Join(" and ", new[]
        {
            HealthCheckIds.Count > 0 ? $"{HealthCheckIds.Count} Route 53 health check(s) report healthy" : null,
            Groups.Count > 0 ? $"{Groups.Count} Auto Scaling group(s) have their instances in service" : null,
        }.Where(s => s != null));

        public override IReadOnlyList<StepResource> Resources =>
            HealthCheckIds.Select(h => new StepResource("AWS::Route53::HealthCheck", h, null, "wait healthy"))
                .Concat(Groups.Select(g => new StepResource("AWS::AutoScaling::AutoScalingGroup", g.Group, _asg!.Region, $"wait {g.Count} in service")))
                .ToList();

        public override async Task<StepOutcome?> CheckDoneAsync(StepContext context, CancellationToken cancellationToken)
        {
            var state = await PollAsync(cancellationToken).ConfigureAwait(false);
            return state.Healthy ? Outcome(state) : null;
        }

        public override async Task<StepOutcome> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
        {
            var state = await Waiter.UntilAsync("the recovered site to be healthy", PollAsync,
                s => s.Healthy ? WaitCheck.Ready("healthy") : WaitCheck.Pending(string.Join("; ", s.Problems)),
                WaitBudget(TimeSpan.FromMinutes(20)), PollInterval, context.Reporter, cancellationToken, context.ProgressActivityId).ConfigureAwait(false);
            return Outcome(state);
        }

        StepOutcome Outcome(Health state) =>
            StepOutcome.Done("Healthy: " + string.Join(", ", state.Details), HealthCheckIds.Concat(Groups.Select(g => g.Group)).ToArray());

        sealed record Health(bool Healthy, List<string> Problems, List<string> Details);

        async Task<Health> PollAsync(CancellationToken ct)
        {
            var problems = new List<string>();
            var details = new List<string>();
            foreach (var id in HealthCheckIds)
            {
                var status = await _route53!.GetHealthCheckStatusAsync(id, ct).ConfigureAwait(false);
                var text = $"health check {id} {status.State} ({status.HealthyCheckers}/{status.TotalCheckers} checkers)";
                (status.State == HealthState.Healthy ? details : problems).Add(text);
            }
            foreach (var (name, count) in Groups)
            {
                var g = await _asg!.FindAutoScalingGroupAsync(name, ct).ConfigureAwait(false);
                var n = g?.InServiceHealthyCount ?? 0;
                var text = g == null ? $"group {name} not found" : $"group {name} {n}/{count} in service";
                (g != null && n >= count ? details : problems).Add(text);
            }
            return new Health(problems.Count == 0, problems, details);
        }
    }
}
