using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Text.Json;
using System.Threading.Tasks;
using Amazon.Runtime;
using DrTools.Core.Aws.CloudWatch;
using DrTools.Core.Aws.Sns;
using DrTools.Core.Aws.Wire;
using DrTools.Core.Connection;
using DrTools.Core.Status;
using DrTools.TestSupport;
using Xunit;

namespace DrTools.LiveTests
{
    /// <summary>The README's scheduled status check, verbatim, then what reached SNS and CloudWatch.</summary>
    public class StatusLiveTests
    {
        sealed class Wire : QueryProtocolClient
        {
            public Wire(AWSCredentials credentials, WireClientConfig config) : base(credentials, config) { }
        }

        static Wire Client(WireServiceInfo service, string region)
        {
            var c = Live.Connection(region);
            return new Wire(c.Credentials, AwsClientFactory.Configure(new WireClientConfig(service), c));
        }

        [LiveFact]
        public async Task Readme_runbook_scheduled_status_check_alerts_the_topic_and_writes_the_metrics()
        {
            var name = Live.Name("status");
            var dir = Path.Combine(Path.GetTempPath(), name);
            Directory.CreateDirectory(dir);
            // A pilot light plan whose DR side is missing: its replica and AMI do not exist, so the plan is Failing.
            File.WriteAllText(Path.Combine(dir, "orders.json"), $$"""
                { "name": "{{name}}", "strategy": "PILOT_LIGHT", "primaryRegion": "{{Live.Region}}", "drRegion": "{{Live.DrRegion}}", "rto": "PT1H", "rpo": "PT15M",
                  "resources": { "appServers": [ { "name": "web", "ami": { "id": "ami-0000000000000dead" }, "instanceType": "t3.micro" } ],
                                 "database": { "primaryInstanceId": "{{name}}-db", "replicaInstanceId": "{{name}}-db-dr" } } }
                """);
            using var sns = Client(SnsPublisher.Service, Live.Region);
            var topicArn = (await sns.SendAsync("CreateTopic", new Dictionary<string, string> { ["Name"] = name })).Element("TopicArn")!.Value;
            // On moto, an HTTP subscription on loopback receives what the topic was sent (moto posts it at once, unconfirmed).
            using var inbox = Live.IsMoto ? new SnsInbox() : null;
            if (inbox != null)
                await sns.SendAsync("Subscribe", new Dictionary<string, string> { ["TopicArn"] = topicArn, ["Protocol"] = "http", ["Endpoint"] = inbox.Url });
            try
            {
                var r = PsHarness.Run($"$ExecutionContext.SessionState.Path.SetLocation({PsHarness.Quote(dir)}) | Out-Null; $topicArn = '{topicArn}'\n{RecoveryPointLiveTests.EndpointDefaults()}{RecoveryPointLiveTests.Runbook("status")}");
                Assert.True(r.Terminating == null && r.Errors.Count == 0, r.Describe());
                var summary = Assert.IsType<DrStatusSummary>(r.Output.Last().BaseObject);
                Assert.Equal(DrStatusLevel.Failing, summary.Status);
                Assert.Contains(r.Output.Select(o => o.BaseObject).OfType<DrStatusRow>(), x => x.Kind == "DbReplica" && x.Status == DrStatusLevel.Failing);
                Assert.DoesNotContain(r.Warnings, w => w.Contains("was not sent", StringComparison.Ordinal) || w.Contains("not written", StringComparison.Ordinal));

                // The message, as the topic received it.
                var (subject, message) = inbox != null ? await inbox.ReceiveAsync(TimeSpan.FromSeconds(30)) : (null, null);
                if (Live.IsMoto)
                {
                    Assert.StartsWith($"DrTools: plan {name} FAILING: ", subject);
                    Assert.True(subject!.Length < 100);
                    Assert.Contains($"DrTools Get-DrStatus on plan {name}: FAILING", message);
                    Assert.Contains($"DbReplica {name}-db-dr", message);
                    Assert.Contains("Next step:", message);
                    Assert.DoesNotContain(Live.SecretKey, message);
                }

                // The metrics, in the DR region under the plan's name.
                using var cw = Client(CloudWatchMetrics.Service, Live.DrRegion);
                var listed = await cw.SendAsync("ListMetrics", new Dictionary<string, string>
                {
                    ["Namespace"] = DrStatusMetrics.Namespace, ["Dimensions.member.1.Name"] = "Plan", ["Dimensions.member.1.Value"] = name,
                });
                var names = listed.Element("Metrics")!.Elements("member").Select(m => m.Element("MetricName")!.Value).Distinct().OrderBy(n => n).ToList();
                Assert.Equal(new[] { DrStatusMetrics.RpoMet, DrStatusMetrics.StatusLevel }, names);
                var stats = await cw.SendAsync("GetMetricStatistics", new Dictionary<string, string>
                {
                    ["Namespace"] = DrStatusMetrics.Namespace, ["MetricName"] = DrStatusMetrics.StatusLevel,
                    ["Dimensions.member.1.Name"] = "Plan", ["Dimensions.member.1.Value"] = name,
                    ["Dimensions.member.2.Name"] = "Component", ["Dimensions.member.2.Value"] = DrStatusMetrics.PlanComponent,
                    ["StartTime"] = DateTime.UtcNow.AddHours(-1).ToString("yyyy-MM-ddTHH:mm:ssZ"), ["EndTime"] = DateTime.UtcNow.AddHours(1).ToString("yyyy-MM-ddTHH:mm:ssZ"),
                    ["Period"] = "60", ["Statistics.member.1"] = "Maximum",
                });
                Assert.Equal("2", stats.Element("Datapoints")!.Elements("member").Single().Element("Maximum")!.Value.Split('.')[0]);
            }
            finally
            {
                await sns.SendAsync("DeleteTopic", new Dictionary<string, string> { ["TopicArn"] = topicArn });
                try { Directory.Delete(dir, true); } catch (IOException) { }
            }
        }

        /// <summary>
        /// A loopback HTTP endpoint subscribed to the topic: the first notification posted to it (JSON with Subject and
        /// Message). moto's /moto-api/data.json cannot be used: it fails once any RDS instance has existed.
        /// </summary>
        sealed class SnsInbox : IDisposable
        {
            readonly System.Net.HttpListener _listener = new();

            readonly TaskCompletionSource<string> _first = new(TaskCreationOptions.RunContinuationsAsynchronously);

            public SnsInbox()
            {
                var port = FakeAwsServer.FreePort();
                Url = $"http://127.0.0.1:{port}/sns/";
                _listener.Prefixes.Add(Url);
                _listener.Start();
                _ = AcceptAsync();
            }

            // moto posts while it answers Publish: answer at once, or the publish waits on this test.
            async Task AcceptAsync()
            {
                try
                {
                    while (true)
                    {
                        var context = await _listener.GetContextAsync();
                        string body;
                        using (var reader = new StreamReader(context.Request.InputStream)) body = await reader.ReadToEndAsync();
                        context.Response.StatusCode = 200;
                        context.Response.Close();
                        _first.TrySetResult(body);
                    }
                }
                catch (Exception) { /* listener closed */ }
            }

            public string Url { get; }


            public async Task<(string? Subject, string? Message)> ReceiveAsync(TimeSpan within)
            {
                Assert.True(await Task.WhenAny(_first.Task, Task.Delay(within)) == _first.Task, $"No SNS notification reached {Url} within {within}.");
                using var doc = JsonDocument.Parse(await _first.Task);
                return (doc.RootElement.GetProperty("Subject").GetString(), doc.RootElement.GetProperty("Message").GetString());
            }

            public void Dispose() => _listener.Close();
        }
    }
}
