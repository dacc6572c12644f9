using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Aws;
using DrTools.Core.Aws.AutoScaling;
using DrTools.Core.Aws.Ec2;
using DrTools.Core.Aws.Rds;
using DrTools.Core.Aws.Route53;
using DrTools.Core.Diagnostics;
using DrTools.Core.Plans;
using DrTools.Core.Recovery.Steps;
using DrTools.Core.Recovery.Strategies;

namespace DrTools.Core.Drills
{
    /// <summary>
    /// Finds what drills of a plan created (by their tags: DrTools:Plan=&lt;plan&gt;.drill and DrTools:Drill=&lt;run id&gt;) in
    /// the DR region, plus the plan's drill DNS record, deletes it and verifies it is gone. Used at the end of every drill
    /// and by Remove-DrDrill. Never touches anything without both tags (the drill record is the plan's drill.dns name, and
    /// only while it points at instances with both tags).
    /// </summary>
    public sealed class DrillCleaner
    {
        public const string KindInstance = "Instance";
        public const string KindGroup = "AutoScalingGroup";
        public const string KindDatabase = "DBInstance";
        public const string KindSnapshot = "DBSnapshot";
        public const string KindDns = "DnsRecord";
        static readonly string[] NotGone = { "pending", "running", "stopping", "stopped", "shutting-down" };

        readonly RecoveryServices _services;
        readonly IOperationReporter _reporter;

        public DrillCleaner(RecoveryServices services, IOperationReporter? reporter = null)
        {
            _services = services ?? throw new ArgumentNullException(nameof(services));
            _reporter = reporter ?? NullReporter.Instance;
        }

        /// <summary>Time between polls of the deletion checks.</summary>
        public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(10);

        IEnumerable<IAutoScalingService> GroupServices(DrPlan plan) =>
            new[] { _services.AutoScaling }.Concat(plan.Resources.AutoScalingGroups
                    .Where(g => !string.IsNullOrEmpty(g.Region) && g.Region != _services.AutoScaling.Region)
                    .Select(g => g.Region).Distinct(StringComparer.Ordinal).Select(r => _services.AutoScalingFor(r)));

        bool Ours(IReadOnlyDictionary<string, string> tags, DrPlan plan, string? runId) =>
            tags.TryGetValue(RecoveryStepBase.TagPlan, out var p) && p == DrillTags.RunName(plan.Name)
            && tags.TryGetValue(DrillTags.Drill, out var d) && (runId == null || d == runId);

        static string? RunOf(IReadOnlyDictionary<string, string> tags) => tags.TryGetValue(DrillTags.Drill, out var d) ? d : null;

        /// <summary>Everything of drill <paramref name="runId"/> (every drill of the plan when null) that still exists.</summary>
        public async Task<IReadOnlyList<DrillLeftover>> FindAsync(DrPlan plan, string? runId, CancellationToken ct)
        {
            if (plan == null) throw new ArgumentNullException(nameof(plan));
            var found = new List<DrillLeftover>();
            foreach (var asg in GroupServices(plan))
                foreach (var g in await asg.DescribeAutoScalingGroupsAsync(null, ct).ConfigureAwait(false))
                    if (Ours(g.Tags, plan, runId)) found.Add(new DrillLeftover(KindGroup, g.Name, asg.Region, g.Status ?? "active", RunOf(g.Tags)));

            var filters = new List<Ec2Filter> { new("tag:" + RecoveryStepBase.TagPlan, DrillTags.RunName(plan.Name)), new("instance-state-name", NotGone) };
            if (runId != null) filters.Add(new Ec2Filter("tag:" + DrillTags.Drill, runId));
            foreach (var i in await _services.Ec2.DescribeInstancesAsync(null, filters, ct).ConfigureAwait(false))
                if (NotGone.Contains(i.State) && Ours(i.Tags, plan, runId))
                    found.Add(new DrillLeftover(KindInstance, i.InstanceId, _services.Ec2.Region, i.State, RunOf(i.Tags)));

            foreach (var d in await _services.Rds.DescribeDBInstancesAsync(null, null, ct).ConfigureAwait(false))
                if (Ours(d.Tags, plan, runId)) found.Add(new DrillLeftover(KindDatabase, d.Identifier, _services.Rds.Region, d.Status, RunOf(d.Tags)));
            foreach (var s in await _services.Rds.DescribeDBSnapshotsAsync(new DbSnapshotQuery { SnapshotType = "manual" }, ct).ConfigureAwait(false))
                if (Ours(s.Tags, plan, runId)) found.Add(new DrillLeftover(KindSnapshot, s.Identifier, _services.Rds.Region, s.Status, RunOf(s.Tags)));

            if (await FindDnsAsync(plan, runId, ct).ConfigureAwait(false) is { } record)
                found.Add(new DrillLeftover(KindDns, $"{record.Name} A", null, string.Join(",", record.Values), null));
            return found;
        }

        /// <summary>
        /// The plan's drill record, only when it is this drill's (every drill's of the plan when <paramref name="runId"/> is
        /// null): every value is the private IP of an instance tagged with the run. A record of that name pointing anywhere
        /// else is someone else's and is never deleted.
        /// </summary>
        async Task<ResourceRecordSet?> FindDnsAsync(DrPlan plan, string? runId, CancellationToken ct)
        {
            if (plan.Drill?.Dns is not { } dns) return null;
            var name = Route53Names.Qualify(dns.RecordName);
            var sets = await _services.Route53.ListRecordSetsAsync(Route53Names.StripId(dns.HostedZoneId), name, "A", ct).ConfigureAwait(false);
            var record = sets.FirstOrDefault(r => Route53Names.SameName(r.Name, name) && r.Type == "A" && r.SetIdentifier == null);
            if (record == null || record.Values.Count == 0) return null;
            var ips = await DrillInstanceIpsAsync(_services.Ec2, DrillTags.RunName(plan.Name), runId, ct).ConfigureAwait(false);
            if (record.Values.All(ips.Contains)) return record;
            _reporter.Verbose($"Drill cleanup: leaving {name} A ({string.Join(", ", record.Values)}) alone: it does not point at drill instances" +
                              (runId != null ? $" of run {runId}." : "."));
            return null;
        }

        /// <summary>The private IPs of the instances (any state) tagged DrTools:Plan=<paramref name="runName"/> and DrTools:Drill=<paramref name="runId"/> (any run when null).</summary>
        internal static async Task<HashSet<string>> DrillInstanceIpsAsync(IEc2Service ec2, string runName, string? runId, CancellationToken ct)
        {
            var filters = new List<Ec2Filter> { new("tag:" + RecoveryStepBase.TagPlan, runName) };
            if (runId != null) filters.Add(new Ec2Filter("tag:" + DrillTags.Drill, runId));
            return new HashSet<string>((await ec2.DescribeInstancesAsync(null, filters, ct).ConfigureAwait(false))
                .Where(i => i.Tags.ContainsKey(DrillTags.Drill) && (runId == null || i.Tags[DrillTags.Drill] == runId))
                .Select(i => i.PrivateIpAddress).Where(ip => !string.IsNullOrEmpty(ip)).Select(ip => ip!), StringComparer.Ordinal);
        }

        /// <summary>
        /// Deletes what <see cref="FindAsync"/> finds, waits (each wait bounded by the token) until it is gone, and returns
        /// what still exists. Failures are warnings (the leftovers say what remains), never exceptions, except cancellation.
        /// </summary>
        public async Task<IReadOnlyList<DrillLeftover>> RemoveAsync(DrPlan plan, string? runId, TimeSpan timeout, CancellationToken ct)
        {
            IReadOnlyList<DrillLeftover> found;
            try { found = await FindAsync(plan, runId, ct).ConfigureAwait(false); }
            catch (DrToolsException ex)
            {
                _reporter.Warning($"Drill cleanup could not list what the drill created: {ex.Message}");
                throw;
            }
            if (found.Count == 0) return found;
            _reporter.Verbose($"Drill cleanup: deleting {found.Count} resource(s): {string.Join("; ", found)}.");

            // What appears after the first look is deleted too: an instance a group launched while it was being deleted,
            // or one EC2 lists only late (DescribeInstances is eventually consistent). Only new resources get another
            // round (a stuck one is not waited for again), at most MaxRounds.
            var seen = new HashSet<string>(found.Select(Key), StringComparer.Ordinal);
            var batch = found;
            for (var round = 1; ; round++)
            {
                await DeleteAsync(plan, runId, batch, timeout, ct).ConfigureAwait(false);
                ct.ThrowIfCancellationRequested();
                var left = await FindAsync(plan, runId, ct).ConfigureAwait(false);
                var fresh = left.Where(l => !seen.Contains(Key(l))).ToList();
                if (fresh.Count == 0 || round == MaxRounds)
                {
                    foreach (var l in left) _reporter.Warning($"Drill cleanup: {l} is still there; delete it by hand or run Remove-DrDrill again.");
                    return left;
                }
                _reporter.Verbose($"Drill cleanup: {fresh.Count} more resource(s) appeared meanwhile, deleting them too: {string.Join("; ", fresh)}.");
                foreach (var f in fresh) seen.Add(Key(f));
                batch = fresh;
            }
        }

        const int MaxRounds = 3;

        static string Key(DrillLeftover l) => l.Kind + "|" + l.Region + "|" + l.Id;

        async Task DeleteAsync(DrPlan plan, string? runId, IReadOnlyList<DrillLeftover> found, TimeSpan timeout, CancellationToken ct)
        {
            // Groups first (they would replace terminated instances), then instances, databases, snapshots, DNS.
            var tasks = new List<Task>();
            foreach (var g in found.Where(f => f.Kind == KindGroup))
                tasks.Add(Try(g, async () =>
                {
                    var asg = _services.AutoScalingFor(g.Region);
                    if (g.State == "active") await asg.DeleteAutoScalingGroupAsync(g.Id, forceDelete: true, ct).ConfigureAwait(false);
                    await Waiter.UntilAsync($"drill group {g.Id} to be deleted", c => asg.FindAutoScalingGroupAsync(g.Id, c),
                        x => x == null ? WaitCheck.Ready("deleted") : WaitCheck.Pending(x.Status ?? "exists"), timeout, PollInterval, null, ct).ConfigureAwait(false);
                }));
            var instances = found.Where(f => f.Kind == KindInstance).Select(f => f.Id).ToList();
            if (instances.Count > 0)
                tasks.Add(Try(new DrillLeftover(KindInstance, string.Join(", ", instances), _services.Ec2.Region, null, runId), async () =>
                {
                    await _services.Ec2.TerminateInstancesAsync(instances, ct).ConfigureAwait(false);
                    await Task.WhenAll(instances.Select(id => _services.Ec2.WaitForInstanceTerminatedAsync(id, new Ec2WaitOptions(timeout, PollInterval), ct))).ConfigureAwait(false);
                }));
            foreach (var d in found.Where(f => f.Kind == KindDatabase))
                tasks.Add(Try(d, async () =>
                {
                    var rds = _services.Rds;
                    if (d.State != "deleting")
                    {
                        // RDS refuses to delete an instance while it is being created or modified.
                        if (d.State is not ("available" or "failed" or "incompatible-restore" or "storage-full" or "stopped"))
                            await rds.WaitForDBInstanceAvailableAsync(d.Id, timeout, null, ct).ConfigureAwait(false);
                        await rds.DeleteDBInstanceAsync(d.Id, DbFinalSnapshot.None, deleteAutomatedBackups: true, ct).ConfigureAwait(false);
                    }
                    await rds.WaitForDBInstanceDeletedAsync(d.Id, timeout, null, ct).ConfigureAwait(false);
                }));
            foreach (var s in found.Where(f => f.Kind == KindSnapshot))
                tasks.Add(Try(s, async () =>
                {
                    var rds = _services.Rds;
                    if (s.State is "creating" or "copying") await rds.WaitForDBSnapshotAvailableAsync(s.Id, timeout, null, ct).ConfigureAwait(false);
                    if (s.State != "deleting") await rds.DeleteDBSnapshotAsync(s.Id, ct).ConfigureAwait(false);
                    await Waiter.UntilAsync($"drill snapshot {s.Id} to be deleted", c => rds.FindDBSnapshotAsync(s.Id, c),
                        x => x == null ? WaitCheck.Ready("deleted") : WaitCheck.Pending(x.Status), timeout, PollInterval, null, ct).ConfigureAwait(false);
                }));
            if (found.FirstOrDefault(f => f.Kind == KindDns) is { } dnsRecord)
                tasks.Add(Try(dnsRecord, () => DeleteDnsAsync(plan, dnsRecord.State, timeout, ct)));
            await Task.WhenAll(tasks).ConfigureAwait(false);
        }

        /// <summary>
        /// Deletes the record with exactly the values found to be the drill's (read before the instances were terminated);
        /// Route 53 rejects a DELETE that does not match, so a record changed since then is left alone.
        /// </summary>
        async Task DeleteDnsAsync(DrPlan plan, string? foundValues, TimeSpan timeout, CancellationToken ct)
        {
            var dns = plan.Drill!.Dns!;
            var name = Route53Names.Qualify(dns.RecordName);
            var record = (await _services.Route53.ListRecordSetsAsync(Route53Names.StripId(dns.HostedZoneId), name, "A", ct).ConfigureAwait(false))
                .FirstOrDefault(r => Route53Names.SameName(r.Name, name) && r.Type == "A" && r.SetIdentifier == null);
            if (record == null || string.Join(",", record.Values) != foundValues) return;
            var zone = Route53Names.StripId(plan.Drill!.Dns!.HostedZoneId);
            var change = await _services.Route53.ChangeRecordSetsAsync(zone, new[] { new RecordChange(ChangeAction.Delete, record) },
                $"DrTools drill cleanup {plan.Name}", ct).ConfigureAwait(false);
            await _services.Route53.WaitForInSyncAsync(change.Id, timeout, PollInterval, ct).ConfigureAwait(false);
        }

        async Task Try(DrillLeftover what, Func<Task> work)
        {
            try { await work().ConfigureAwait(false); }
            catch (DrToolsException ex) when (ex.ErrorId == ErrorIds.NotFound) { /* already gone */ }
            catch (DrToolsException ex)
            {
                _reporter.Warning($"Drill cleanup: could not delete {what}: {ex.Message}");
            }
        }
    }
}
