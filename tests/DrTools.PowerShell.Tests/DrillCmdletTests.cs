using System;
using System.IO;
using System.Linq;
using System.Threading;
using DrTools.Core.Drills;
using DrTools.Core.Recovery.Engine;
using DrTools.TestSupport;
using Xunit;

namespace DrTools.PowerShell.Tests
{
    /// <summary>Invoke-DrDrill -WhatIf shows the whole drill and its cleanup without a request; Get-DrDrill reads the history with its view.</summary>
    public sealed class DrillCmdletTests : IDisposable
    {
        const string Keys = "-AccessKey AKIDEXAMPLE -SecretKey secret";
        readonly string _journals = Path.Combine(Path.GetTempPath(), "drtools-drills-" + Guid.NewGuid().ToString("N"));

        public void Dispose()
        {
            try { Directory.Delete(_journals, true); } catch (IOException) { }
        }

        static string Example(string name) => PsHarness.Quote(Path.Combine(PsHarness.RepoRoot, "docs", "examples", "plans", name + ".json"));

        [Fact]
        public void WhatIf_prints_the_drill_steps_what_is_left_alone_and_the_cleanup_and_sends_no_request()
        {
            using var aws = new FakeAwsServer(FakeAws.Healthy);
            var r = PsHarness.Run($"Invoke-DrDrill -Plan {Example("pilot-light")} -RunId gameday-1 -WhatIf -EndpointUrl {aws.Url} {Keys} -JournalPath {PsHarness.Quote(_journals)}");

            Assert.True(r.Terminating == null && r.Errors.Count == 0, r.Describe());
            Assert.Empty(r.Output);
            Assert.Contains("What if:", r.HostText);
            foreach (var s in new[] { "launch-web", "snapshot-db", "restore-db" }) Assert.Contains($". {s} [", r.HostText);
            Assert.DoesNotContain("promote-db", r.HostText);
            Assert.DoesNotContain(". change-dns [", r.HostText);
            Assert.Contains("Elastic IPs are never moved", r.HostText);
            Assert.Contains("never promoted", r.HostText);
            Assert.Contains("Cleanup (always, unless -Keep):", r.HostText);
            Assert.Contains("-drill-gameday-1", r.HostText);
            Assert.Empty(aws.Requests);
            Assert.False(Directory.Exists(_journals));
        }

        /// <summary>
        /// EC2 for one drill launch: instances stay pending (so the drill waits until Ctrl+C), carry the tags they were
        /// launched with, and are terminated on request.
        /// </summary>
        sealed class PendingEc2
        {
            readonly object _gate = new();
            readonly System.Collections.Generic.Dictionary<string, string> _tags = new();
            bool _launched, _terminated;

            public FakeResponse Answer(FakeRequest r)
            {
                if (r.Service != "ec2") return FakeAws.Healthy(r);
                lock (_gate)
                {
                    switch (r.Action)
                    {
                        case "RunInstances":
                            _launched = true;
                            foreach (var kv in r.Form.Where(f => f.Key.StartsWith("TagSpecification.1.Tag.", StringComparison.Ordinal) && f.Key.EndsWith(".Key", StringComparison.Ordinal)))
                                _tags[kv.Value] = r.Form[kv.Key.Substring(0, kv.Key.Length - 3) + "Value"];
                            return Ec2("RunInstancesResponse", "<instancesSet>" + Instance() + "</instancesSet>");
                        case "DescribeInstances":
                            return Ec2("DescribeInstancesResponse", _launched
                                ? "<reservationSet><item><reservationId>r-1</reservationId><instancesSet>" + Instance() + "</instancesSet></item></reservationSet>"
                                : "<reservationSet/>");
                        case "TerminateInstances":
                            _terminated = true;
                            return Ec2("TerminateInstancesResponse", "<instancesSet><item><instanceId>i-0drill</instanceId><currentState><code>32</code><name>shutting-down</name></currentState>" +
                                                                     "<previousState><code>0</code><name>pending</name></previousState></item></instancesSet>");
                        default:
                            return FakeAwsServer.QueryError(400, "UnknownOperation", "no answer for " + r.Action);
                    }
                }
            }

            string Instance() =>
                "<item><instanceId>i-0drill</instanceId><imageId>ami-12345678</imageId><instanceType>t3.micro</instanceType>" +
                $"<instanceState><code>{(_terminated ? 48 : 0)}</code><name>{(_terminated ? "terminated" : "pending")}</name></instanceState>" +
                "<launchTime>2026-12-05T03:00:00.000Z</launchTime><tagSet>" +
                string.Concat(_tags.Select(t => $"<item><key>{System.Security.SecurityElement.Escape(t.Key)}</key><value>{System.Security.SecurityElement.Escape(t.Value)}</value></item>")) +
                "</tagSet></item>";

            static FakeResponse Ec2(string root, string body) =>
                new(200, $"<{root} xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"><requestId>fake-request-id</requestId>{body}</{root}>");
        }

        /// <summary>A plan file with one app server (ami-12345678) and nothing else, in the temp folder.</summary>
        static string OneServerPlan(string name)
        {
            var plan = Path.Combine(Path.GetTempPath(), $"drtools-{name}-" + Guid.NewGuid().ToString("N") + ".json");
            File.WriteAllText(plan, $$"""
                { "name": "{{name}}", "strategy": "PILOT_LIGHT", "primaryRegion": "us-east-1", "drRegion": "us-west-2", "rto": "PT1H", "rpo": "PT15M",
                  "resources": { "appServers": [ { "name": "web", "ami": { "id": "ami-12345678" }, "instanceType": "t3.micro" } ] } }
                """);
            return plan;
        }

        [Fact]
        public void A_StopCondition_scriptblock_that_answers_a_reason_stops_the_drill_cleans_up_and_reports_why()
        {
            var ec2 = new PendingEc2();
            using var aws = new FakeAwsServer(ec2.Answer);
            var plan = OneServerPlan("stopper");
            try
            {
                // The launch waits for an instance that never runs; the stop condition answers with a reason at its first poll.
                var r = PsHarness.Run($"Invoke-DrDrill -Plan {PsHarness.Quote(plan)} -Force -StopCondition {{ 'incident INC-42 is open' }} " +
                                      $"-EndpointUrl {aws.Url} {Keys} -JournalPath {PsHarness.Quote(_journals)}");
                Assert.Null(r.Terminating);
                var drill = Assert.IsType<DrillResult>(Assert.Single(r.Output).BaseObject);
                Assert.False(drill.Passed);
                Assert.Equal("-StopCondition: incident INC-42 is open", drill.StopReason);
                Assert.True(drill.CleanedUp, string.Join("; ", drill.Leftovers));
                // The first poll may come before or after the launch: whatever was launched is terminated.
                var actions = aws.Requests.Select(q => q.Action).ToList();
                Assert.True(!actions.Contains("RunInstances") || actions.Contains("TerminateInstances"), string.Join(", ", actions));
            }
            finally { File.Delete(plan); }
        }

        [Fact]
        public async System.Threading.Tasks.Task Ctrl_C_during_a_drill_still_terminates_what_it_launched_before_the_cmdlet_ends()
        {
            var ec2 = new PendingEc2();
            using var aws = new FakeAwsServer(ec2.Answer);
            var plan = OneServerPlan("ctrlc");
            try
            {
                // Ctrl+C while the launch waits for the instance: progress writes are refused from then on, and the drill
                // must still clean up before the cmdlet returns (not in the background against disposed clients).
                var r = PsHarness.Run($"Invoke-DrDrill -Plan {PsHarness.Quote(plan)} -Force -EndpointUrl {aws.Url} {Keys} -JournalPath {PsHarness.Quote(_journals)}",
                    stopAfter: TimeSpan.FromSeconds(4));
                var actions = aws.Requests.Select(q => q.Action).ToList();
                Assert.Contains("RunInstances", actions);
                Assert.True(actions.Contains("TerminateInstances"), "no TerminateInstances after Ctrl+C: " + string.Join(", ", actions) + "\n" + r.Describe());
                var history = await new DrillHistory(new RecoveryJournalStore(_journals)).ListAsync("ctrlc");
                var drill = Assert.Single(history);
                Assert.False(drill.Passed);
                Assert.True(drill.CleanedUp, string.Join("; ", drill.Leftovers));
            }
            finally { File.Delete(plan); }
        }

        [Fact]
        public void A_scenario_without_its_time_is_a_drtools_error_before_anything_happens()
        {
            using var aws = new FakeAwsServer(FakeAws.Healthy);
            var r = PsHarness.Run($"Invoke-DrDrill -Plan {Example("pilot-light")} -Scenario Ransomware -Force -EndpointUrl {aws.Url} {Keys} -JournalPath {PsHarness.Quote(_journals)}");

            var e = Assert.Single(r.AllErrors);
            Assert.StartsWith("DrTools.InvalidParameter", e.FullyQualifiedErrorId);
            Assert.Empty(aws.Requests);
        }

        [Fact]
        public void A_drill_that_cannot_run_alerts_the_topic_with_the_plan_the_error_id_and_the_next_step()
        {
            const string topic = "arn:aws:sns:us-east-1:123456789012:dr-alerts";
            using var aws = new FakeAwsServer(q => q.Service == "sns"
                ? new FakeResponse(200, "<PublishResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><PublishResult><MessageId>m-1</MessageId></PublishResult>" +
                    "<ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata></PublishResponse>")
                : FakeAws.Healthy(q));
            var r = PsHarness.Run($"Invoke-DrDrill -Plan {Example("pilot-light")} -Scenario Ransomware -Force -NotifyTopicArn {topic} -EndpointUrl {aws.Url} {Keys} -JournalPath {PsHarness.Quote(_journals)}");

            Assert.StartsWith("DrTools.InvalidParameter", Assert.Single(r.AllErrors).FullyQualifiedErrorId);
            var publish = Assert.Single(aws.Requests);
            Assert.Equal(("sns", "Publish", topic), (publish.Service, publish.Action, publish.Form["TopicArn"]));
            Assert.StartsWith("DrTools: plan orders FAILING", publish.Form["Subject"]);
            Assert.Contains("DrTools.InvalidParameter", publish.Form["Message"]);
            Assert.Contains("-Before", publish.Form["Message"]);
        }

        [Fact]
        public void A_notify_topic_that_is_no_SNS_ARN_is_refused_before_the_drill()
        {
            using var aws = new FakeAwsServer(FakeAws.Healthy);
            var r = PsHarness.Run($"Invoke-DrDrill -Plan {Example("pilot-light")} -Force -NotifyTopicArn dr-alerts -EndpointUrl {aws.Url} {Keys} -JournalPath {PsHarness.Quote(_journals)}");
            Assert.StartsWith("ParameterArgumentValidationError,", Assert.Single(r.AllErrors).FullyQualifiedErrorId);
            Assert.Empty(r.Output);
            Assert.Empty(aws.Requests);
        }

        [Fact]
        public async System.Threading.Tasks.Task Resume_of_a_drill_whose_cleanup_ran_is_refused_before_any_request()
        {
            var history = new DrillHistory(new RecoveryJournalStore(_journals));
            await history.SaveAsync(new DrillResult
            {
                Plan = "orders", RunId = "gameday-1", Started = DateTimeOffset.UtcNow.AddHours(-1), Finished = DateTimeOffset.UtcNow, CleanedUp = true,
            }, CancellationToken.None);
            using var aws = new FakeAwsServer(FakeAws.Healthy);

            var r = PsHarness.Run($"Invoke-DrDrill -Plan {Example("pilot-light")} -Resume -RunId gameday-1 -Force -EndpointUrl {aws.Url} {Keys} -JournalPath {PsHarness.Quote(_journals)}");

            var e = Assert.Single(r.AllErrors);
            Assert.StartsWith("DrTools.InvalidState", e.FullyQualifiedErrorId);
            Assert.Contains("Start a new drill", e.ErrorDetails.RecommendedAction);
            Assert.Empty(aws.Requests);
        }

        [Fact]
        public async System.Threading.Tasks.Task Get_DrDrill_lists_the_history_newest_first_in_its_table_view()
        {
            var history = new DrillHistory(new RecoveryJournalStore(_journals));
            var t0 = new DateTimeOffset(2026, 3, 1, 10, 0, 0, TimeSpan.Zero);
            await history.SaveAsync(new DrillResult { Plan = "orders", RunId = "old-1", Started = t0, Passed = false }, CancellationToken.None);
            await history.SaveAsync(new DrillResult
            {
                Plan = "orders", RunId = "new-2", Started = t0.AddDays(1), Passed = true, AchievedRto = TimeSpan.FromMinutes(38),
                RtoTarget = TimeSpan.FromHours(1), AchievedRpo = TimeSpan.FromSeconds(42), RpoTarget = TimeSpan.FromMinutes(15), CleanedUp = true,
            }, CancellationToken.None);

            var r = PsHarness.Run($"Get-DrDrill -Plan {Example("pilot-light")} -JournalPath {PsHarness.Quote(_journals)}");
            var last = PsHarness.Run($"Get-DrDrill -Plan {Example("pilot-light")} -JournalPath {PsHarness.Quote(_journals)} -Last 1");

            Assert.True(r.Terminating == null && r.Errors.Count == 0, r.Describe());
            Assert.Equal(new[] { "new-2", "old-1" }, r.Output.Select(o => ((DrillResult)o.BaseObject).RunId));
            var newest = (DrillResult)Assert.Single(last.Output).BaseObject;
            Assert.Equal(TimeSpan.FromSeconds(42), newest.AchievedRpo);
            Assert.True(newest.RpoMet);
            // The table view itself is rendered by tests/Pester/Format.Tests.ps1 (sample DrillResult).
        }

        /// <summary>A plan without a drill section (no DNS to look up) whose drill gameday-1 left an instance and a database.</summary>
        string LeftoverPlan()
        {
            Directory.CreateDirectory(_journals);
            var path = Path.Combine(_journals, "orders.json");
            File.WriteAllText(path, """
                { "name": "orders", "strategy": "PILOT_LIGHT", "primaryRegion": "us-east-1", "drRegion": "us-west-2", "rto": "PT1H", "rpo": "PT15M",
                  "resources": { "appServers": [ { "name": "web", "ami": { "id": "ami-0123456789abcdef0" }, "instanceType": "t3.micro" } ],
                                 "database": { "primaryInstanceId": "orders-db", "replicaInstanceId": "orders-db-dr" } } }
                """);
            return path;
        }

        const string DrillTags = "<item><key>DrTools:Plan</key><value>orders.drill</value></item><item><key>DrTools:Drill</key><value>gameday-1</value></item>";

        static FakeResponse Leftovers(FakeRequest q) => (q.Service, q.Action) switch
        {
            ("ec2", "DescribeInstances") => new(200,
                "<DescribeInstancesResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"><requestId>r1</requestId><reservationSet><item><reservationId>r-1</reservationId><instancesSet><item>" +
                "<instanceId>i-0d1111111111111aa</instanceId><imageId>ami-0123456789abcdef0</imageId><instanceState><code>16</code><name>running</name></instanceState>" +
                $"<instanceType>t3.micro</instanceType><privateIpAddress>10.0.0.5</privateIpAddress><tagSet>{DrillTags}</tagSet></item></instancesSet></item></reservationSet></DescribeInstancesResponse>"),
            ("rds", "DescribeDBInstances") => new(200,
                "<DescribeDBInstancesResponse xmlns=\"http://rds.amazonaws.com/doc/2014-10-31/\"><DescribeDBInstancesResult><DBInstances><DBInstance>" +
                "<DBInstanceIdentifier>orders-db-dr-drill-gameday-1</DBInstanceIdentifier><DBInstanceClass>db.t3.micro</DBInstanceClass><DBInstanceStatus>available</DBInstanceStatus>" +
                "<TagList><Tag><Key>DrTools:Plan</Key><Value>orders.drill</Value></Tag><Tag><Key>DrTools:Drill</Key><Value>gameday-1</Value></Tag></TagList>" +
                "</DBInstance></DBInstances></DescribeDBInstancesResult><ResponseMetadata><RequestId>r2</RequestId></ResponseMetadata></DescribeDBInstancesResponse>"),
            ("rds", "DescribeDBSnapshots") => new(200,
                "<DescribeDBSnapshotsResponse xmlns=\"http://rds.amazonaws.com/doc/2014-10-31/\"><DescribeDBSnapshotsResult><DBSnapshots></DBSnapshots></DescribeDBSnapshotsResult>" +
                "<ResponseMetadata><RequestId>r3</RequestId></ResponseMetadata></DescribeDBSnapshotsResponse>"),
            _ => FakeAws.Healthy(q),
        };

        static bool OnlyReads(FakeAwsServer aws) => aws.Requests.All(q => q.Action is null || q.Action.StartsWith("Describe", StringComparison.Ordinal));

        [Fact]
        public void Remove_DrDrill_WhatIf_lists_what_the_drill_left_and_deletes_nothing()
        {
            using var aws = new FakeAwsServer(Leftovers);
            var r = PsHarness.Run($"Remove-DrDrill -Plan {PsHarness.Quote(LeftoverPlan())} -RunId gameday-1 -WhatIf -EndpointUrl {aws.Url} {Keys} -JournalPath {PsHarness.Quote(_journals)}");

            Assert.True(r.Terminating == null && r.Errors.Count == 0, r.Describe());
            Assert.Empty(r.Output);
            Assert.Contains("What if:", r.HostText);
            Assert.Contains("drill gameday-1 of plan 'orders' left (2 resource(s))", r.HostText);
            Assert.Contains("i-0d1111111111111aa", r.HostText);
            Assert.Contains("orders-db-dr-drill-gameday-1", r.HostText);
            Assert.Contains(aws.Requests, q => q.Action == "DescribeInstances");
            Assert.True(OnlyReads(aws), string.Join(", ", aws.Requests.Select(q => q.Service + " " + q.Action)));
        }

        [Fact]
        public void Remove_DrDrill_is_ConfirmImpact_High_it_asks_without_Force_and_No_deletes_nothing()
        {
            var impact = PsHarness.Run("(Get-Command Remove-DrDrill).ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0].ConfirmImpact");
            Assert.Equal("High", Assert.Single(impact.Output).ToString());

            using var aws = new FakeAwsServer(Leftovers);
            // The default $ConfirmPreference (High) prompts without -Confirm. Choices: Yes, Yes to All, No, No to All, Suspend.
            var r = PsHarness.Run($"Remove-DrDrill -Plan {PsHarness.Quote(LeftoverPlan())} -RunId gameday-1 -EndpointUrl {aws.Url} {Keys} -JournalPath {PsHarness.Quote(_journals)}", confirmAnswer: 2);

            Assert.True(r.Terminating == null && r.Errors.Count == 0, r.Describe());
            Assert.Equal(1, r.HostText.Split("PROMPT:").Length - 1);
            Assert.Contains("orders-db-dr-drill-gameday-1", r.HostText);
            Assert.Empty(r.Output);
            Assert.True(OnlyReads(aws), string.Join(", ", aws.Requests.Select(q => q.Service + " " + q.Action)));
        }
    }
}
