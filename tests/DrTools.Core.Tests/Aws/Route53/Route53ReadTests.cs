using System.Linq;
using System.Threading.Tasks;
using DrTools.Core.Aws.Route53;
using DrTools.Core.Diagnostics;
using Xunit;
using static DrTools.Core.Tests.Aws.Route53.Route53Fake;

namespace DrTools.Core.Tests.Aws.Route53
{
    /// <summary>Hosted zones and record sets: requests as the API model says, every page read, ids without prefixes.</summary>
    public class Route53ReadTests
    {
        static string Zone(string id, string name, bool isPrivate, int count = 2) =>
            $"<HostedZone><Id>/hostedzone/{id}</Id><Name>{name}</Name><CallerReference>ref-{id}</CallerReference>" +
            $"<Config><Comment>zone {id}</Comment><PrivateZone>{(isPrivate ? "true" : "false")}</PrivateZone></Config>" +
            $"<ResourceRecordSetCount>{count}</ResourceRecordSetCount></HostedZone>";

        [Fact]
        public async Task ListHostedZones_follows_NextMarker_across_pages_and_strips_id_prefixes()
        {
            using var fake = new Route53Fake(
                Ok($"<ListHostedZonesResponse xmlns=\"{Ns}\"><HostedZones>{Zone("Z1PUBLIC", "example.com.", false, 7)}</HostedZones>" +
                   "<Marker></Marker><IsTruncated>true</IsTruncated><NextMarker>Z2PRIVATE</NextMarker><MaxItems>100</MaxItems></ListHostedZonesResponse>"),
                Ok($"<ListHostedZonesResponse xmlns=\"{Ns}\"><HostedZones>{Zone("Z2PRIVATE", "example.com.", true)}</HostedZones>" +
                   "<Marker>Z2PRIVATE</Marker><IsTruncated>false</IsTruncated><MaxItems>100</MaxItems></ListHostedZonesResponse>"));
            using var svc = fake.Service();

            var zones = await svc.ListHostedZonesAsync();

            Assert.Equal(new[] { "Z1PUBLIC", "Z2PRIVATE" }, zones.Select(z => z.Id));
            Assert.False(zones[0].IsPrivate);
            Assert.True(zones[1].IsPrivate);
            Assert.Equal(7, zones[0].RecordSetCount);
            Assert.Equal("zone Z1PUBLIC", zones[0].Comment);
            var r = fake.Requests;
            Assert.Equal(2, r.Count);
            Assert.All(r, q => Assert.Equal(("GET", "/2013-04-01/hostedzone"), (q.Method, q.Path)));
            Assert.False(r[0].Form.ContainsKey("marker"));
            Assert.Equal("100", r[0].Form["maxitems"]);
            Assert.Equal("Z2PRIVATE", r[1].Form["marker"]);
        }

        [Fact]
        public async Task ListHostedZones_with_no_zones_is_an_empty_list()
        {
            using var fake = new Route53Fake(Ok($"<ListHostedZonesResponse xmlns=\"{Ns}\"><HostedZones/><Marker/><IsTruncated>false</IsTruncated><MaxItems>100</MaxItems></ListHostedZonesResponse>"));
            using var svc = fake.Service();
            Assert.Empty(await svc.ListHostedZonesAsync());
        }

        static string ByName(string dnsName, string zones, bool truncated = false, string next = "") =>
            $"<ListHostedZonesByNameResponse xmlns=\"{Ns}\"><HostedZones>{zones}</HostedZones><DNSName>{dnsName}</DNSName>" +
            $"<IsTruncated>{(truncated ? "true" : "false")}</IsTruncated>{next}<MaxItems>100</MaxItems></ListHostedZonesByNameResponse>";

        [Fact]
        public async Task FindHostedZone_normalises_the_name_and_picks_public_or_private()
        {
            var page = ByName("example.com.", Zone("Z1PUB", "example.com.", false) + Zone("Z2PRIV", "example.com.", true) + Zone("Z3OTHER", "other.example.com.", false));
            using var fake = new Route53Fake(Ok(page), Ok(page), Ok(page));
            using var svc = fake.Service();

            var pub = await svc.FindHostedZoneAsync("Example.COM", privateZone: false);
            var priv = await svc.FindHostedZoneAsync("example.com.", privateZone: true);
            var ambiguous = await Assert.ThrowsAsync<DrToolsException>(() => svc.FindHostedZoneAsync("example.com"));

            Assert.Equal("Z1PUB", pub.Id);
            Assert.Equal("Z2PRIV", priv.Id);
            Assert.Equal(ErrorIds.InvalidParameter, ambiguous.ErrorId);
            Assert.Contains("Z1PUB (public)", ambiguous.Message);
            Assert.Contains("Z2PRIV (private)", ambiguous.Message);
            var r = fake.Requests[0];
            Assert.Equal(("GET", "/2013-04-01/hostedzonesbyname"), (r.Method, r.Path));
            Assert.Equal("example.com.", r.Form["dnsname"]);
            Assert.False(r.Form.ContainsKey("hostedzoneid"));
        }

        [Fact]
        public async Task FindHostedZones_pages_with_NextDNSName_and_NextHostedZoneId_while_the_name_matches()
        {
            using var fake = new Route53Fake(
                Ok(ByName("example.com.", Zone("Z1", "example.com.", true), truncated: true,
                    next: "<NextDNSName>example.com.</NextDNSName><NextHostedZoneId>Z2</NextHostedZoneId>")),
                Ok(ByName("example.com.", Zone("Z2", "example.com.", true) + Zone("Z9", "www.example.com.", false), truncated: true,
                    next: "<NextDNSName>zzz.example.com.</NextDNSName><NextHostedZoneId>Z10</NextHostedZoneId>")));
            using var svc = fake.Service();

            var zones = await svc.FindHostedZonesAsync("example.com");

            Assert.Equal(new[] { "Z1", "Z2" }, zones.Select(z => z.Id));
            Assert.Equal(2, fake.Requests.Count);
            Assert.Equal("example.com.", fake.Requests[1].Form["dnsname"]);
            Assert.Equal("Z2", fake.Requests[1].Form["hostedzoneid"]);
        }

        [Fact]
        public async Task FindHostedZone_that_does_not_exist_is_DrTools_NotFound()
        {
            using var fake = new Route53Fake(Ok(ByName("missing.example.", Zone("Z3", "other.example.", false))));
            using var svc = fake.Service();
            var ex = await Assert.ThrowsAsync<DrToolsException>(() => svc.FindHostedZoneAsync("missing.example"));
            Assert.Equal(ErrorIds.NotFound, ex.ErrorId);
            Assert.Contains("missing.example.", ex.Message);
        }

        const string Weighted1 =
            "<ResourceRecordSet><Name>www.example.com.</Name><Type>A</Type><SetIdentifier>site-a</SetIdentifier><Weight>100</Weight><TTL>60</TTL>" +
            "<ResourceRecords><ResourceRecord><Value>192.0.2.10</Value></ResourceRecord><ResourceRecord><Value>192.0.2.11</Value></ResourceRecord></ResourceRecords>" +
            "<HealthCheckId>hc-a</HealthCheckId></ResourceRecordSet>";
        const string Weighted2 =
            "<ResourceRecordSet><Name>www.example.com.</Name><Type>A</Type><SetIdentifier>site-b</SetIdentifier><Weight>0</Weight><TTL>60</TTL>" +
            "<ResourceRecords><ResourceRecord><Value>198.51.100.10</Value></ResourceRecord></ResourceRecords></ResourceRecordSet>";
        const string Alias =
            "<ResourceRecordSet><Name>\\052.example.com.</Name><Type>A</Type><AliasTarget><HostedZoneId>Z35SXDOTRQ7X7K</HostedZoneId>" +
            "<DNSName>dualstack.lb-1.us-east-1.elb.amazonaws.com.</DNSName><EvaluateTargetHealth>true</EvaluateTargetHealth></AliasTarget></ResourceRecordSet>";
        const string Primary =
            "<ResourceRecordSet><Name>app.example.com.</Name><Type>CNAME</Type><SetIdentifier>primary</SetIdentifier><Failover>PRIMARY</Failover><TTL>30</TTL>" +
            "<ResourceRecords><ResourceRecord><Value>app.us-east-1.example.net</Value></ResourceRecord></ResourceRecords><HealthCheckId>hc-p</HealthCheckId></ResourceRecordSet>";
        const string Soa =
            "<ResourceRecordSet><Name>example.com.</Name><Type>SOA</Type><TTL>900</TTL><ResourceRecords><ResourceRecord>" +
            "<Value>ns-1.awsdns-01.org. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400</Value></ResourceRecord></ResourceRecords></ResourceRecordSet>";

        static string Page(string records, string? next = null) =>
            $"<ListResourceRecordSetsResponse xmlns=\"{Ns}\"><ResourceRecordSets>{records}</ResourceRecordSets>" +
            (next == null ? "<IsTruncated>false</IsTruncated>" : "<IsTruncated>true</IsTruncated>" + next) + "<MaxItems>2</MaxItems></ListResourceRecordSetsResponse>";

        [Fact]
        public async Task ListRecordSets_reads_all_three_pages_passing_name_type_and_identifier_and_parses_every_routing_kind()
        {
            using var fake = new Route53Fake(
                Ok(Page(Soa + Alias, "<NextRecordName>app.example.com.</NextRecordName><NextRecordType>CNAME</NextRecordType>")),
                Ok(Page(Primary + Weighted1, "<NextRecordName>www.example.com.</NextRecordName><NextRecordType>A</NextRecordType><NextRecordIdentifier>site-b</NextRecordIdentifier>")),
                Ok(Page(Weighted2)));
            using var svc = fake.Service(recordPageSize: 2);

            var records = await svc.ListRecordSetsAsync("/hostedzone/Z1PUBLIC");

            Assert.Equal(5, records.Count);
            var r = fake.Requests;
            Assert.Equal(3, r.Count);
            Assert.All(r, q => Assert.Equal(("GET", "/2013-04-01/hostedzone/Z1PUBLIC/rrset"), (q.Method, q.Path)));
            Assert.Equal(new[] { "maxitems" }, r[0].Form.Keys);
            Assert.Equal("2", r[0].Form["maxitems"]);
            Assert.Equal(("app.example.com.", "CNAME"), (r[1].Form["name"], r[1].Form["type"]));
            Assert.False(r[1].Form.ContainsKey("identifier"));
            Assert.Equal(("www.example.com.", "A", "site-b"), (r[2].Form["name"], r[2].Form["type"], r[2].Form["identifier"]));

            var alias = records[1];
            Assert.Equal(new AliasTarget("Z35SXDOTRQ7X7K", "dualstack.lb-1.us-east-1.elb.amazonaws.com.", true), alias.AliasTarget);
            Assert.Null(alias.Ttl);
            Assert.Empty(alias.Values);
            var primary = records[2];
            Assert.Equal((FailoverRole?)FailoverRole.Primary, primary.Failover);
            Assert.Equal(("primary", "hc-p", 30L), (primary.SetIdentifier, primary.HealthCheckId, primary.Ttl!.Value));
            var a = records[3];
            Assert.Equal(("site-a", 100L), (a.SetIdentifier, a.Weight!.Value));
            Assert.Equal(new[] { "192.0.2.10", "192.0.2.11" }, a.Values);
            Assert.Equal(0L, records[4].Weight);
            Assert.Equal("ns-1.awsdns-01.org. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400", records[0].Values.Single());
        }

        [Fact]
        public async Task ListRecordSets_filtered_by_name_and_type_starts_there_and_stops_at_the_first_other_record()
        {
            using var fake = new Route53Fake(
                Ok(Page(Weighted1 + Weighted2 + "<ResourceRecordSet><Name>www.example.com.</Name><Type>TXT</Type><TTL>60</TTL><ResourceRecords><ResourceRecord><Value>\"v\"</Value></ResourceRecord></ResourceRecords></ResourceRecordSet>",
                    "<NextRecordName>zz.example.com.</NextRecordName><NextRecordType>A</NextRecordType>")));
            using var svc = fake.Service();

            var records = await svc.ListRecordSetsAsync("Z1", "WWW.example.com", "a");

            Assert.Equal(new[] { "site-a", "site-b" }, records.Select(x => x.SetIdentifier));
            var q = Assert.Single(fake.Requests);
            Assert.Equal(("www.example.com.", "A"), (q.Form["name"], q.Form["type"]));
        }

        [Fact]
        public async Task ListRecordSets_matches_names_Route53_escapes_and_filters_by_type_alone_across_the_whole_zone()
        {
            using var fake = new Route53Fake(Ok(Page(Alias)), Ok(Page(Soa + Alias + Primary + Weighted1)));
            using var svc = fake.Service();

            var wildcard = await svc.ListRecordSetsAsync("Z1", "*.example.com");
            var cnames = await svc.ListRecordSetsAsync("Z1", type: "CNAME");

            Assert.Equal("\\052.example.com.", Assert.Single(wildcard).Name);
            Assert.Equal("app.example.com.", Assert.Single(cnames).Name);
            Assert.False(fake.Requests[1].Form.ContainsKey("name"));
            Assert.False(fake.Requests[1].Form.ContainsKey("type"));
        }

        [Fact]
        public async Task ListRecordSets_of_an_empty_page_is_an_empty_list()
        {
            using var fake = new Route53Fake(Ok($"<ListResourceRecordSetsResponse xmlns=\"{Ns}\"><ResourceRecordSets/><IsTruncated>false</IsTruncated><MaxItems>300</MaxItems></ListResourceRecordSetsResponse>"));
            using var svc = fake.Service();
            Assert.Empty(await svc.ListRecordSetsAsync("Z1"));
        }

        [Fact]
        public async Task ListRecordSets_does_not_repeat_a_record_when_a_page_restarts_at_its_name_and_type()
        {
            // Emulators that ignore StartRecordIdentifier (moto) restart the next page at the name+type.
            using var fake = new Route53Fake(
                Ok(Page(Soa + Weighted1, "<NextRecordName>www.example.com.</NextRecordName><NextRecordType>A</NextRecordType>")),
                Ok(Page(Weighted1 + Weighted2)));
            using var svc = fake.Service(recordPageSize: 2);

            var records = await svc.ListRecordSetsAsync("Z1");

            Assert.Equal(new[] { null, "site-a", "site-b" }, records.Select(x => x.SetIdentifier));
        }

        [Fact]
        public async Task ListRecordSets_stops_with_an_error_when_the_endpoint_hands_back_the_same_page_marker()
        {
            var stuck = Page(Weighted1, "<NextRecordName>www.example.com.</NextRecordName><NextRecordType>A</NextRecordType>");
            using var fake = new Route53Fake(Ok(stuck), Ok(stuck), Ok(stuck));
            using var svc = fake.Service();
            var ex = await Assert.ThrowsAsync<DrToolsException>(() => svc.ListRecordSetsAsync("Z1", "www.example.com", "A"));
            Assert.Equal(ErrorIds.ServiceError, ex.ErrorId);
            Assert.Single(fake.Requests);
        }

        [Fact]
        public async Task Unknown_hosted_zone_is_DrTools_NotFound_with_the_AWS_code_and_request_id()
        {
            using var fake = new Route53Fake(Error(404, "NoSuchHostedZone", "No hosted zone found with ID: ZNOPE"));
            using var svc = fake.Service();

            var ex = await Assert.ThrowsAsync<DrToolsException>(() => svc.ListRecordSetsAsync("ZNOPE"));

            Assert.Equal(ErrorIds.NotFound, ex.ErrorId);
            Assert.Equal(DrErrorCategory.ObjectNotFound, ex.Category);
            Assert.Equal("NoSuchHostedZone", ex.AwsErrorCode);
            Assert.Equal("req-NoSuchHostedZone", ex.RequestId);
            Assert.Equal("Route53", ex.Service);
            Assert.Contains("No hosted zone found with ID: ZNOPE", ex.Message);
            Assert.Contains("ListResourceRecordSets", ex.Message);
        }

        [Fact]
        public async Task Throttling_is_retried_by_the_SDK_pipeline_and_the_call_succeeds()
        {
            using var fake = new Route53Fake(
                Error(400, "Throttling", "Rate exceeded"),
                Ok(Page(Weighted1)));
            using var svc = fake.Service();

            var records = await svc.ListRecordSetsAsync("Z1");

            Assert.Equal("site-a", Assert.Single(records).SetIdentifier);
            Assert.Equal(2, fake.Requests.Count);
        }

        [Fact]
        public async Task Throttling_that_outlasts_the_retries_is_DrTools_Throttled()
        {
            using var fake = new Route53Fake(Error(400, "Throttling", "Rate exceeded"), Error(400, "Throttling", "Rate exceeded"), Error(400, "Throttling", "Rate exceeded"));
            using var svc = fake.Service();
            var ex = await Assert.ThrowsAsync<DrToolsException>(() => svc.ListHostedZonesAsync());
            Assert.Equal(ErrorIds.Throttled, ex.ErrorId);
            Assert.Equal(3, fake.Requests.Count); // first try + MaxErrorRetry 2
        }

        [Theory]
        [InlineData("Example.COM", "example.com.")]
        [InlineData("example.com.", "example.com.")]
        [InlineData("\\052.example.com.", "*.example.com.")]
        [InlineData(" www.example.com ", "www.example.com.")]
        public void Names_normalise_to_lower_case_with_a_trailing_dot_and_decoded_escapes(string input, string expected) =>
            Assert.Equal(expected, Route53Names.Normalise(input));

        [Theory]
        [InlineData("/hostedzone/Z1ABC", "Z1ABC")]
        [InlineData("Z1ABC", "Z1ABC")]
        [InlineData("/change/C2XYZ", "C2XYZ")]
        public void Ids_lose_their_path_prefix(string input, string expected) => Assert.Equal(expected, Route53Names.StripId(input));
    }
}
