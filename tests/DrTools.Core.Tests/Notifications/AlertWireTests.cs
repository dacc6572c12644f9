using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Amazon.Runtime;
using DrTools.Core.Aws.CloudWatch;
using DrTools.Core.Aws.Sns;
using DrTools.Core.Connection;
using DrTools.Core.Diagnostics;
using DrTools.Core.Notifications;
using DrTools.Core.Status;
using DrTools.Core.Tests.Recovery;
using DrTools.TestSupport;
using Xunit;

namespace DrTools.Core.Tests.Notifications
{
    /// <summary>SNS Publish and CloudWatch PutMetricData as they go on the wire (botocore sns/monitoring models), and the alert text.</summary>
    public class AlertWireTests
    {
        const string Topic = "arn:aws:sns:eu-west-1:123456789012:dr-alerts";

        [Fact]
        public void A_passed_drill_reads_with_its_run_scenario_and_measured_RTO_and_RPO()
        {
            var item = NotificationItems.ForPassedDrill(new DrTools.Core.Drills.DrillResult
            {
                Plan = "orders", RunId = "gameday-1", Scenario = DrTools.Core.Drills.DrillScenario.RegionLoss, Passed = true,
                AchievedRto = TimeSpan.FromMinutes(42), RtoTarget = TimeSpan.FromHours(1), AchievedRpo = TimeSpan.FromMinutes(3), RpoTarget = TimeSpan.FromMinutes(15),
            });
            Assert.Equal("Drill gameday-1 (RegionLoss) passed: RTO 42m of 1h, RPO 3m of 15m", item.What);
        }

        static AwsConnection Connection(FakeAwsServer server, string region = "us-east-1") =>
            new(region, new BasicAWSCredentials("AKIDEXAMPLE", "SuperSecretKey123"), "test", "test", new Uri(server.Url)) { Secrets = new[] { "SuperSecretKey123" } };

        static FakeResponse Published(string id = "msg-1") =>
            new(200, $"<PublishResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><PublishResult><MessageId>{id}</MessageId></PublishResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></PublishResponse>");

        static FakeResponse PutOk() =>
            new(200, "<PutMetricDataResponse xmlns=\"http://monitoring.amazonaws.com/doc/2010-08-01/\"><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></PutMetricDataResponse>");

        [Fact]
        public async Task Publish_sends_topic_subject_and_message_to_the_topics_region_signed_for_sns()
        {
            using var server = new FakeAwsServer(_ => Published("5f1d"));
            using var sns = new SnsPublisher(Connection(server));
            var id = await sns.PublishAsync(SnsTopicArn.Parse(Topic), "DrTools: plan orders FAILING: x", "body\nline 2", CancellationToken.None);

            Assert.Equal("5f1d", id);
            var r = Assert.Single(server.Requests);
            Assert.Equal(("POST", "sns", "eu-west-1"), (r.Method, r.Service, r.Region));
            Assert.Equal(new Dictionary<string, string>
            {
                ["Action"] = "Publish", ["Version"] = "2010-03-31", ["TopicArn"] = Topic, ["Subject"] = "DrTools: plan orders FAILING: x", ["Message"] = "body\nline 2",
            }, r.Form);
        }

        [Fact]
        public async Task Publish_to_a_fifo_topic_names_a_message_group()
        {
            using var server = new FakeAwsServer(_ => Published());
            using var sns = new SnsPublisher(Connection(server));
            await sns.PublishAsync(SnsTopicArn.Parse("arn:aws:sns:us-east-1:123456789012:dr.fifo"), "s", "m", CancellationToken.None);
            var form = Assert.Single(server.Requests).Form;
            Assert.Equal("drtools", form["MessageGroupId"]);
            Assert.Equal(32, form["MessageDeduplicationId"].Length);
        }

        [Theory]
        [InlineData("dr-alerts")]
        [InlineData("arn:aws:sqs:us-east-1:123456789012:dr-alerts")]
        [InlineData("arn:aws:sns:us-east-1:12345:dr-alerts")]
        public void A_topic_arn_that_is_none_is_refused_with_an_example(string arn)
        {
            var ex = Assert.Throws<DrToolsException>(() => SnsTopicArn.Parse(arn));
            Assert.Equal(ErrorIds.InvalidParameter, ex.ErrorId);
            Assert.Contains("arn:aws:sns:us-east-1:123456789012:dr-alerts", ex.RecommendedAction);
        }

        [Fact]
        public async Task A_refused_publish_is_a_warning_and_the_notifier_returns_no_id()
        {
            using var server = new FakeAwsServer(_ => FakeAwsServer.QueryError(403, "AuthorizationError", "User is not authorized to perform: SNS:Publish"));
            using var sns = new SnsPublisher(Connection(server));
            var reporter = new RecordingReporter();
            var id = await new Notifier(sns, SnsTopicArn.Parse(Topic), reporter).PublishAsync(new Notification { Source = "Get-DrStatus", Plan = "orders", Outcome = NotificationOutcome.Failing }, CancellationToken.None);

            Assert.Null(id);
            var warning = Assert.Single(reporter.Warnings);
            Assert.Contains("was not sent (DrTools.AccessDenied", warning);
            Assert.Contains("It said: DrTools: plan orders FAILING", warning);
        }

        [Fact]
        public async Task The_notifier_redacts_secrets_from_subject_and_body()
        {
            using var server = new FakeAwsServer(_ => Published());
            var connection = Connection(server);
            using var sns = new SnsPublisher(connection);
            await new Notifier(sns, SnsTopicArn.Parse(Topic), null, connection.Redact).PublishAsync(new Notification
            {
                Source = "Invoke-DrBackup", Target = "s3://bucket", Outcome = NotificationOutcome.Failing,
                Items = new[] { new NotificationItem("upload failed with key SuperSecretKey123", ErrorIds.AccessDenied, "Check SuperSecretKey123") },
            }, CancellationToken.None);
            var form = Assert.Single(server.Requests).Form;
            Assert.DoesNotContain("SuperSecretKey123", form["Subject"] + form["Message"]);
            Assert.Contains("****", form["Message"]);
        }

        [Fact]
        public void The_subject_is_short_ascii_and_names_plan_outcome_and_first_problem_and_the_body_has_error_id_and_next_step()
        {
            var report = new DrStatusReport(new[]
            {
                new DrStatusRow { Plan = "orders", Component = "orders-db-dr", Kind = "ReplicaLag", Region = "us-west-2", Status = DrStatusLevel.Failing, Value = "20m",
                    Target = "<= 5m", Reason = "orders-db-dr is 20m behind. Find why replication lags.", CountsForRpo = true },
                new DrStatusRow { Plan = "orders", Component = "hc-1 — primäre Seite mit einem sehr langen Namen, der die Betreffzeile sprengen würde", Kind = "HealthCheckStatus",
                    Region = "global", Status = DrStatusLevel.Warning, Value = "unknown", ErrorId = ErrorIds.AccessDenied, Reason = "Could not read: DrTools.AccessDenied: no." },
                new DrStatusRow { Plan = "orders", Component = "web", Kind = "AmiExists", Status = DrStatusLevel.Ok },
            }, new DrStatusSummary { Plan = "orders", Strategy = "PILOT_LIGHT", DrRegion = "us-west-2", Status = DrStatusLevel.Failing, MeetsRpo = false, Ok = 1, Warning = 1, Failing = 1,
                Rpo = TimeSpan.FromMinutes(15), NextStep = "ReplicaLag orders-db-dr: orders-db-dr is 20m behind." });

            Assert.True(Notification.StatusNeedsAlert(report));
            var n = Notification.ForStatus(report);
            Assert.Equal("DrTools: plan orders FAILING: ReplicaLag orders-db-dr (us-west-2): FAILING 20m (target <= 5m)", n.Subject);
            var warningFirst = Notification.ForStatus(new DrStatusReport(report.Rows.Skip(1).ToList(), report.Summary));
            Assert.True(warningFirst.Subject.Length <= 99);
            Assert.All(warningFirst.Subject, c => Assert.InRange(c, ' ', '~'));
            Assert.EndsWith("...", warningFirst.Subject);

            var body = n.Body;
            Assert.Contains("DrTools Get-DrStatus on plan orders: FAILING", body);
            Assert.Contains("[DrTools.AccessDenied]", body);
            Assert.Contains("Next step: orders-db-dr is 20m behind. Find why replication lags.", body);
            Assert.Contains("does NOT meet its RPO (15m)", body);
            Assert.DoesNotContain("AmiExists", body);
        }

        [Fact]
        public void Rows_only_near_their_target_are_no_alert_without_NotifyOnSuccess()
        {
            var report = new DrStatusReport(new[] { new DrStatusRow { Kind = "ReplicaLag", Status = DrStatusLevel.Warning, Measured = TimeSpan.FromMinutes(4), Limit = TimeSpan.FromMinutes(5) } },
                new DrStatusSummary { Plan = "orders", Status = DrStatusLevel.Warning });
            Assert.False(Notification.StatusNeedsAlert(report));
        }

        [Fact]
        public async Task PutMetricData_sends_namespace_each_datum_with_its_dimensions_and_batches_within_the_limit()
        {
            using var server = new FakeAwsServer(_ => PutOk());
            using var cw = new CloudWatchMetrics(new AwsClientFactory(Connection(server)), "us-west-2") { BatchSize = 2 };
            var t = new DateTime(2025, 6, 1, 12, 0, 0, DateTimeKind.Utc);
            KeyValuePair<string, string>[] Dims(string c) => new[] { new KeyValuePair<string, string>("Plan", "orders"), new KeyValuePair<string, string>("Component", c) };
            await cw.PutMetricDataAsync("DrTools", new[]
            {
                new MetricDatum("RecoveryPointAge", 3600.5, "Seconds", Dims("i-0abc"), t),
                new MetricDatum("ReplicaLag", 30, "Seconds", Dims("orders-db-dr"), t),
                new MetricDatum("RpoMet", 1, "Count", Dims("plan"), t),
            }, CancellationToken.None);

            var requests = server.Requests.ToList();
            Assert.Equal(2, requests.Count);
            Assert.All(requests, r => Assert.Equal(("monitoring", "us-west-2", "PutMetricData", "2010-08-01", "DrTools"), (r.Service, r.Region, r.Action, r.Form["Version"], r.Form["Namespace"])));
            Assert.Equal(new Dictionary<string, string>
            {
                ["Action"] = "PutMetricData", ["Version"] = "2010-08-01", ["Namespace"] = "DrTools",
                ["MetricData.member.1.MetricName"] = "RecoveryPointAge",
                ["MetricData.member.1.Dimensions.member.1.Name"] = "Plan", ["MetricData.member.1.Dimensions.member.1.Value"] = "orders",
                ["MetricData.member.1.Dimensions.member.2.Name"] = "Component", ["MetricData.member.1.Dimensions.member.2.Value"] = "i-0abc",
                ["MetricData.member.1.Timestamp"] = "2025-06-01T12:00:00Z", ["MetricData.member.1.Value"] = "3600.5", ["MetricData.member.1.Unit"] = "Seconds",
                ["MetricData.member.2.MetricName"] = "ReplicaLag",
                ["MetricData.member.2.Dimensions.member.1.Name"] = "Plan", ["MetricData.member.2.Dimensions.member.1.Value"] = "orders",
                ["MetricData.member.2.Dimensions.member.2.Name"] = "Component", ["MetricData.member.2.Dimensions.member.2.Value"] = "orders-db-dr",
                ["MetricData.member.2.Timestamp"] = "2025-06-01T12:00:00Z", ["MetricData.member.2.Value"] = "30", ["MetricData.member.2.Unit"] = "Seconds",
            }, requests.Single(r => r.Form.ContainsKey("MetricData.member.2.MetricName")).Form);
            Assert.Equal("RpoMet", requests.Single(r => !r.Form.ContainsKey("MetricData.member.2.MetricName")).Form["MetricData.member.1.MetricName"]);
        }

        [Fact]
        public async Task PutMetricData_refused_is_a_DrTools_error_naming_the_namespace()
        {
            using var server = new FakeAwsServer(_ => FakeAwsServer.QueryError(403, "AccessDenied", "not authorized to perform: cloudwatch:PutMetricData"));
            using var cw = new CloudWatchMetrics(new AwsClientFactory(Connection(server)));
            var ex = await Assert.ThrowsAsync<DrToolsException>(() => cw.PutMetricDataAsync("DrTools",
                new[] { new MetricDatum("RpoMet", 1, "Count", Array.Empty<KeyValuePair<string, string>>(), DateTime.UtcNow) }, CancellationToken.None));
            Assert.Equal(ErrorIds.AccessDenied, ex.ErrorId);
            Assert.Contains("DrTools", ex.Message);
        }
    }
}
