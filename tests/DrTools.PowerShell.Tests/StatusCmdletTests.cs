using System;
using System.IO;
using System.Linq;
using System.Threading;
using DrTools.Core.Drills;
using DrTools.Core.Plans.Readiness;
using DrTools.Core.Recovery.Engine;
using DrTools.Core.Status;
using DrTools.TestSupport;
using Xunit;

namespace DrTools.PowerShell.Tests
{
    /// <summary>Get-DrStatus and -NotifyTopicArn as an admin (or a scheduled job) runs them, against a loopback fake AWS.</summary>
    public sealed class StatusCmdletTests : IDisposable
    {
        const string Keys = "-AccessKey AKIDTEST -SecretKey TopSecretValue42";
        const string Topic = "arn:aws:sns:us-east-1:123456789012:dr-alerts";
        readonly string _root = Path.Combine(Path.GetTempPath(), "drtools-status-" + Guid.NewGuid().ToString("N").Substring(0, 8));

        public StatusCmdletTests() => Directory.CreateDirectory(_root);

        public void Dispose()
        {
            try { Directory.Delete(_root, true); } catch (IOException) { }
        }

        const string Plan = "@{ name = 'orders'; strategy = 'PILOT_LIGHT'; primaryRegion = 'us-east-1'; drRegion = 'us-west-2'; rto = 'PT1H'; rpo = 'PT15M'; " +
            "resources = @{ appServers = @{ name = 'web'; ami = 'ami-0123456789abcdef0'; instanceType = 't3.large'; maxAmiAge = 'P7D' }; " +
            "database = @{ primaryInstanceId = 'orders-db'; replicaInstanceId = 'orders-db-dr' } } }";

        static readonly string AmiCreated = DateTime.UtcNow.AddHours(-5).ToString("yyyy-MM-ddTHH:mm:ss.000Z");

        static FakeResponse Answers(FakeRequest q, double lagSeconds, bool snsDenied = false) => (q.Service, q.Action) switch
        {
            ("ec2", "DescribeRegions") => new(200,
                "<DescribeRegionsResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"><requestId>r0</requestId><regionInfo>" +
                string.Concat(new[] { "us-east-1", "us-west-2" }.Select(r =>
                    $"<item><regionName>{r}</regionName><regionEndpoint>ec2.{r}.amazonaws.com</regionEndpoint><optInStatus>opt-in-not-required</optInStatus></item>")) +
                "</regionInfo></DescribeRegionsResponse>"),
            ("ec2", "DescribeImages") => new(200,
                "<DescribeImagesResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"><requestId>r1</requestId><imagesSet><item>" +
                $"<imageId>ami-0123456789abcdef0</imageId><imageState>available</imageState><name>orders-web-1</name><creationDate>{AmiCreated}</creationDate>" +
                "<imageOwnerId>123456789012</imageOwnerId><blockDeviceMapping/><tagSet/></item></imagesSet></DescribeImagesResponse>"),
            // The instance quota check (readiness): nothing running, room for the app server.
            ("ec2", "DescribeInstances") => new(200, "<DescribeInstancesResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"><requestId>r9</requestId><reservationSet/></DescribeInstancesResponse>"),
            ("ec2", "DescribeInstanceTypes") => new(200,
                "<DescribeInstanceTypesResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"><requestId>r10</requestId><instanceTypeSet><item>" +
                "<instanceType>t3.large</instanceType><vCpuInfo><defaultVCpus>2</defaultVCpus></vCpuInfo></item></instanceTypeSet></DescribeInstanceTypesResponse>"),
            ("servicequotas", _) => new(200, "{\"Quota\":{\"ServiceCode\":\"ec2\",\"QuotaCode\":\"L-1216C47A\",\"Value\":64.0}}", "application/x-amz-json-1.1"),
            ("ec2", "DescribeSnapshots") => new(200, "<DescribeSnapshotsResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"><requestId>r2</requestId><snapshotSet/></DescribeSnapshotsResponse>"),
            ("rds", "DescribeDBInstances") => new(200,
                "<DescribeDBInstancesResponse xmlns=\"http://rds.amazonaws.com/doc/2014-10-31/\"><DescribeDBInstancesResult><DBInstances><DBInstance>" +
                "<DBInstanceIdentifier>orders-db-dr</DBInstanceIdentifier><DBInstanceClass>db.t3.micro</DBInstanceClass><DBInstanceStatus>available</DBInstanceStatus>" +
                "<ReadReplicaSourceDBInstanceIdentifier>arn:aws:rds:us-east-1:123456789012:db:orders-db</ReadReplicaSourceDBInstanceIdentifier>" +
                "</DBInstance></DBInstances></DescribeDBInstancesResult><ResponseMetadata><RequestId>r3</RequestId></ResponseMetadata></DescribeDBInstancesResponse>"),
            ("rds", "DescribeDBSnapshots") => new(200,
                "<DescribeDBSnapshotsResponse xmlns=\"http://rds.amazonaws.com/doc/2014-10-31/\"><DescribeDBSnapshotsResult><DBSnapshots/></DescribeDBSnapshotsResult><ResponseMetadata><RequestId>r4</RequestId></ResponseMetadata></DescribeDBSnapshotsResponse>"),
            ("rds", "DescribeDBInstanceAutomatedBackups") => new(200,
                "<DescribeDBInstanceAutomatedBackupsResponse xmlns=\"http://rds.amazonaws.com/doc/2014-10-31/\"><DescribeDBInstanceAutomatedBackupsResult><DBInstanceAutomatedBackups/></DescribeDBInstanceAutomatedBackupsResult><ResponseMetadata><RequestId>r5</RequestId></ResponseMetadata></DescribeDBInstanceAutomatedBackupsResponse>"),
            ("monitoring", "GetMetricStatistics") => new(200,
                "<GetMetricStatisticsResponse xmlns=\"http://monitoring.amazonaws.com/doc/2010-08-01/\"><GetMetricStatisticsResult><Label>ReplicaLag</Label><Datapoints><member>" +
                $"<Timestamp>{DateTime.UtcNow.AddMinutes(-1):yyyy-MM-ddTHH:mm:ssZ}</Timestamp><Maximum>{lagSeconds}</Maximum><Unit>Seconds</Unit></member></Datapoints>" +
                "</GetMetricStatisticsResult><ResponseMetadata><RequestId>r6</RequestId></ResponseMetadata></GetMetricStatisticsResponse>"),
            ("monitoring", "PutMetricData") => new(200,
                "<PutMetricDataResponse xmlns=\"http://monitoring.amazonaws.com/doc/2010-08-01/\"><ResponseMetadata><RequestId>r7</RequestId></ResponseMetadata></PutMetricDataResponse>"),
            ("sns", "Publish") when snsDenied => FakeAwsServer.QueryError(403, "AuthorizationError", "User is not authorized to perform: SNS:Publish on resource: " + Topic),
            ("sns", "Publish") => new(200,
                "<PublishResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><PublishResult><MessageId>m-1</MessageId></PublishResult><ResponseMetadata><RequestId>r8</RequestId></ResponseMetadata></PublishResponse>"),
            _ => FakeAwsServer.QueryError(400, "UnknownOperation", $"no fake answer for {q.Service} {q.Action}"),
        };

        [Fact]
        public void Get_DrStatus_writes_the_rows_then_the_summary_alerts_the_topic_and_publishes_the_metrics()
        {
            using var aws = new FakeAwsServer(q => Answers(q, lagSeconds: 1200));
            var r = PsHarness.Run($"Get-DrStatus -Plan {Plan} -NotifyTopicArn {Topic} -PublishMetrics -EndpointUrl {aws.Url} {Keys}");
            Assert.True(r.Terminating == null && r.Errors.Count == 0, r.Describe());

            var rows = r.Output.Take(r.Output.Count - 1).Select(o => Assert.IsType<DrStatusRow>(o.BaseObject)).ToList();
            var summary = Assert.IsType<DrStatusSummary>(r.Output.Last().BaseObject);
            var lag = rows.Single(x => x.Kind == "ReplicaLag");
            Assert.Equal(("orders-db-dr", DrStatusLevel.Failing, "20m", "<= 15m"), (lag.Component, lag.Status, lag.Value, lag.Target));
            Assert.Contains(rows, x => x.Kind == "DbReplica" && x.Status == DrStatusLevel.Ok);
            Assert.Equal((DrStatusLevel.Failing, (bool?)false), (summary.Status, summary.MeetsRpo));
            Assert.Contains(r.Warnings, w => w.StartsWith("Plan 'orders' is FAILING", StringComparison.Ordinal) && w.Contains("Next step: ReplicaLag orders-db-dr"));

            // The alert: one Publish to the topic's region, a short subject naming the plan and the first problem.
            var publish = Assert.Single(aws.Requests, q => q.Action == "Publish");
            Assert.Equal(("sns", "us-east-1", Topic), (publish.Service, publish.Region, publish.Form["TopicArn"]));
            Assert.StartsWith("DrTools: plan orders FAILING: ReplicaLag orders-db-dr", publish.Form["Subject"]);
            Assert.True(publish.Form["Subject"].Length < 100);
            Assert.Contains("does NOT meet its RPO", publish.Form["Message"]);
            Assert.DoesNotContain("TopSecretValue42", publish.Form["Message"]);

            // The metrics: in the DR region, namespace DrTools, the lag in seconds under Plan and Component.
            var put = Assert.Single(aws.Requests, q => q.Action == "PutMetricData");
            Assert.Equal(("monitoring", "us-west-2", "DrTools"), (put.Service, put.Region, put.Form["Namespace"]));
            var i = put.Form.Single(kv => kv.Key.EndsWith(".MetricName", StringComparison.Ordinal) && kv.Value == "ReplicaLag").Key.Split('.')[2];
            Assert.Equal(("1200", "Seconds", "Plan", "orders", "Component", "orders-db-dr"),
                (put.Form[$"MetricData.member.{i}.Value"], put.Form[$"MetricData.member.{i}.Unit"],
                 put.Form[$"MetricData.member.{i}.Dimensions.member.1.Name"], put.Form[$"MetricData.member.{i}.Dimensions.member.1.Value"],
                 put.Form[$"MetricData.member.{i}.Dimensions.member.2.Name"], put.Form[$"MetricData.member.{i}.Dimensions.member.2.Value"]));
        }

        const string DrilledPlan = "@{ name = 'orders'; strategy = 'PILOT_LIGHT'; primaryRegion = 'us-east-1'; drRegion = 'us-west-2'; rto = 'PT1H'; rpo = 'PT15M'; " +
            "drill = @{ maxAge = 'P30D' }; " +
            "resources = @{ appServers = @{ name = 'web'; ami = 'ami-0123456789abcdef0'; instanceType = 't3.large'; maxAmiAge = 'P7D' }; " +
            "database = @{ primaryInstanceId = 'orders-db'; replicaInstanceId = 'orders-db-dr' } } }";

        [Fact]
        public async System.Threading.Tasks.Task Test_DrPlan_and_Get_DrStatus_hold_the_last_passing_drill_in_JournalPath_against_drill_maxAge()
        {
            using var aws = new FakeAwsServer(q => Answers(q, lagSeconds: 20));
            var journals = Path.Combine(_root, "journals");
            Directory.CreateDirectory(journals);

            // No drill recorded yet: not ready, naming where it looked and what to run.
            var none = PsHarness.Run($"Test-DrPlan -Plan {DrilledPlan} -Live -JournalPath {PsHarness.Quote(journals)} -EndpointUrl {aws.Url} {Keys}");
            var missing = none.Output.Select(o => o.BaseObject).OfType<ReadinessCheck>().Single(c => c.Check == "LastDrill");
            Assert.False(missing.Ready);
            Assert.StartsWith("No passing drill recorded in " + journals, missing.Reason);
            Assert.Contains("Invoke-DrDrill -Plan orders", missing.Reason);

            var now = DateTimeOffset.UtcNow;
            await new DrillHistory(new RecoveryJournalStore(journals)).SaveAsync(new DrillResult
            {
                Plan = "orders", RunId = "drill-1", Passed = true, Started = now.AddDays(-3).AddHours(-1), Finished = now.AddDays(-3),
            }, CancellationToken.None);

            var ready = PsHarness.Run($"Test-DrPlan -Plan {DrilledPlan} -Live -JournalPath {PsHarness.Quote(journals)} -EndpointUrl {aws.Url} {Keys}");
            Assert.True(ready.Output.Select(o => o.BaseObject).OfType<ReadinessCheck>().Single(c => c.Check == "LastDrill").Ready, ready.Describe());

            var status = PsHarness.Run($"Get-DrStatus -Plan {DrilledPlan} -JournalPath {PsHarness.Quote(journals)} -PublishMetrics -EndpointUrl {aws.Url} {Keys}");
            Assert.True(status.Terminating == null && status.Errors.Count == 0, status.Describe());
            var row = status.Output.Select(o => o.BaseObject).OfType<DrStatusRow>().Single(x => x.Kind == "LastDrill");
            Assert.Equal(("plan", DrStatusLevel.Ok, "3d", "<= 30d"), (row.Component, row.Status, row.Value, row.Target));
            var put = aws.Requests.Last(q => q.Action == "PutMetricData");
            Assert.Contains(put.Form, kv => kv.Key.EndsWith(".MetricName", StringComparison.Ordinal) && kv.Value == "LastDrillAge");
            var i = put.Form.Single(kv => kv.Key.EndsWith(".MetricName", StringComparison.Ordinal) && kv.Value == "LastDrillPassed").Key.Split('.')[2];
            Assert.Equal(("1", "plan"), (put.Form[$"MetricData.member.{i}.Value"], put.Form[$"MetricData.member.{i}.Dimensions.member.2.Value"]));
        }

        [Fact]
        public void A_healthy_plan_sends_nothing_unless_NotifyOnSuccess()
        {
            using var aws = new FakeAwsServer(q => Answers(q, lagSeconds: 20));
            var quiet = PsHarness.Run($"Get-DrStatus -Plan {Plan} -NotifyTopicArn {Topic} -EndpointUrl {aws.Url} {Keys}");
            Assert.True(quiet.Terminating == null && quiet.Errors.Count == 0, quiet.Describe());
            Assert.True(DrStatusLevel.Ok == Assert.IsType<DrStatusSummary>(quiet.Output.Last().BaseObject).Status,
                string.Join("\n", quiet.Output.Select(o => o.BaseObject).OfType<DrStatusRow>().Where(x => x.Status != DrStatusLevel.Ok)));
            Assert.DoesNotContain(aws.Requests, q => q.Action == "Publish");

            var loud = PsHarness.Run($"Get-DrStatus -Plan {Plan} -NotifyTopicArn {Topic} -NotifyOnSuccess -EndpointUrl {aws.Url} {Keys}");
            Assert.True(loud.Terminating == null && loud.Errors.Count == 0, loud.Describe());
            Assert.StartsWith("DrTools: plan orders OK", Assert.Single(aws.Requests, q => q.Action == "Publish").Form["Subject"]);
        }

        [Fact]
        public void A_publish_that_fails_is_a_warning_and_never_hides_the_status()
        {
            using var aws = new FakeAwsServer(q => Answers(q, lagSeconds: 1200, snsDenied: true));
            var r = PsHarness.Run($"Get-DrStatus -Plan {Plan} -NotifyTopicArn {Topic} -EndpointUrl {aws.Url} {Keys}");
            Assert.True(r.Terminating == null && r.Errors.Count == 0, r.Describe());
            Assert.IsType<DrStatusSummary>(r.Output.Last().BaseObject);
            Assert.Contains(r.Warnings, w => w.Contains($"The notification to {Topic} was not sent (DrTools.AccessDenied", StringComparison.Ordinal));
        }

        [Fact]
        public void A_plan_that_cannot_be_read_is_alerted_in_the_topics_region_even_without_a_default_region()
        {
            using var aws = new FakeAwsServer(q => Answers(q, lagSeconds: 20));
            var missing = Path.Combine(_root, "orders.json");
            var r = PsHarness.Run($"Get-DrStatus -Plan {PsHarness.Quote(missing)} -NotifyTopicArn {Topic} -EndpointUrl {aws.Url} {Keys}");
            Assert.Equal("DrTools.NotFound", Assert.Single(r.Errors).FullyQualifiedErrorId.Split(',')[0]);
            Assert.DoesNotContain(r.Warnings, w => w.Contains("was not sent", StringComparison.Ordinal));
            var publish = Assert.Single(aws.Requests, q => q.Action == "Publish");
            Assert.Equal("us-east-1", publish.Region);
            Assert.Contains("[DrTools.NotFound]", publish.Form["Message"]);
        }

        [Fact]
        public void Each_piped_plan_that_cannot_be_read_sends_its_own_alert()
        {
            using var aws = new FakeAwsServer(q => Answers(q, lagSeconds: 20));
            var first = Path.Combine(_root, "first.json");
            var second = Path.Combine(_root, "second.json");
            var r = PsHarness.Run($"{PsHarness.Quote(first)}, {PsHarness.Quote(second)} | Get-DrStatus -NotifyTopicArn {Topic} -EndpointUrl {aws.Url} {Keys}");
            Assert.Equal(2, r.Errors.Count);
            var messages = aws.Requests.Where(q => q.Action == "Publish").Select(q => q.Form["Message"]).ToList();
            Assert.Equal(2, messages.Count);
            Assert.Contains("first.json", messages[0]);
            Assert.DoesNotContain("second.json", messages[0]);
            Assert.Contains("second.json", messages[1]);
            Assert.DoesNotContain("first.json", messages[1]);
        }

        [Fact]
        public void A_recovery_whose_plan_cannot_be_read_sends_one_alert()
        {
            using var aws = new FakeAwsServer(q => Answers(q, lagSeconds: 20));
            var missing = Path.Combine(_root, "orders.json");
            var r = PsHarness.Run($"Invoke-DrFailover -Plan {PsHarness.Quote(missing)} -Force -NotifyTopicArn {Topic} -EndpointUrl {aws.Url} {Keys}");
            Assert.Equal("DrTools.NotFound", Assert.Single(r.Errors).FullyQualifiedErrorId.Split(',')[0]);
            var publish = Assert.Single(aws.Requests, q => q.Action == "Publish");
            Assert.Contains("[DrTools.NotFound]", publish.Form["Message"]);
            Assert.Contains("orders.json", publish.Form["Message"]);
        }

        [Fact]
        public void A_topic_that_is_no_SNS_ARN_is_refused_before_anything_runs()
        {
            using var aws = new FakeAwsServer(q => Answers(q, lagSeconds: 20));
            var r = PsHarness.Run($"Get-DrStatus -Plan {Plan} -NotifyTopicArn dr-alerts -EndpointUrl {aws.Url} {Keys}");
            var error = Assert.Single(r.AllErrors);
            Assert.StartsWith("ParameterArgumentValidationError,", error.FullyQualifiedErrorId);
            Assert.Contains("'dr-alerts' is not an SNS topic ARN", error.Exception.Message);
            Assert.Empty(r.Output);
            Assert.Empty(aws.Requests);
        }

        [Fact]
        public void Invoke_DrBackup_alerts_a_failed_backup_with_the_error_id_and_a_passed_one_only_with_NotifyOnSuccess()
        {
            var data = Path.Combine(_root, "data");
            Directory.CreateDirectory(data);
            File.WriteAllText(Path.Combine(data, "a.txt"), "hello");
            var repo = Path.Combine(_root, "repo");
            using var aws = new FakeAwsServer(q => Answers(q, lagSeconds: 0));
            var connect = $"-NotifyTopicArn {Topic} -Region us-east-1 -EndpointUrl {aws.Url} {Keys}";

            var ok = PsHarness.Run($"Invoke-DrBackup -Path {PsHarness.Quote(data)} -Repository {PsHarness.Quote(repo)} -NotifyOnSuccess {connect}");
            Assert.True(ok.Terminating == null && ok.Errors.Count == 0, ok.Describe());
            Assert.StartsWith($"DrTools: {repo} OK: Backup set ", Assert.Single(aws.Requests, q => q.Action == "Publish").Form["Subject"]);

            var missing = Path.Combine(_root, "no-such-folder");
            var failed = PsHarness.Run($"Invoke-DrBackup -Path {PsHarness.Quote(missing)} -Repository {PsHarness.Quote(repo)} {connect}");
            Assert.Single(failed.Errors);
            var message = aws.Requests.Where(q => q.Action == "Publish").Last().Form;
            Assert.Contains("FAILING: The source path", message["Subject"]);
            Assert.Contains("[DrTools.SourceNotFound]", message["Message"]);
        }

        [Fact]
        public void A_recovery_with_WhatIf_sends_no_alert()
        {
            using var aws = new FakeAwsServer(q => Answers(q, lagSeconds: 0));
            var r = PsHarness.Run($"Invoke-DrFailover -Plan {Plan} -WhatIf -NotifyTopicArn {Topic} -NotifyOnSuccess -EndpointUrl {aws.Url} {Keys}");
            Assert.True(r.Terminating == null && r.Errors.Count == 0, r.Describe());
            Assert.DoesNotContain(aws.Requests, q => q.Action == "Publish");
        }
    }
}
