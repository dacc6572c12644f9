using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Aws.AutoScaling;
using DrTools.Core.Aws.Ec2;
using DrTools.Core.Aws.Rds;
using DrTools.Core.Diagnostics;
using DrTools.Core.Plans;
using DrTools.Core.Recovery.Engine;

namespace DrTools.Core.Recovery.Steps
{
    /// <summary>
    /// Failback: stops every write to the DR database before the primary-region replica catches up and takes over, so
    /// no write lands on the old writer after the last one has been replicated. Per the plan's database.fence:
    /// <list type="bullet">
    /// <item>PARAMETER_GROUP: attaches the read-only DB parameter group to the DR writer, reboots it when the group
    /// waits for a reboot, and waits until the instance is available with the group in-sync.</item>
    /// <item>STOP_APP_SERVERS (default): stops the app-server instances the recovery launched (tags DrTools:Plan and
    /// DrTools:Role) and scales the DR Auto Scaling groups to 0, then waits until they are stopped and the groups empty.</item>
    /// </list>
    /// Output <see cref="FencedAtOutput"/> is when the fence was complete (round-trip "o" format): the catch-up only
    /// trusts a lag reading measured after it. Done (on a new run or resume) when the fence is already in place; the
    /// time is then "now", which is later than the real fence and so only stricter.
    /// </summary>
    public sealed class FenceDatabaseStep : RecoveryStepBase
    {
        public const string FencedAtOutput = "fencedAt";
        static readonly string[] Running = { "pending", "running" };
        readonly IRdsService _rds;
        readonly IEc2Service? _ec2;
        readonly IReadOnlyList<(string Name, IAutoScalingService Service)> _groups;

        /// <param name="planName">The plan whose recovery launched the app servers (their DrTools:Plan tag; not the failback run's name).</param>
        /// <param name="roles">The app-server roles (appServers[].name) whose launched instances are stopped.</param>
        /// <param name="groups">The DR Auto Scaling groups scaled to 0.</param>
        public FenceDatabaseStep(string id, FenceMode mode, IRdsService rds, string writerInstanceId, string? parameterGroupName,
            string planName, IEc2Service? ec2, IEnumerable<string> roles, IEnumerable<(string Name, IAutoScalingService Service)> groups) : base(id)
        {
            _rds = rds ?? throw new ArgumentNullException(nameof(rds));
            Mode = mode;
            WriterInstanceId = writerInstanceId ?? throw new ArgumentNullException(nameof(writerInstanceId));
            ParameterGroupName = parameterGroupName;
            if (mode == FenceMode.ParameterGroup && string.IsNullOrEmpty(parameterGroupName))
                throw new ArgumentException("PARAMETER_GROUP fencing needs a parameter group name.", nameof(parameterGroupName));
            PlanName = planName;
            _ec2 = ec2;
            Roles = mode == FenceMode.StopAppServers ? roles.ToList() : new List<string>();
            _groups = mode == FenceMode.StopAppServers ? groups.ToList() : new List<(string, IAutoScalingService)>();
            if (Roles.Count > 0 && ec2 == null) throw new ArgumentNullException(nameof(ec2));
        }

        public FenceMode Mode { get; }
        public string WriterInstanceId { get; }
        public string? ParameterGroupName { get; }
        public string PlanName { get; }
        public IReadOnlyList<string> Roles { get; }
        public IReadOnlyList<string> GroupNames => _groups.Select(g => g.Name).ToList();
        /// <summary>Pause between polls of a reboot or of instances stopping (tests set zero).</summary>
        public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(10);

        public override StepKind Kind => StepKind.FenceDatabase;

        public override string Description => Mode == FenceMode.ParameterGroup
            ? $"Fence the DR database {WriterInstanceId} in {_rds.Region}: attach read-only parameter group {ParameterGroupName} and reboot it"
            : $"Fence the DR database {WriterInstanceId} in {_rds.Region}: stop the app servers the recovery launched" +
              (Roles.Count > 0 ? $" ({string.Join(", ", Roles)})" : "") + (_groups.Count > 0 ? $" and scale {string.Join(", ", GroupNames)} to 0" : "") +
              (Roles.Count == 0 && _groups.Count == 0 ? " (the plan has none: nothing else may write to it)" : "");

        public override IReadOnlyList<StepResource> Resources
        {
            get
            {
                var list = new List<StepResource>();
                if (Mode == FenceMode.ParameterGroup)
                {
                    list.Add(new StepResource("AWS::RDS::DBInstance", WriterInstanceId, _rds.Region, $"attach parameter group {ParameterGroupName}, reboot"));
                    return list;
                }
                list.AddRange(Roles.Select(r => new StepResource("AWS::EC2::Instance", $"tag {TagPlan}={PlanName}, {TagRole}={r}", _ec2!.Region, "stop")));
                list.AddRange(_groups.Select(g => new StepResource("AWS::AutoScaling::AutoScalingGroup", g.Name, g.Service.Region, "scale to min 0/desired 0")));
                list.Add(new StepResource("AWS::RDS::DBInstance", WriterInstanceId, _rds.Region, "no writers left"));
                return list;
            }
        }

        public override async Task<StepOutcome?> CheckDoneAsync(StepContext context, CancellationToken cancellationToken)
        {
            if (Mode == FenceMode.ParameterGroup)
            {
                var db = await GetAsync(cancellationToken).ConfigureAwait(false);
                return IsFenced(db) ? Outcome($"{WriterInstanceId} already has read-only parameter group {ParameterGroupName} in-sync") : null;
            }
            if ((await RunningAppServersAsync(cancellationToken).ConfigureAwait(false)).Count > 0) return null;
            foreach (var (name, asg) in _groups)
                if (!IsEmpty(await GroupAsync(name, asg, cancellationToken).ConfigureAwait(false))) return null;
            return Outcome("No app server launched by the recovery is running and the DR groups are at 0");
        }

        public override Task<StepOutcome> ExecuteAsync(StepContext context, CancellationToken cancellationToken) =>
            Mode == FenceMode.ParameterGroup ? FenceWithParameterGroupAsync(context, cancellationToken) : StopAppServersAsync(context, cancellationToken);

        bool IsFenced(DbInstance db) =>
            db.Status == "available" && string.Equals(db.DBParameterGroupName, ParameterGroupName, StringComparison.Ordinal) && db.ParameterApplyStatus == "in-sync";

        async Task<StepOutcome> FenceWithParameterGroupAsync(StepContext context, CancellationToken ct)
        {
            var deadline = DateTime.UtcNow + WaitBudget(TimeSpan.FromMinutes(30));
            var db = await GetAsync(ct).ConfigureAwait(false);
            if (!string.Equals(db.DBParameterGroupName, ParameterGroupName, StringComparison.Ordinal))
            {
                context.Reporter.Verbose($"ModifyDBInstance {WriterInstanceId}: parameter group {db.DBParameterGroupName} -> {ParameterGroupName}.");
                await _rds.ModifyDBInstanceAsync(new ModifyDbInstanceRequest
                {
                    DBInstanceIdentifier = WriterInstanceId, DBParameterGroupName = ParameterGroupName, ApplyImmediately = true,
                }, ct).ConfigureAwait(false);
            }
            var rebooted = false;
            while (true)
            {
                db = await _rds.WaitForDBInstanceAvailableAsync(WriterInstanceId, Remaining(deadline), context.Reporter, ct).ConfigureAwait(false);
                if (IsFenced(db)) break;
                if (!string.Equals(db.DBParameterGroupName, ParameterGroupName, StringComparison.Ordinal))
                    throw new DrToolsException(ErrorIds.StepFailed, DrErrorCategory.InvalidOperation,
                        $"{WriterInstanceId} still has parameter group {db.DBParameterGroupName ?? "(none)"} after the change to {ParameterGroupName}; it is not fenced.",
                        WriterInstanceId, $"Check that the parameter group {ParameterGroupName} exists in {_rds.Region} and fits the engine, then resume (-Resume).");
                // "pending-reboot": the group applies only after a reboot (a static group always; a dynamic one sometimes).
                if (db.ParameterApplyStatus == "pending-reboot" && !rebooted)
                {
                    context.Reporter.Verbose($"RebootDBInstance {WriterInstanceId} to apply {ParameterGroupName}.");
                    await _rds.RebootDBInstanceAsync(WriterInstanceId, ct).ConfigureAwait(false);
                    rebooted = true;
                }
                if (DateTime.UtcNow >= deadline)
                    throw new DrToolsException(ErrorIds.Timeout, DrErrorCategory.OperationTimeout,
                        $"The parameter group {ParameterGroupName} of {WriterInstanceId} is still {db.ParameterApplyStatus ?? "not applied"}; the database is not fenced yet.",
                        WriterInstanceId, "Check the instance in the RDS console (reboot it if it waits for one), then resume (-Resume).");
                await Task.Delay(PollInterval, ct).ConfigureAwait(false);
            }
            return Outcome($"Fenced {WriterInstanceId}: read-only parameter group {ParameterGroupName} in-sync" + (rebooted ? " (rebooted)" : ""));
        }

        async Task<StepOutcome> StopAppServersAsync(StepContext context, CancellationToken ct)
        {
            var deadline = DateTime.UtcNow + WaitBudget(TimeSpan.FromMinutes(30));
            var running = await RunningAppServersAsync(ct).ConfigureAwait(false);
            if (running.Count > 0)
            {
                context.Reporter.Verbose($"StopInstances {string.Join(", ", running.Select(i => i.InstanceId))}.");
                await _ec2!.StopInstancesAsync(running.Select(i => i.InstanceId), false, ct).ConfigureAwait(false);
            }
            foreach (var (name, asg) in _groups)
            {
                var g = await GroupAsync(name, asg, ct).ConfigureAwait(false);
                if (g.MinSize == 0 && g.DesiredCapacity == 0) continue;
                context.Reporter.Verbose($"UpdateAutoScalingGroup {name}: min {g.MinSize}/desired {g.DesiredCapacity} -> 0/0 (max {g.MaxSize} kept).");
                await asg.UpdateAutoScalingGroupAsync(new AutoScalingGroupUpdate { AutoScalingGroupName = name, MinSize = 0, DesiredCapacity = 0 }, ct).ConfigureAwait(false);
            }
            foreach (var i in running)
                await _ec2!.WaitForInstanceStoppedAsync(i.InstanceId, new Ec2WaitOptions(Remaining(deadline), PollInterval), ct).ConfigureAwait(false);
            foreach (var (name, asg) in _groups)
            {
                while (true)
                {
                    var g = await GroupAsync(name, asg, ct).ConfigureAwait(false);
                    if (IsEmpty(g)) break;
                    if (DateTime.UtcNow >= deadline)
                        throw new DrToolsException(ErrorIds.Timeout, DrErrorCategory.OperationTimeout,
                            $"The Auto Scaling group {name} still has {g.Instances.Count} instance(s) after scaling to 0; the DR database is not fenced yet.",
                            name, "Check the group's scaling activities (scale-in protection, lifecycle hooks), then resume (-Resume).");
                    await Task.Delay(PollInterval, ct).ConfigureAwait(false);
                }
            }
            var what = new List<string>();
            if (running.Count > 0) what.Add($"stopped {running.Count} app server(s) ({string.Join(", ", running.Select(i => i.InstanceId))})");
            if (_groups.Count > 0) what.Add($"scaled {string.Join(", ", GroupNames)} to 0");
            return Outcome($"Fenced {WriterInstanceId}: " + (what.Count > 0 ? string.Join("; ", what) : "no app server of the recovery was running"),
                running.Select(i => i.InstanceId).Concat(GroupNames));
        }

        static bool IsEmpty(AutoScalingGroupInfo g) => g.DesiredCapacity == 0 && g.MinSize == 0 && g.Instances.Count == 0;

        async Task<IReadOnlyList<Ec2Instance>> RunningAppServersAsync(CancellationToken ct)
        {
            var list = new List<Ec2Instance>();
            foreach (var role in Roles)
                list.AddRange(await _ec2!.DescribeInstancesAsync(null, new[]
                {
                    new Ec2Filter("tag:" + TagPlan, PlanName), new Ec2Filter("tag:" + TagRole, role), new Ec2Filter("instance-state-name", Running),
                }, ct).ConfigureAwait(false));
            // The filters again: a service that ignores one must not make us miss (or stop) the wrong instances.
            return list.Where(i => Running.Contains(i.State) && i.Tags.TryGetValue(TagPlan, out var p) && p == PlanName)
                .GroupBy(i => i.InstanceId).Select(g => g.First()).ToList();
        }

        async Task<AutoScalingGroupInfo> GroupAsync(string name, IAutoScalingService asg, CancellationToken ct) =>
            await asg.FindAutoScalingGroupAsync(name, ct).ConfigureAwait(false)
            ?? throw new DrToolsException(ErrorIds.NotFound, DrErrorCategory.ObjectNotFound,
                $"The Auto Scaling group {name} does not exist in {asg.Region}.", name,
                "Check resources.autoScalingGroups[].name and region in the plan (Test-DrPlan -Live checks this).");

        async Task<DbInstance> GetAsync(CancellationToken ct) =>
            await _rds.FindDBInstanceAsync(WriterInstanceId, ct).ConfigureAwait(false)
            ?? throw new DrToolsException(ErrorIds.NotFound, DrErrorCategory.ObjectNotFound,
                $"The DR database {WriterInstanceId} does not exist in {_rds.Region}.", WriterInstanceId,
                "The active side record names it as the writer; check it with Get-DrStatus and the RDS console.");

        StepOutcome Outcome(string message, IEnumerable<string>? ids = null) =>
            new StepOutcome(message, (ids ?? Array.Empty<string>()).Append(WriterInstanceId).ToList())
                .WithOutput(FencedAtOutput, DateTimeOffset.UtcNow.ToString("o", CultureInfo.InvariantCulture));

        static TimeSpan Remaining(DateTime deadline)
        {
            var left = deadline - DateTime.UtcNow;
            return left > TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1);
        }
    }
}
