using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using DrTools.Core.Aws.Route53;
using DrTools.Core.Diagnostics;
using DrTools.TestSupport;
using Xunit;
using static DrTools.Core.Tests.Aws.Route53.Route53Fake;

namespace DrTools.Core.Tests.Aws.Route53
{
    /// <summary>ChangeResourceRecordSets as one atomic batch, local validation, AWS rejections, and waiting for INSYNC.</summary>
    public class Route53ChangeTests
    {
        static readonly ResourceRecordSet SiteA = new()
        {
            Name = "www.example.com", Type = "A", SetIdentifier = "site-a", Weight = 0, Ttl = 60,
            Values = new[] { "192.0.2.10", "192.0.2.11" }, HealthCheckId = "hc-a",
        };
        static readonly ResourceRecordSet SiteB = new()
        {
            Name = "www.example.com.", Type = "A", SetIdentifier = "site-b", Weight = 255, Ttl = 60, Values = new[] { "198.51.100.10" },
        };

        static FakeResponse Accepted(string status = "PENDING") =>
            Ok($"<ChangeResourceRecordSetsResponse xmlns=\"{Ns}\"><ChangeInfo><Id>/change/C2682N5HXP0BZ4</Id><Status>{status}</Status>" +
               "<SubmittedAt>2024-05-01T03:04:05.678Z</SubmittedAt><Comment>fail over to site B</Comment></ChangeInfo></ChangeResourceRecordSetsResponse>");

        [Fact]
        public async Task A_mixed_batch_goes_out_as_one_request_with_elements_in_model_order()
        {
            using var fake = new Route53Fake(Accepted());
            using var svc = fake.Service();
            var changes = new List<RecordChange>
            {
                new(ChangeAction.Upsert, SiteA),
                new(ChangeAction.Upsert, SiteB),
                new(ChangeAction.Create, new ResourceRecordSet
                {
                    Name = "app.example.com", Type = "cname", SetIdentifier = "primary", Failover = FailoverRole.Primary, Ttl = 30,
                    Values = new[] { "app.us-east-1.example.net" }, HealthCheckId = "hc-p",
                }),
                new(ChangeAction.Create, new ResourceRecordSet
                {
                    Name = "app.example.com", Type = "CNAME", SetIdentifier = "secondary", Failover = FailoverRole.Secondary, Ttl = 30,
                    Values = new[] { "app.us-west-2.example.net" },
                }),
                new(ChangeAction.Upsert, new ResourceRecordSet
                {
                    Name = "example.com", Type = "A",
                    AliasTarget = new AliasTarget("/hostedzone/Z35SXDOTRQ7X7K", "dualstack.lb-1.us-east-1.elb.amazonaws.com", false),
                }),
                new(ChangeAction.Delete, new ResourceRecordSet { Name = "old.example.com.", Type = "TXT", Ttl = 300, Values = new[] { "\"v=1\"" } }),
            };

            var info = await svc.ChangeRecordSetsAsync("/hostedzone/Z1PUBLIC", changes, "fail over to site B");

            var req = Assert.Single(fake.Requests);
            Assert.Equal(("POST", "/2013-04-01/hostedzone/Z1PUBLIC/rrset/"), (req.Method, req.Path));
            Assert.StartsWith("application/xml", req.Headers["Content-Type"]);
            var expected =
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>" +
                $"<ChangeResourceRecordSetsRequest xmlns=\"{Ns}\"><ChangeBatch><Comment>fail over to site B</Comment><Changes>" +
                "<Change><Action>UPSERT</Action><ResourceRecordSet><Name>www.example.com.</Name><Type>A</Type><SetIdentifier>site-a</SetIdentifier>" +
                "<Weight>0</Weight><TTL>60</TTL><ResourceRecords><ResourceRecord><Value>192.0.2.10</Value></ResourceRecord>" +
                "<ResourceRecord><Value>192.0.2.11</Value></ResourceRecord></ResourceRecords><HealthCheckId>hc-a</HealthCheckId></ResourceRecordSet></Change>" +
                "<Change><Action>UPSERT</Action><ResourceRecordSet><Name>www.example.com.</Name><Type>A</Type><SetIdentifier>site-b</SetIdentifier>" +
                "<Weight>255</Weight><TTL>60</TTL><ResourceRecords><ResourceRecord><Value>198.51.100.10</Value></ResourceRecord></ResourceRecords></ResourceRecordSet></Change>" +
                "<Change><Action>CREATE</Action><ResourceRecordSet><Name>app.example.com.</Name><Type>CNAME</Type><SetIdentifier>primary</SetIdentifier>" +
                "<Failover>PRIMARY</Failover><TTL>30</TTL><ResourceRecords><ResourceRecord><Value>app.us-east-1.example.net</Value></ResourceRecord></ResourceRecords>" +
                "<HealthCheckId>hc-p</HealthCheckId></ResourceRecordSet></Change>" +
                "<Change><Action>CREATE</Action><ResourceRecordSet><Name>app.example.com.</Name><Type>CNAME</Type><SetIdentifier>secondary</SetIdentifier>" +
                "<Failover>SECONDARY</Failover><TTL>30</TTL><ResourceRecords><ResourceRecord><Value>app.us-west-2.example.net</Value></ResourceRecord></ResourceRecords>" +
                "</ResourceRecordSet></Change>" +
                "<Change><Action>UPSERT</Action><ResourceRecordSet><Name>example.com.</Name><Type>A</Type><AliasTarget><HostedZoneId>Z35SXDOTRQ7X7K</HostedZoneId>" +
                "<DNSName>dualstack.lb-1.us-east-1.elb.amazonaws.com</DNSName><EvaluateTargetHealth>false</EvaluateTargetHealth></AliasTarget></ResourceRecordSet></Change>" +
                "<Change><Action>DELETE</Action><ResourceRecordSet><Name>old.example.com.</Name><Type>TXT</Type><TTL>300</TTL>" +
                "<ResourceRecords><ResourceRecord><Value>\"v=1\"</Value></ResourceRecord></ResourceRecords></ResourceRecordSet></Change>" +
                "</Changes></ChangeBatch></ChangeResourceRecordSetsRequest>";
            Assert.Equal(expected, req.Body);

            Assert.Equal("C2682N5HXP0BZ4", info.Id);
            Assert.Equal("PENDING", info.Status);
            Assert.False(info.IsInSync);
            Assert.Equal(new DateTimeOffset(2024, 5, 1, 3, 4, 5, 678, TimeSpan.Zero), info.SubmittedAt);
            Assert.Equal("fail over to site B", info.Comment);
            Assert.Contains(fake.Reporter.Verbose, v => v.Contains("UPSERT www.example.com A 'site-a' weight 0"));
        }

        [Fact]
        public async Task A_batch_without_comment_has_no_Comment_element()
        {
            using var fake = new Route53Fake(Accepted("INSYNC"));
            using var svc = fake.Service();
            var info = await svc.ChangeRecordSetsAsync("Z1", new[] { new RecordChange(ChangeAction.Upsert, SiteB) });
            Assert.DoesNotContain("<Comment>", fake.Requests[0].Body);
            Assert.Contains("<ChangeBatch><Changes><Change>", fake.Requests[0].Body);
            Assert.True(info.IsInSync);
        }

        public static IEnumerable<object[]> InvalidRecords() => new[]
        {
            new object[] { SiteA with { Weight = 256 }, "Weight 256 is outside 0..255" },
            new object[] { SiteA with { Weight = -1 }, "Weight -1 is outside 0..255" },
            new object[] { SiteA with { SetIdentifier = null }, "Weight needs a SetIdentifier" },
            new object[] { SiteA with { Weight = null, Failover = FailoverRole.Primary, SetIdentifier = null }, "Failover needs a SetIdentifier" },
            new object[] { SiteA with { Failover = FailoverRole.Primary }, "one routing policy, not Weight and Failover" },
            new object[] { SiteA with { Weight = null }, "SetIdentifier is only valid with a routing policy" },
            new object[] { SiteA with { AliasTarget = new AliasTarget("Z1", "lb.example.net", true) }, "remove TTL and Values" },
            new object[] { SiteA with { AliasTarget = new AliasTarget("Z1", "lb.example.net", true), Ttl = null }, "remove TTL and Values" },
            new object[] { SiteA with { AliasTarget = new AliasTarget("", "lb.example.net", true), Ttl = null, Values = Array.Empty<string>() }, "AliasTarget.HostedZoneId is required" },
            new object[] { SiteA with { Ttl = null }, "TTL is required" },
            new object[] { SiteA with { Values = Array.Empty<string>() }, "at least one value is required" },
            new object[] { SiteA with { Type = "ANAME" }, "Type 'ANAME' is not one of" },
            new object[] { SiteA with { Name = " " }, "Name is required" },
        };

        [Theory]
        [MemberData(nameof(InvalidRecords))]
        public async Task Obvious_mistakes_are_rejected_locally_and_nothing_is_sent(ResourceRecordSet bad, string expected)
        {
            using var fake = new Route53Fake(Accepted());
            using var svc = fake.Service();

            var ex = await Assert.ThrowsAsync<DrToolsException>(() =>
                svc.ChangeRecordSetsAsync("Z1", new[] { new RecordChange(ChangeAction.Upsert, SiteB), new RecordChange(ChangeAction.Upsert, bad) }));

            Assert.Equal(ErrorIds.InvalidParameter, ex.ErrorId);
            Assert.Equal(DrErrorCategory.InvalidArgument, ex.Category);
            Assert.Contains("change 2 (UPSERT", ex.Message);
            Assert.Contains(expected, ex.Message);
            Assert.Contains("Nothing was changed", ex.RecommendedAction);
            Assert.Empty(fake.Requests);
        }

        [Fact]
        public async Task Every_local_problem_is_reported_at_once_and_an_empty_batch_is_refused()
        {
            using var fake = new Route53Fake();
            using var svc = fake.Service();

            var ex = await Assert.ThrowsAsync<DrToolsException>(() => svc.ChangeRecordSetsAsync("Z1", new[]
            {
                new RecordChange(ChangeAction.Upsert, SiteA with { Weight = 300 }),
                new RecordChange(ChangeAction.Delete, SiteB with { SetIdentifier = null }),
            }));
            var empty = await Assert.ThrowsAsync<DrToolsException>(() => svc.ChangeRecordSetsAsync("Z1", Array.Empty<RecordChange>()));

            Assert.Contains("change 1 (UPSERT www.example.com A 'site-a'): Weight 300 is outside 0..255", ex.Message);
            Assert.Contains("change 2 (DELETE www.example.com. A): Weight needs a SetIdentifier", ex.Message);
            Assert.Equal(ErrorIds.InvalidParameter, empty.ErrorId);
            Assert.Contains("no changes", empty.Message);
            Assert.Empty(fake.Requests);
        }

        [Fact]
        public async Task InvalidChangeBatch_with_two_messages_is_DrTools_InvalidParameter_carrying_both()
        {
            const string m1 = "Tried to create resource record set [name='www.example.com.', type='A', set-identifier='site-a'] but it already exists";
            const string m2 = "Tried to delete resource record set [name='old.example.com.', type='TXT'] but it was not found";
            using var fake = new Route53Fake(new FakeResponse(400,
                $"<?xml version=\"1.0\"?>\n<InvalidChangeBatch xmlns=\"{Ns}\"><Messages><Message>{m1}</Message><Message>{m2}</Message></Messages>" +
                "<RequestId>b25f48e8-84fd-11e6-80d9-574e0c4664cb</RequestId></InvalidChangeBatch>"));
            using var svc = fake.Service();

            var ex = await Assert.ThrowsAsync<DrToolsException>(() => svc.ChangeRecordSetsAsync("Z1", new[] { new RecordChange(ChangeAction.Create, SiteA) }));

            Assert.Equal(ErrorIds.InvalidParameter, ex.ErrorId);
            Assert.Equal("InvalidChangeBatch", ex.AwsErrorCode);
            Assert.Equal("b25f48e8-84fd-11e6-80d9-574e0c4664cb", ex.RequestId);
            Assert.Contains(m1, ex.Message);
            Assert.Contains(m2, ex.Message);
            Assert.Contains("hosted zone Z1", ex.Message);
            Assert.Single(fake.Requests); // a rejected batch is not retried
        }

        [Fact]
        public async Task PriorRequestNotComplete_is_retried_with_the_same_batch_and_succeeds()
        {
            using var fake = new Route53Fake(
                Error(400, "PriorRequestNotComplete", "The request was rejected because Route 53 was still processing a prior request."),
                Accepted());
            using var svc = fake.Service();

            var info = await svc.ChangeRecordSetsAsync("Z1", new[] { new RecordChange(ChangeAction.Upsert, SiteB) });

            Assert.Equal("C2682N5HXP0BZ4", info.Id);
            var r = fake.Requests;
            Assert.Equal(2, r.Count);
            Assert.Equal(r[0].Body, r[1].Body);
        }

        [Fact]
        public async Task NoSuchHostedZone_on_a_change_is_DrTools_NotFound()
        {
            using var fake = new Route53Fake(Error(404, "NoSuchHostedZone", "No hosted zone found with ID: ZGONE"));
            using var svc = fake.Service();
            var ex = await Assert.ThrowsAsync<DrToolsException>(() => svc.ChangeRecordSetsAsync("ZGONE", new[] { new RecordChange(ChangeAction.Upsert, SiteB) }));
            Assert.Equal(ErrorIds.NotFound, ex.ErrorId);
            Assert.Equal("ZGONE", ex.Target);
        }

        [Fact]
        public async Task GetChange_strips_the_prefix_and_reads_the_status()
        {
            using var fake = new Route53Fake(Change("C123", "INSYNC"));
            using var svc = fake.Service();
            var info = await svc.GetChangeAsync("/change/C123");
            Assert.Equal(("C123", "INSYNC"), (info.Id, info.Status));
            Assert.Equal(("GET", "/2013-04-01/change/C123"), (fake.Requests[0].Method, fake.Requests[0].Path));
        }

        [Fact]
        public async Task WaitForInSync_polls_while_PENDING_and_returns_once_INSYNC()
        {
            using var fake = new Route53Fake(Change("C123", "PENDING"), Change("C123", "PENDING"), Change("C123", "INSYNC"));
            using var svc = fake.Service();

            var info = await svc.WaitForInSyncAsync("C123", TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(10));

            Assert.True(info.IsInSync);
            Assert.Equal(3, fake.Requests.Count);
            Assert.All(fake.Requests, r => Assert.Equal("/2013-04-01/change/C123", r.Path));
            Assert.Contains(fake.Reporter.Progress, p => p.Status.StartsWith("PENDING", StringComparison.Ordinal) && p.Activity.Contains("C123"));
            Assert.True(fake.Reporter.Progress.Last().Completed);
        }

        [Fact]
        public async Task WaitForInSync_that_stays_PENDING_ends_with_DrTools_Timeout()
        {
            using var fake = new Route53Fake(Enumerable.Range(0, 50).Select(_ => Change("C123", "PENDING")).ToArray());
            using var svc = fake.Service();
            var ex = await Assert.ThrowsAsync<DrToolsException>(() => svc.WaitForInSyncAsync("C123", TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(20)));
            Assert.Equal(ErrorIds.Timeout, ex.ErrorId);
            Assert.Contains("PENDING", ex.Message);
        }

        [Fact]
        public async Task Cancellation_propagates_unmapped()
        {
            using var fake = new Route53Fake(Accepted() with { Delay = TimeSpan.FromSeconds(30) });
            using var svc = fake.Service();
            using var cts = new System.Threading.CancellationTokenSource(TimeSpan.FromMilliseconds(200));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
                svc.ChangeRecordSetsAsync("Z1", new[] { new RecordChange(ChangeAction.Upsert, SiteB) }, null, cts.Token));
        }
    }
}
