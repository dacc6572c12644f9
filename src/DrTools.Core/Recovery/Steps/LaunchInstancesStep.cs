using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Aws.Ec2;
using DrTools.Core.Diagnostics;
using DrTools.Core.Plans;
using DrTools.Core.Recovery.Engine;

namespace DrTools.Core.Recovery.Steps
{
    /// <summary>
    /// Launches one app server role from its AMI in the DR region and waits until every instance runs.
    /// Idempotent across runs: every instance carries DrTools:Plan / DrTools:Role (and DrTools:RecoveryRun /
    /// DrTools:Step) tags, and the check counts the pending and running instances of this plan's role whichever run
    /// launched them, so a second failover (a new run, not -Resume) reuses the fleet of the first and launches only
    /// what is missing. RunInstances gets the step's client token, so a retry after a crash between the call and the
    /// tags returns the instances of the first call instead of launching more.
    /// </summary>
    public sealed class LaunchInstancesStep : RecoveryStepBase
    {
        /// <summary>Output key: the instance ids, comma-separated, sorted (Elastic IP steps index into it).</summary>
        public const string InstanceIdsOutput = "instanceIds";

        static readonly string[] Alive = { "pending", "running" };
        readonly IEc2Service _ec2;
        readonly AppServerSpec _spec;

        public LaunchInstancesStep(string id, IEc2Service ec2, AppServerSpec spec) : base(id)
        {
            _ec2 = ec2 ?? throw new ArgumentNullException(nameof(ec2));
            _spec = spec ?? throw new ArgumentNullException(nameof(spec));
        }

        public AppServerSpec Spec => _spec;
        /// <summary>
        /// Only running instances that also carry these tags count as launched (drills: their own run id, so a drill never
        /// adopts the instances of another drill); null: any instance of the plan's role.
        /// </summary>
        public IReadOnlyDictionary<string, string>? ReuseOnlyWithTags { get; init; }
        /// <summary>Only AMIs created before this moment are used (drills' Ransomware scenario); null: the newest.</summary>
        public DateTimeOffset? ImagesBefore { get; init; }
        public override StepKind Kind => StepKind.LaunchInstances;
        public override string Description => $"Launch {_spec.Count} x {_spec.InstanceType} '{_spec.Name}' from {DescribeAmi(_spec.Ami)}" +
                                               (ImagesBefore is { } b ? $" created before {b:u}" : "") + $" in {_ec2.Region}";

        public override IReadOnlyList<StepResource> Resources => new[]
        {
            new StepResource("AWS::EC2::Image", _spec.Ami.ToString(), _ec2.Region, _spec.Ami.Id != null ? "read" : "find newest"),
            new StepResource("AWS::EC2::Instance", $"{_spec.Count} x {_spec.Name}", _ec2.Region, $"launch {_spec.InstanceType}"
                + (_spec.SubnetId != null ? $" in {_spec.SubnetId}" : "") + ", reusing running ones of this role"),
        };

        static string DescribeAmi(AmiSelector ami) => ami.Id ?? $"the newest AMI matching {ami}";

        public override async Task<StepOutcome?> CheckDoneAsync(StepContext context, CancellationToken cancellationToken)
        {
            var existing = await FindLaunchedAsync(context, cancellationToken).ConfigureAwait(false);
            if (existing.Count < _spec.Count) return null;
            var ids = Sorted(existing);
            await WaitRunningAsync(ids, context, cancellationToken).ConfigureAwait(false);
            var reused = ReusedText(existing, context);
            return Outcome(reused != null
                ? $"Reused {existing.Count} '{_spec.Name}' instance(s) {reused}: {string.Join(", ", ids)}"
                : $"{ids.Count} '{_spec.Name}' instance(s) of this run already launched", ids);
        }

        public override async Task<StepOutcome> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
        {
            var existing = await FindLaunchedAsync(context, cancellationToken).ConfigureAwait(false);
            var missing = _spec.Count - existing.Count;
            var ids = existing.Select(i => i.InstanceId).ToList();
            string? imageId = null;
            if (missing > 0)
            {
                imageId = await ResolveAmiAsync(context, cancellationToken).ConfigureAwait(false);
                var tags = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var kv in _spec.Tags) tags[kv.Key] = kv.Value;
                if (!tags.ContainsKey("Name")) tags["Name"] = $"{context.PlanName}-{_spec.Name}";
                foreach (var kv in RunTags(context, _spec.Name)) tags[kv.Key] = kv.Value;
                var request = new Ec2RunRequest(imageId, _spec.InstanceType)
                {
                    SubnetId = _spec.SubnetId,
                    SecurityGroupIds = _spec.SecurityGroupIds.ToList(),
                    KeyName = _spec.KeyName,
                    Tags = tags,
                    Count = missing,
                    // Topping up a partial launch (instances terminated by hand) needs a token of its own.
                    ClientToken = existing.Count == 0 ? context.ClientToken : $"{context.ClientToken}-{existing.Count}",
                };
                context.Reporter.Verbose($"RunInstances: {missing} x {_spec.InstanceType} from {imageId}" + (existing.Count > 0 ? $" ({existing.Count} already running)" : ""));
                var launched = await _ec2.RunInstancesAsync(request, cancellationToken).ConfigureAwait(false);
                ids.AddRange(launched.Select(i => i.InstanceId));
            }
            ids = ids.Distinct(StringComparer.Ordinal).OrderBy(i => i, StringComparer.Ordinal).ToList();
            await WaitRunningAsync(ids, context, cancellationToken).ConfigureAwait(false);
            var reused = ReusedText(existing, context);
            return Outcome($"Launched {Math.Max(0, missing)} '{_spec.Name}' instance(s)" + (imageId != null ? $" from {imageId}" : "")
                           + (reused != null ? $" and reused {existing.Count(i => RunOf(i) != context.RunId)} {reused}" : "")
                           + ": " + string.Join(", ", ids), ids);
        }

        static StepOutcome Outcome(string message, IReadOnlyList<string> ids) =>
            new StepOutcome(message, ids).WithOutput(InstanceIdsOutput, string.Join(",", ids));

        static List<string> Sorted(IEnumerable<Ec2Instance> instances) =>
            instances.Select(i => i.InstanceId).OrderBy(i => i, StringComparer.Ordinal).ToList();

        static string? RunOf(Ec2Instance i) => i.Tags.TryGetValue(TagRun, out var r) ? r : null;

        /// <summary>"launched by run X (plan P)" for instances an earlier run launched; null when every one is this run's.</summary>
        static string? ReusedText(IEnumerable<Ec2Instance> instances, StepContext context)
        {
            var runs = instances.Select(RunOf).Where(r => r != context.RunId).Select(r => r ?? "(unknown)").Distinct(StringComparer.Ordinal).ToList();
            return runs.Count == 0 ? null : $"launched by run {string.Join(", ", runs)} of plan '{context.PlanName}'";
        }

        /// <summary>
        /// The pending and running instances of this plan's role, whichever run launched them, at most the wanted
        /// count: this run's first, then the oldest (the fleet that already holds the Elastic IPs).
        /// </summary>
        async Task<IReadOnlyList<Ec2Instance>> FindLaunchedAsync(StepContext context, CancellationToken ct)
        {
            var filters = new List<Ec2Filter>
            {
                new("tag:" + TagPlan, context.PlanName),
                new("tag:" + TagRole, _spec.Name),
                new("instance-state-name", Alive),
            };
            var required = ReuseOnlyWithTags ?? new Dictionary<string, string>();
            filters.AddRange(required.Select(kv => new Ec2Filter("tag:" + kv.Key, kv.Value)));
            var found = await _ec2.DescribeInstancesAsync(null, filters, ct).ConfigureAwait(false);
            // Filters are applied by EC2; state and tags are re-checked because an instance may stop between pages.
            var alive = found.Where(i => Alive.Contains(i.State)
                                         && i.Tags.TryGetValue(TagPlan, out var p) && p == context.PlanName
                                         && i.Tags.TryGetValue(TagRole, out var r) && r == _spec.Name
                                         && required.All(kv => i.Tags.TryGetValue(kv.Key, out var t) && t == kv.Value))
                .GroupBy(i => i.InstanceId, StringComparer.Ordinal).Select(g => g.First())
                .OrderBy(i => RunOf(i) == context.RunId ? 0 : 1)
                .ThenBy(i => i.LaunchTime ?? DateTime.MaxValue)
                .ThenBy(i => i.InstanceId, StringComparer.Ordinal)
                .ToList();
            var chosen = alive.Take(_spec.Count).ToList();
            if (alive.Count > chosen.Count)
                context.Reporter.Warning($"{alive.Count} '{_spec.Name}' instances of plan '{context.PlanName}' are running; the plan wants {_spec.Count}. " +
                                         $"Using {string.Join(", ", Sorted(chosen))}; the others ({string.Join(", ", Sorted(alive.Skip(_spec.Count)))}) are left as they are.");
            var reused = chosen.Where(i => RunOf(i) != context.RunId).ToList();
            if (reused.Count > 0)
                context.Reporter.Verbose($"Reusing {reused.Count} running '{_spec.Name}' instance(s) {ReusedText(reused, context)}: {string.Join(", ", Sorted(reused))}.");
            foreach (var other in chosen.Where(i => i.InstanceType != null && !string.Equals(i.InstanceType, _spec.InstanceType, StringComparison.OrdinalIgnoreCase)))
                context.Reporter.Warning($"Reused instance {other.InstanceId} runs as {other.InstanceType}, not {_spec.InstanceType} as the plan says.");
            return chosen;
        }

        async Task WaitRunningAsync(IReadOnlyList<string> ids, StepContext context, CancellationToken ct)
        {
            var options = new Ec2WaitOptions(WaitBudget(Ec2WaitOptions.Instance.Timeout), TimeSpan.FromSeconds(5));
            await Task.WhenAll(ids.Select(id => _ec2.WaitForInstanceRunningAsync(id, options, ct))).ConfigureAwait(false);
        }

        /// <summary>The plan's AMI id, or the newest available image in the DR region matching the name/tag filter.</summary>
        public async Task<string> ResolveAmiAsync(StepContext context, CancellationToken ct)
        {
            var ami = _spec.Ami;
            if (ami.Id != null)
            {
                if (ImagesBefore is not { } before) return ami.Id;
                // A fixed AMI is used only when it is older than the moment the data became untrustworthy.
                var image = (await _ec2.DescribeImagesAsync(new[] { ami.Id }, null, null, ct).ConfigureAwait(false)).FirstOrDefault(i => i.ImageId == ami.Id)
                    ?? throw new DrToolsException(ErrorIds.NotFound, DrErrorCategory.ObjectNotFound,
                        $"The AMI {ami.Id} of app server '{_spec.Name}' does not exist in {_ec2.Region}.", ami.Id,
                        "Copy the image to the DR region or set resources.appServers[].ami in the plan.");
                if (image.CreationDate is not { } created || new DateTimeOffset(DateTime.SpecifyKind(created, DateTimeKind.Utc)) >= before)
                    throw new DrToolsException(ErrorIds.InvalidState, DrErrorCategory.InvalidOperation,
                        $"The AMI {ami.Id} of app server '{_spec.Name}' was created {(image.CreationDate is { } c ? $"at {c:u}" : "at an unknown time")}, " +
                        $"not before {before:u}: it may hold what the recovery must avoid.", ami.Id,
                        "Name the image by ami.name/tags in the plan so an older one can be chosen, or pick a later -Before.");
                return ami.Id;
            }
            var filters = new List<Ec2Filter> { new("state", "available") };
            if (ami.Name != null) filters.Add(new Ec2Filter("name", ami.Name));
            foreach (var kv in ami.Tags) filters.Add(new Ec2Filter("tag:" + kv.Key, kv.Value));
            var images = await _ec2.DescribeImagesAsync(null, filters, new[] { ami.Owner }, ct).ConfigureAwait(false);
            var newest = images.Where(i => i.State == "available")
                .Where(i => ImagesBefore == null || i.CreationDate is { } c && new DateTimeOffset(DateTime.SpecifyKind(c, DateTimeKind.Utc)) < ImagesBefore.Value)
                .OrderByDescending(i => i.CreationDate ?? DateTime.MinValue).ThenBy(i => i.ImageId, StringComparer.Ordinal).FirstOrDefault()
                ?? throw new DrToolsException(ErrorIds.NotFound, DrErrorCategory.ObjectNotFound,
                    $"No available AMI in {_ec2.Region} matches {ami} (owner {ami.Owner}) for app server '{_spec.Name}'" +
                    (ImagesBefore is { } b ? $" created before {b:u}." : "."), ami.ToString(),
                    $"Copy the app server image to {_ec2.Region} (Test-DrPlan -Live checks this), or set resources.appServers[].ami.id in the plan.");
            context.Reporter.Verbose($"AMI for '{_spec.Name}': {newest.ImageId} ({newest.Name}, created {newest.CreationDate:u}).");
            return newest.ImageId;
        }
    }
}
