using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using DrTools.Core.Diagnostics;
using DrTools.Core.Drills.Steps;
using DrTools.Core.Plans;
using DrTools.Core.Recovery.Engine;
using DrTools.Core.Recovery.Steps;
using DrTools.Core.Recovery.Strategies;

namespace DrTools.Core.Drills
{
    /// <summary>
    /// The step graph of a drill: the plan's recovery under the isolation rules (docs/drills.md), built from the same step
    /// classes as a recovery plus three drill-only steps (snapshot the replica, copy a group, the drill DNS record).
    /// <code>
    /// [launch-*] || [group-*] || [snapshot-db -> restore-db]      launch-&lt;role&gt; -> drill-dns
    /// </code>
    /// Never: promote, resize of the replica, a plan group's size, the plan's DNS records or weights, an Elastic IP.
    /// </summary>
    internal sealed class DrillGraph
    {
        readonly DrPlan _plan;
        readonly RecoveryServices _services;
        readonly string _runId;
        readonly DrillOptions _options;
        readonly DrillSpec _drill;
        readonly List<DrillSkip> _skipped = new();

        DrillGraph(DrPlan plan, RecoveryServices services, string runId, DrillOptions options)
        {
            _plan = plan;
            _services = services;
            _runId = runId;
            _options = options;
            _drill = plan.Drill ?? new DrillSpec();
        }

        public IReadOnlyList<IRecoveryStep> Steps { get; private set; } = Array.Empty<IRecoveryStep>();
        public IReadOnlyList<DrillSkip> Skipped => _skipped;
        /// <summary>The drill database's id, when the drill restores one.</summary>
        public string? DatabaseId { get; private set; }
        /// <summary>The snapshot the drill takes of the replica (deleted at cleanup), when it takes one.</summary>
        public string? SnapshotId { get; private set; }

        static readonly Regex RunIdPattern = new("^[a-z0-9](?:[a-z0-9-]{0,22}[a-z0-9])?$", RegexOptions.CultureInvariant);

        /// <exception cref="DrToolsException">DrTools.InvalidParameter: a bad run id, a scenario without its time, a drill record that is a production record.</exception>
        public static void ValidateRunId(string runId)
        {
            if (!RunIdPattern.IsMatch(runId ?? "") || runId!.Contains("--"))
                throw new DrToolsException(ErrorIds.InvalidParameter, DrErrorCategory.InvalidArgument,
                    $"-RunId '{runId}' cannot name a drill: drill resources are named after it (RDS ids), so it must be 1-24 lowercase letters, digits and single hyphens.",
                    runId, "Leave -RunId out for a generated id, or pass one like 'gameday-2026-03'.");
        }

        public static DrillGraph Build(DrPlan plan, RecoveryServices services, string runId, DrillOptions options)
        {
            ValidateRunId(runId);
            RefuseAurora(plan);
            var g = new DrillGraph(plan, services, runId, options);
            g.BuildSteps();
            return g;
        }

        /// <summary>Drills rehearse DB instances only: an Aurora plan is refused before anything is created.</summary>
        internal static void RefuseAurora(DrPlan plan)
        {
            if (plan.Resources.Database is not { IsAurora: true }) return;
            throw new DrToolsException(ErrorIds.InvalidPlan, DrErrorCategory.InvalidOperation,
                $"Plan '{plan.Name}' names an Aurora DB cluster; Invoke-DrDrill does not drill Aurora databases yet (it restores DB instances only), so nothing was created.",
                plan.Name, "Rehearse the Aurora part with Test-DrPlan -Live (readiness) and a failover -WhatIf, or drill a copy of the plan without resources.database.");
        }

        /// <summary>The tags of what the drill creates itself (steps add DrTools:Step).</summary>
        IReadOnlyDictionary<string, string> Tags => new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [RecoveryStepBase.TagPlan] = DrillTags.RunName(_plan.Name),
            [RecoveryStepBase.TagRun] = _runId,
            [DrillTags.Drill] = _runId,
        };

        void BuildSteps()
        {
            var recovery = new RecoveryOptions { Approve = _options.Approve };
            var g = new StepGraph(_plan, _services, recovery);
            var r = _plan.Resources;
            CheckScenario();

            // App servers: launched under the drill's run name ("<plan>.drill"), reusing only this drill's own instances.
            var launches = new Dictionary<string, IRecoveryStep>(StringComparer.Ordinal);
            if (_plan.Strategy != DrStrategy.MultiSite)
                foreach (var a in r.AppServers)
                    launches[a.Name] = g.Add(new LaunchInstancesStep("launch-" + a.Name, _services.Ec2, DrillServer(a))
                    {
                        ReuseOnlyWithTags = new Dictionary<string, string> { [DrillTags.Drill] = _runId },
                        ImagesBefore = _options.Scenario == DrillScenario.Ransomware ? _options.Before : null,
                    });

            var groups = new Dictionary<string, IRecoveryStep>(StringComparer.Ordinal);
            foreach (var grp in r.AutoScalingGroups)
            {
                if (_drill.AutoScalingGroups == DrillGroupMode.Skip)
                {
                    _skipped.Add(new DrillSkip("AWS::AutoScaling::AutoScalingGroup", grp.Name, "drill.autoScalingGroups is SKIP: no drill copy; the plan's group is not changed"));
                    continue;
                }
                var region = string.IsNullOrEmpty(grp.Region) ? _plan.DrRegion : grp.Region;
                var asg = _services.AutoScalingFor(region);
                groups[grp.Name] = g.Add(new CopyGroupStep("group-" + grp.Name, asg, grp, DrillName(grp.Name, 255), _drill.SubnetId, Tags));
                _skipped.Add(new DrillSkip("AWS::AutoScaling::AutoScalingGroup", grp.Name, "never resized: the drill runs a copy of it"));
            }

            Database(g);

            foreach (var e in r.ElasticIps)
                _skipped.Add(new DrillSkip("AWS::EC2::EIP", e.AllocationId, "Elastic IPs are never moved by a drill (they serve production)"));
            foreach (var rec in r.Dns?.Records ?? Array.Empty<DnsRecordSpec>())
                _skipped.Add(new DrillSkip("AWS::Route53::RecordSet", $"{rec.Name} {rec.Type}", "production records and weights are never changed by a drill"));

            if (_drill.Dns is { } dns)
            {
                var role = dns.AppServer ?? r.AppServers.FirstOrDefault()?.Name ?? r.AutoScalingGroups.FirstOrDefault()?.Name;
                var source = role == null ? null : launches.TryGetValue(role, out var l) ? l : groups.TryGetValue(role, out var gs) ? gs : null;
                if (source == null)
                    throw new DrToolsException(ErrorIds.InvalidPlan, DrErrorCategory.InvalidArgument,
                        $"drill.dns.appServer '{role}' of plan '{_plan.Name}' names no app server role (or copied Auto Scaling group) the drill starts.", role ?? _plan.Name,
                        "Set drill.dns.appServer to one of resources.appServers[].name, or remove drill.dns.");
                g.Add(new DrillDnsStep("drill-dns", _services.Route53, _services.Ec2, dns, source.Id));
            }
            g.InsertApprovals();
            Steps = g.Steps;
        }

        void CheckScenario()
        {
            if (_options.Scenario == DrillScenario.PointInTime && _options.PointInTime == null)
                throw Invalid("The PointInTime scenario needs -PointInTime: the moment before the user error to restore the database to.");
            if (_options.Scenario == DrillScenario.Ransomware && _options.Before == null)
                throw Invalid("The Ransomware scenario needs -Before: only recovery points taken before this moment are used.");
            if (_drill.Dns is { } dns)
            {
                var clash = (_plan.Resources.Dns?.Records ?? Array.Empty<DnsRecordSpec>()).FirstOrDefault(r => Aws.Route53.Route53Names.SameName(r.Name, dns.RecordName));
                if (clash != null)
                    throw new DrToolsException(ErrorIds.InvalidPlan, DrErrorCategory.InvalidArgument,
                        $"drill.dns.recordName {dns.RecordName} of plan '{_plan.Name}' is one of the plan's production records; a drill never changes those.", dns.RecordName,
                        "Give the drill a name of its own (e.g. drill.app.example.com.).");
            }
        }

        DrToolsException Invalid(string message) =>
            new(ErrorIds.InvalidParameter, DrErrorCategory.InvalidArgument, message, _plan.Name, "Pass the parameter, or run another -Scenario. Nothing was changed.");

        AppServerSpec DrillServer(AppServerSpec a)
        {
            var tags = a.Tags.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
            tags[DrillTags.Drill] = _runId;
            if (!tags.ContainsKey("Name")) tags["Name"] = $"{_plan.Name}-{a.Name}-drill";
            return new AppServerSpec
            {
                Name = a.Name, Ami = a.Ami, InstanceType = a.InstanceType, KeyName = a.KeyName, Count = a.Count, MaxAmiAge = a.MaxAmiAge,
                SubnetId = _drill.SubnetId ?? a.SubnetId,
                SecurityGroupIds = _drill.SecurityGroupIds.Count > 0 ? _drill.SecurityGroupIds : a.SecurityGroupIds,
                Tags = tags,
            };
        }

        void Database(StepGraph g)
        {
            var db = _plan.Resources.Database;
            if (db == null) return;
            var instanceClass = _drill.DbInstanceClass ?? db.TargetInstanceClass;
            var extra = new Dictionary<string, string>(StringComparer.Ordinal) { [DrillTags.Drill] = _runId };
            RestoreDatabaseStep Restore(string source, string? snapshotId, string? primaryId) => new("restore-db", _services.Rds, DatabaseId = DrillName(source, 63),
                snapshotId, primaryId, _plan.Rpo, allowDataLoss: true /* drills report the data's age as RPO instead of refusing */, instanceClass)
            {
                DBSubnetGroupName = _drill.DbSubnetGroupName,
                VpcSecurityGroupIds = _drill.DbSecurityGroupIds,
                ExtraTags = extra,
                PointInTime = _options.Scenario == DrillScenario.PointInTime ? _options.PointInTime!.Value.UtcDateTime
                    : _options.Scenario == DrillScenario.RegionLoss ? db.Restore?.PointInTime?.UtcDateTime : null,
                UseLatestRestorableTime = _options.Scenario == DrillScenario.RegionLoss && db.Restore?.LatestRestorable == true,
                SnapshotsBefore = _options.Scenario == DrillScenario.Ransomware ? _options.Before : null,
                // Point in time: the primary's backups (as replicated to the DR region) come from the plan's primary region.
                SourceRegion = _options.Scenario == DrillScenario.PointInTime ? db.PrimaryRegion ?? _plan.PrimaryRegion : null,
                // A scratch copy: no standby, and nothing that stops cleanup from deleting it.
                MultiAZ = false,
                DeletionProtection = false,
            };

            if (db.ReplicaInstanceId != null)
                _skipped.Add(new DrillSkip("AWS::RDS::DBInstance", db.ReplicaInstanceId, "the read replica is never promoted or resized by a drill"));
            switch (_options.Scenario)
            {
                case DrillScenario.PointInTime:
                case DrillScenario.Ransomware:
                {
                    var primary = db.PrimaryInstanceId
                        ?? throw Invalid($"The {_options.Scenario} scenario restores from the primary database's " +
                                         (_options.Scenario == DrillScenario.PointInTime ? "automated backups" : "snapshots") +
                                         $", but plan '{_plan.Name}' has no resources.database.primaryInstanceId.");
                    g.Add(Restore(db.Restore?.InstanceId is { Length: > 0 } id ? id : primary, null, primary));
                    return;
                }
                default:
                    if (_plan.Strategy != DrStrategy.BackupAndRestore && db.ReplicaInstanceId != null)
                    {
                        SnapshotId = DrillName(db.ReplicaInstanceId, 255);
                        var snap = g.Add(new SnapshotReplicaStep("snapshot-db", _services.Rds, _services.ReplicaLag, db.ReplicaInstanceId, SnapshotId, Tags));
                        var restore = Restore(db.ReplicaInstanceId, SnapshotId, db.PrimaryInstanceId);
                        restore.After(snap.Id);
                        g.Add(restore);
                    }
                    else if (db.Restore != null)
                        g.Add(Restore(db.Restore.InstanceId, db.Restore.SnapshotId, db.PrimaryInstanceId));
                    return;
            }
        }

        /// <summary>"&lt;source&gt;-drill-&lt;run id&gt;" within <paramref name="max"/> characters, in RDS's alphabet.</summary>
        string DrillName(string source, int max)
        {
            var tail = "-drill-" + _runId;
            var head = new string(source.ToLowerInvariant().Select(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' ? c : '-').ToArray());
            while (head.Contains("--")) head = head.Replace("--", "-");
            head = head.Trim('-');
            if (head.Length + tail.Length > max) head = head.Substring(0, max - tail.Length).TrimEnd('-');
            if (head.Length == 0 || !char.IsLetter(head[0])) head = "d" + head;
            return head + tail;
        }

        /// <summary>The cleanup -WhatIf shows (one line per kind).</summary>
        public IReadOnlyList<string> CleanupLines(bool keep)
        {
            if (keep) return new[] { $"-Keep: nothing is deleted; everything stays tagged {DrillTags.Drill}={_runId} (Remove-DrDrill -RunId {_runId} deletes it)." };
            var lines = new List<string>
            {
                $"Find everything tagged {DrillTags.Drill}={_runId} in {_plan.DrRegion} and delete it, also after a failure, a stop condition or Ctrl+C:",
                "  terminate EC2 instances (wait terminated)",
            };
            if (Steps.OfType<CopyGroupStep>().Any()) lines.Add("  delete drill Auto Scaling groups with ForceDelete (wait gone): " + string.Join(", ", Steps.OfType<CopyGroupStep>().Select(s => s.CopyName)));
            if (DatabaseId != null) lines.Add($"  delete DB instance {DatabaseId} without final snapshot, with its automated backups (wait deleted)");
            if (SnapshotId != null) lines.Add($"  delete DB snapshot {SnapshotId} (wait deleted)");
            if (_drill.Dns is { } dns) lines.Add($"  delete the drill record {Aws.Route53.Route53Names.Qualify(dns.RecordName)} A (exactly its current value)");
            lines.Add("Then verify nothing tagged with the run id is left (the result lists leftovers).");
            return lines;
        }
    }
}
