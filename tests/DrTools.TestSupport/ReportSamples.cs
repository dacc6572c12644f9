using System;
using System.Collections.Generic;
using System.Linq;
using DrTools.Core.Backup;
using DrTools.Core.Plans.Readiness;
using DrTools.Core.Recovery.Engine;
using DrTools.Core.RecoveryPoints;
using DrTools.Core.Reports;

namespace DrTools.TestSupport
{
    /// <summary>
    /// Fixed inputs for report tests (the unit tests, the golden files, the browser test, the README screenshot): a pilot-light
    /// failover of plan "orders" in 4 waves with an approval and a health wait, a failed run, a drill, readiness checks, backups.
    /// </summary>
    public static class ReportSamples
    {
        public static readonly DateTimeOffset T0 = new(2026, 3, 14, 2, 0, 0, TimeSpan.Zero);
        public static readonly DateTimeOffset Now = new(2026, 3, 14, 6, 0, 0, TimeSpan.Zero);

        /// <summary>"UTC+02:00 (Test/Plus2)": a fixed zone, so times in golden files show an offset and never depend on the machine.</summary>
        public static readonly TimeZoneInfo Zone = TimeZoneInfo.CreateCustomTimeZone("Test/Plus2", TimeSpan.FromHours(2), "Test/Plus2", "Test/Plus2");

        static StepResult Step(string id, StepKind kind, int wave, string description, StepStatus status, double? startMin, double? durationMin,
            StepResource[]? resources = null, string[]? ids = null, string? message = null, string? errorId = null) => new()
        {
            StepId = id, Kind = kind, Wave = wave, Description = description, Status = status,
            Started = startMin is { } s ? T0.AddMinutes(s) : null,
            Finished = startMin is { } s2 && durationMin is { } d ? T0.AddMinutes(s2 + d) : null,
            Resources = resources ?? Array.Empty<StepResource>(), ResourceIds = ids ?? Array.Empty<string>(),
            Message = message, ErrorId = errorId, Attempts = status == StepStatus.NotStarted ? 0 : 1,
        };

        /// <summary>A successful failover: 7 steps in 4 waves, 22 minutes against a 30-minute RTO.</summary>
        public static RecoveryResult Failover(string runId = "20260314T020000Z-a1b2c3", DateTimeOffset? start = null, double minutes = 22, bool succeeded = true)
        {
            var shift = (start ?? T0) - T0;
            var steps = new List<StepResult>
            {
                Step("promote-db", StepKind.PromoteDatabase, 1, "Promote read replica orders-db-dr in us-west-2", StepStatus.Succeeded, 0, 9,
                    new[] { new StepResource("AWS::RDS::DBInstance", "orders-db-dr", "us-west-2", "promote") }, new[] { "orders-db-dr" },
                    "Promoted orders-db-dr (endpoint orders-db-dr.c9akciq32.us-west-2.rds.amazonaws.com)."),
                Step("launch-web", StepKind.LaunchInstances, 1, "Launch 2 x web from ami-0abc1234 in us-west-2", StepStatus.Succeeded, 0, 4,
                    new[] { new StepResource("AWS::EC2::Instance", "2 x web from ami-0abc1234", "us-west-2", "launch") }, new[] { "i-0a1b2c3d4e5f60001", "i-0a1b2c3d4e5f60002" },
                    "Launched i-0a1b2c3d4e5f60001 (10.20.1.15), i-0a1b2c3d4e5f60002 (10.20.2.16)."),
                Step("approve-dns", StepKind.ManualApproval, 2, "Approval before changing DNS", StepStatus.Succeeded, 9, 3, message: "Approved by the operator."),
                Step("attach-eip", StepKind.AssociateElasticIp, 2, "Associate eipalloc-0fe12 with the first web instance", StepStatus.Skipped, 9, 0.1,
                    new[] { new StepResource("AWS::EC2::EIP", "eipalloc-0fe12", "us-west-2", "associate") }, message: "Already associated with i-0a1b2c3d4e5f60001 (52.12.34.56)."),
                Step("wait-web", StepKind.WaitHealthy, 3, "Wait until the web targets are healthy", StepStatus.Succeeded, 12, 5,
                    new[] { new StepResource("AWS::ElasticLoadBalancingV2::TargetGroup", "web-dr", "us-west-2", "wait healthy") }, message: "2 of 2 targets healthy."),
                Step("scale-web", StepKind.ScaleGroup, 3, "Scale web-asg-dr to min 2/max 10/desired 4", StepStatus.Succeeded, 12, 3,
                    new[] { new StepResource("AWS::AutoScaling::AutoScalingGroup", "web-asg-dr", "us-west-2", "scale to min 2/max 10/desired 4") }),
                Step("change-dns", StepKind.ChangeDns, 4, "Point orders.example.com at the DR load balancer", StepStatus.Succeeded, 17, 5,
                    new[] { new StepResource("AWS::Route53::RecordSet", "orders.example.com.", null, "UPSERT CNAME") }, new[] { "C0123456789ABCDEFGHIJ" },
                    "Change C0123456789ABCDEFGHIJ is INSYNC in hosted zone of account 123456789012."),
            };
            if (!succeeded)
            {
                steps[6] = Step("change-dns", StepKind.ChangeDns, 4, "Point orders.example.com at the DR load balancer", StepStatus.Failed, 17, 2,
                    new[] { new StepResource("AWS::Route53::RecordSet", "orders.example.com.", null, "UPSERT CNAME") },
                    message: "Access denied: arn:aws:iam::123456789012:user/dr-admin is not allowed route53:ChangeResourceRecordSets.", errorId: "DrTools.AccessDenied");
                steps[4] = Step("wait-web", StepKind.WaitHealthy, 3, "Wait until the web targets are healthy", StepStatus.Succeeded, 12, 5);
                steps.Add(Step("notify", StepKind.Custom, 5, "Post to the incident channel", StepStatus.NotStarted, null, null,
                    message: "Not started: it depends on 'change-dns', which failed."));
            }
            var shifted = steps.Select(s => new StepResult
            {
                StepId = s.StepId, Kind = s.Kind, Wave = s.Wave, Description = s.Description, Status = s.Status,
                Started = s.Started?.Add(shift), Finished = s.Finished?.Add(shift), Resources = s.Resources, ResourceIds = s.ResourceIds,
                Message = s.Message, ErrorId = s.ErrorId, Attempts = s.Attempts,
            }).ToList();
            return new RecoveryResult
            {
                Plan = "orders", Strategy = "PILOT_LIGHT", RunId = runId,
                Started = (start ?? T0), Finished = (start ?? T0).AddMinutes(succeeded ? minutes : 19),
                RtoTarget = TimeSpan.FromMinutes(30), Succeeded = succeeded, Attempt = 1,
                JournalPath = "/var/lib/drtools/journals/orders/" + runId + ".json", Steps = shifted,
            };
        }

        public static ReportDrill Drill() => new()
        {
            Plan = "orders", RunId = "drill-20260314T040000Z-d4e5f6", Scenario = "failover", Strategy = "PILOT_LIGHT", Passed = false,
            Started = T0.AddHours(2), Finished = T0.AddHours(2).AddMinutes(25),
            AchievedRto = TimeSpan.FromMinutes(18), RtoTarget = TimeSpan.FromMinutes(30), RtoMet = true,
            AchievedRpo = TimeSpan.FromMinutes(75), RpoTarget = TimeSpan.FromHours(1), RpoMet = false,
            Rpo = new[]
            {
                new ReportDrillRpo("database", "rds:orders-db-2026-03-14-0245", T0.AddMinutes(45), TimeSpan.FromMinutes(75)),
                new ReportDrillRpo("web", "ami-0abc1234", T0.AddMinutes(90), TimeSpan.FromMinutes(30)),
            },
            Steps = new[]
            {
                new StepResult { StepId = "restore-db", Kind = StepKind.RestoreDatabase, Description = "Restore orders-db-drill from the newest snapshot", Status = StepStatus.Succeeded,
                    Started = T0.AddHours(2), Finished = T0.AddHours(2).AddMinutes(12), Attempts = 1,
                    Resources = new[] { new StepResource("AWS::RDS::DBInstance", "orders-db-drill", "us-west-2", "restore") } },
                new StepResult { StepId = "launch-web", Kind = StepKind.LaunchInstances, Description = "Launch 1 x web in the drill subnet", Status = StepStatus.Succeeded,
                    Started = T0.AddHours(2), Finished = T0.AddHours(2).AddMinutes(4), Attempts = 1, ResourceIds = new[] { "i-0d1d2d3d4d5d60001" } },
                new StepResult { StepId = "probe", Kind = StepKind.WaitHealthy, Description = "Wait for the drill endpoint", Status = StepStatus.Succeeded,
                    Started = T0.AddHours(2).AddMinutes(12), Finished = T0.AddHours(2).AddMinutes(18), Attempts = 1 },
            },
            Validation = new[]
            {
                new ReportValidation("GET https://10.20.9.9/health", true, "200 OK in 84 ms", T0.AddHours(2).AddMinutes(18), T0.AddHours(2).AddMinutes(18).AddSeconds(1)),
                new ReportValidation("orders table has rows from the last hour", false, "newest row is 75 minutes old", T0.AddHours(2).AddMinutes(19), T0.AddHours(2).AddMinutes(19).AddSeconds(3)),
            },
            StopReason = null,
            CleanedUp = false,
            Leftovers = new[] { new ReportLeftover("AWS::EC2::Volume", "vol-0abcabcabcabc0001", "us-west-2", "available") },
        };

        public static IReadOnlyList<ReadinessCheck> Readiness() => new[]
        {
            new ReadinessCheck { Plan = "orders", Check = "AmiAvailable", Resource = "ami-0abc1234", Region = "us-west-2", Ready = true, Reason = "Available, 6 hours old.",
                Observed = "ami-0abc1234 available", CheckedAt = Now },
            new ReadinessCheck { Plan = "orders", Check = "ReplicaLag", Resource = "orders-db-dr", Region = "us-west-2", Ready = false, Reason = "Replica lag 95 s is over the RPO margin.",
                Observed = "ReplicaLag=95", CheckedAt = Now },
            new ReadinessCheck { Plan = "orders", Check = "HostedZone", Resource = "orders.example.com.", Region = "global", Ready = true, Reason = "Zone found.",
                Observed = "Z0123456789 (account 123456789012)", CheckedAt = Now },
        };

        public static IReadOnlyList<RecoveryPoint> RecoveryPoints() => new[]
        {
            new RecoveryPoint { Kind = RecoveryPointKind.DBSnapshot, Id = "orders-db-2026-03-14-0245", SourceId = "orders-db", Region = "us-west-2",
                Created = T0.AddMinutes(45).UtcDateTime, State = "available", SizeGiB = 100, Rpo = TimeSpan.FromHours(24) },
            new RecoveryPoint { Kind = RecoveryPointKind.DBSnapshot, Id = "orders-db-2026-03-13-0245", SourceId = "orders-db", Region = "us-west-2",
                Created = T0.AddMinutes(45).AddDays(-1).UtcDateTime, State = "available", SizeGiB = 100, Rpo = TimeSpan.FromHours(24) },
            new RecoveryPoint { Kind = RecoveryPointKind.Image, Id = "ami-0abc1234", SourceId = "i-0123456789abcdef0", Region = "us-west-2",
                Created = T0.AddDays(-2).UtcDateTime, State = "available", Rpo = TimeSpan.FromHours(24) },
        };

        public static IReadOnlyList<BackupSet> BackupSets() => new[]
        {
            new BackupSet { Id = "20260314T010000Z-0f0f", Time = T0.AddHours(-1).UtcDateTime, Files = 1200, Bytes = 5L << 30, Repository = "/srv/drbackup", Host = "fs01",
                SourcePaths = new[] { "/data" } },
        };

        public static IReadOnlyList<RestoreTestResult> RestoreTests() => new[]
        {
            new RestoreTestResult { Passed = true, BackupSetId = "20260314T010000Z-0f0f", BackupTime = T0.AddHours(-1).UtcDateTime, Repository = "/srv/drbackup",
                Mode = "Restore", FilesChecked = 1200, BytesChecked = 5L << 30, Duration = TimeSpan.FromMinutes(3), RtoTarget = TimeSpan.FromMinutes(5), RtoMet = true },
            new RestoreTestResult { Passed = true, BackupSetId = "orders-db-2026-03-14-0245", BackupTime = T0.AddMinutes(45).UtcDateTime, Repository = "us-west-2",
                Mode = "Drill", Kind = "DBSnapshot", Duration = TimeSpan.FromMinutes(14), RestoredId = "orders-db-test" },
        };

        /// <summary>Every kind of input: two failovers (one failed), a drill, readiness checks, backups and restore tests.</summary>
        public static ReportInputs Everything()
        {
            var inputs = new ReportInputs();
            inputs.Recoveries.Add(Failover("20260313T020000Z-000001", T0.AddDays(-1), minutes: 34));
            inputs.Recoveries.Add(Failover("20260314T020000Z-a1b2c3", succeeded: false));
            inputs.Drills.Add(Drill());
            inputs.Readiness.AddRange(Readiness());
            inputs.RecoveryPoints.AddRange(RecoveryPoints());
            inputs.BackupSets.AddRange(BackupSets());
            inputs.RestoreTests.AddRange(RestoreTests());
            return inputs;
        }

        public static ReportOptions Options(bool redact = false) => new()
        {
            Now = Now, TimeZone = Zone, Redact = redact, OsUser = "dradmin", Machine = "jump01", ToolVersion = "0.1.0",
            Account = "123456789012", Arn = "arn:aws:iam::123456789012:user/dr-admin", UserId = "AIDAEXAMPLEUSERID",
        };
    }
}
