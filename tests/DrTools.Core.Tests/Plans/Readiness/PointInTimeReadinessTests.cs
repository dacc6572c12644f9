using System;
using System.Linq;
using System.Threading.Tasks;
using DrTools.Core.Aws.Rds;
using DrTools.Core.Diagnostics;
using DrTools.Core.Plans;
using DrTools.Core.Plans.Readiness;
using Xunit;

namespace DrTools.Core.Tests.Plans.Readiness
{
    /// <summary>The DbAutomatedBackups readiness check of plans that restore the database to a point in time.</summary>
    public class PointInTimeReadinessTests
    {
        static readonly DateTimeOffset Now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

        static DrPlan Plan(bool latest = true, DateTimeOffset? at = null)
        {
            var template = DrPlanTemplates.Create(DrStrategy.BackupAndRestore);
            var db = template.Resources.Database!;
            // Through the writer and loader, so the plan is what a plan file with these fields gives.
            var json = DrPlanWriter.ToJson(template).Replace("\"instanceId\": \"orders-db-restored\"",
                (latest ? "\"latestRestorable\": true" : $"\"pointInTime\": \"{at:yyyy-MM-ddTHH:mm:ssZ}\"") + ", \"instanceId\": \"orders-db-restored\"");
            Assert.Equal("orders-db", db.PrimaryInstanceId);
            return DrPlanLoader.Parse(json).GetPlanOrThrow();
        }

        static DbAutomatedBackup Replicated(TimeSpan? latestAge, string sourceRegion = "us-east-1") => new()
        {
            DBInstanceIdentifier = "orders-db", SourceRegion = sourceRegion, Region = "us-west-2", Status = "replicating",
            Arn = "arn:aws:rds:us-west-2:123456789012:auto-backup:ab-orders", EarliestRestorableTime = (Now - TimeSpan.FromDays(7)).UtcDateTime,
            LatestRestorableTime = latestAge is { } a ? (Now - a).UtcDateTime : null,
        };

        static async Task<ReadinessCheck> Check(FakeAws aws, DrPlan plan)
        {
            using var services = aws.Services();
            var checks = await new ReadinessChecker(services, null, () => Now).CheckAsync(plan);
            Assert.DoesNotContain(checks, c => c.Check == ReadinessChecks.DbSnapshot);
            return Assert.Single(checks, c => c.Check == ReadinessChecks.DbAutomatedBackups);
        }

        [Fact]
        public async Task Replicated_backups_within_the_RPO_are_ready()
        {
            var aws = new FakeAws();
            aws.AutomatedBackups.Add(Replicated(TimeSpan.FromMinutes(20)));
            var c = await Check(aws, Plan());
            Assert.True(c.Ready, c.Reason);
            Assert.Equal(("automated backups of orders-db", "us-west-2"), (c.Resource, c.Region));
            Assert.Contains("20m old; the plan allows 1d (rpo)", c.Reason);
            Assert.Contains("restorable 2025-05-25T12:00:00Z to 2025-06-01T11:40:00Z", c.Observed);
            Assert.Contains("DescribeDBInstanceAutomatedBackups us-west-2", aws.Calls);
        }

        [Fact]
        public async Task Missing_replication_is_not_ready_and_names_Enable_DrBackupReplication()
        {
            var aws = new FakeAws();
            aws.AutomatedBackups.Add(Replicated(TimeSpan.FromMinutes(5), sourceRegion: "eu-west-1")); // another primary region's backups do not count
            var c = await Check(aws, Plan());
            Assert.False(c.Ready);
            Assert.Contains("are not replicated to us-west-2", c.Reason);
            Assert.Contains("Enable-DrBackupReplication -DBInstanceIdentifier orders-db -SourceRegion us-east-1 -Region us-west-2", c.Reason);
        }

        [Fact]
        public async Task A_latest_restorable_time_older_than_the_RPO_or_unknown_is_not_ready()
        {
            var aws = new FakeAws();
            aws.AutomatedBackups.Add(Replicated(TimeSpan.FromDays(2)));
            var old = await Check(aws, Plan());
            Assert.False(old.Ready);
            Assert.Contains("2d old; the plan allows 1d (rpo)", old.Reason);
            Assert.Contains("Enable-DrBackupReplication", old.Reason);

            aws.AutomatedBackups[0] = Replicated(null);
            var unknown = await Check(aws, Plan());
            Assert.False(unknown.Ready);
            Assert.Contains("no latest restorable time", unknown.Reason);
        }

        [Fact]
        public async Task A_fixed_point_in_time_must_be_inside_the_window()
        {
            var aws = new FakeAws();
            aws.AutomatedBackups.Add(Replicated(TimeSpan.FromMinutes(10)));
            var inside = await Check(aws, Plan(latest: false, at: Now - TimeSpan.FromDays(3)));
            Assert.True(inside.Ready, inside.Reason);
            var before = await Check(aws, Plan(latest: false, at: Now - TimeSpan.FromDays(9)));
            Assert.False(before.Ready);
            Assert.Contains("2025-05-23T12:00:00Z (restore.pointInTime) is outside the restorable window", before.Reason);
        }

        [Fact]
        public async Task A_failed_call_makes_the_check_not_ready_with_the_error_id()
        {
            var aws = new FakeAws();
            aws.Fail["DescribeDBInstanceAutomatedBackups"] = FakeAws.AwsError(ErrorIds.AccessDenied, "AccessDenied", "RDS");
            var c = await Check(aws, Plan());
            Assert.Equal((false, ErrorIds.AccessDenied), (c.Ready, c.ErrorId));
        }
    }
}
