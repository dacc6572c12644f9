using System;
using System.Linq;
using System.Threading.Tasks;
using DrTools.Core.Aws.Route53;
using DrTools.Core.Diagnostics;
using Xunit;
using static DrTools.Core.Tests.Aws.Route53.Route53Fake;

namespace DrTools.Core.Tests.Aws.Route53
{
    public class Route53HealthCheckTests
    {
        const string HcId = "abcdef11-2222-3333-4444-555555fedcba";

        static string HealthCheckXml(string root, string config) =>
            $"<{root} xmlns=\"{Ns}\"><HealthCheck><Id>{HcId}</Id><CallerReference>dr-site-a-web</CallerReference>" +
            $"<HealthCheckConfig>{config}</HealthCheckConfig><HealthCheckVersion>1</HealthCheckVersion></HealthCheck></{root}>";

        [Fact]
        public async Task CreateHealthCheck_sends_the_caller_reference_and_config_in_model_order()
        {
            const string config = "<IPAddress>192.0.2.10</IPAddress><Port>8443</Port><Type>HTTPS</Type><ResourcePath>/health</ResourcePath>" +
                                  "<FullyQualifiedDomainName>www.example.com</FullyQualifiedDomainName><RequestInterval>10</RequestInterval>" +
                                  "<FailureThreshold>2</FailureThreshold><EnableSNI>true</EnableSNI>";
            var created = Ok(HealthCheckXml("CreateHealthCheckResponse", config), 201);
            created.Headers["Location"] = $"https://route53.amazonaws.com/2013-04-01/healthcheck/{HcId}";
            using var fake = new Route53Fake(created);
            using var svc = fake.Service();

            var hc = await svc.CreateHealthCheckAsync("dr-site-a-web", HealthCheckConfig.For(HealthCheckType.Https) with
            {
                IpAddress = "192.0.2.10", Port = 8443, ResourcePath = "/health", FullyQualifiedDomainName = "www.example.com",
                RequestInterval = 10, FailureThreshold = 2, EnableSni = true,
            });

            var req = Assert.Single(fake.Requests);
            Assert.Equal(("POST", "/2013-04-01/healthcheck"), (req.Method, req.Path));
            Assert.Equal("<?xml version=\"1.0\" encoding=\"UTF-8\"?>" +
                         $"<CreateHealthCheckRequest xmlns=\"{Ns}\"><CallerReference>dr-site-a-web</CallerReference>" +
                         $"<HealthCheckConfig>{config}</HealthCheckConfig></CreateHealthCheckRequest>", req.Body);
            Assert.Equal(HcId, hc.Id);
            Assert.Equal("dr-site-a-web", hc.CallerReference);
            Assert.Equal(1, hc.Version);
            Assert.Equal(("HTTPS", "192.0.2.10", 8443, "/health"), (hc.Config.Type, hc.Config.IpAddress, hc.Config.Port!.Value, hc.Config.ResourcePath));
            Assert.Equal((10, 2, true), (hc.Config.RequestInterval!.Value, hc.Config.FailureThreshold!.Value, hc.Config.EnableSni!.Value));
        }

        [Fact]
        public async Task A_minimal_TCP_check_sends_only_what_was_given()
        {
            using var fake = new Route53Fake(Ok(HealthCheckXml("CreateHealthCheckResponse", "<IPAddress>192.0.2.20</IPAddress><Port>5432</Port><Type>TCP</Type><RequestInterval>30</RequestInterval><FailureThreshold>3</FailureThreshold>"), 201));
            using var svc = fake.Service();

            var hc = await svc.CreateHealthCheckAsync("db", HealthCheckConfig.For(HealthCheckType.Tcp) with { IpAddress = "192.0.2.20", Port = 5432 });

            Assert.Contains("<HealthCheckConfig><IPAddress>192.0.2.20</IPAddress><Port>5432</Port><Type>TCP</Type></HealthCheckConfig>", fake.Requests[0].Body);
            Assert.Equal(30, hc.Config.RequestInterval);
        }

        [Theory]
        [InlineData("", "HTTP", "192.0.2.1", null, null, null, null, "CallerReference must be 1..64")]
        [InlineData("ref", "HTTP", null, null, null, null, null, "IpAddress, its FullyQualifiedDomainName, or both")]
        [InlineData("ref", "HTTP", "not-an-ip", null, null, null, null, "is not an IPv4 or IPv6 address")]
        [InlineData("ref", "TCP", "192.0.2.1", null, null, null, null, "a TCP health check needs a Port")]
        [InlineData("ref", "HTTP", "192.0.2.1", 70000, null, null, null, "Port 70000 is outside 1..65535")]
        [InlineData("ref", "HTTP", "192.0.2.1", null, 15, null, null, "RequestInterval 15 must be 10 or 30")]
        [InlineData("ref", "HTTP", "192.0.2.1", null, null, 11, null, "FailureThreshold 11 is outside 1..10")]
        [InlineData("ref", "TCP", "192.0.2.1", 22, null, null, "/x", "ResourcePath applies to HTTP and HTTPS checks only")]
        [InlineData("ref", "CALCULATED", "192.0.2.1", null, null, null, null, "is not HTTP, HTTPS or TCP")]
        public async Task Invalid_health_checks_are_rejected_locally(string reference, string type, string? ip, int? port, int? interval,
            int? threshold, string? path, string expected)
        {
            using var fake = new Route53Fake();
            using var svc = fake.Service();
            var ex = await Assert.ThrowsAsync<DrToolsException>(() => svc.CreateHealthCheckAsync(reference, new HealthCheckConfig
            {
                Type = type, IpAddress = ip, Port = port, RequestInterval = interval, FailureThreshold = threshold, ResourcePath = path,
            }));
            Assert.Equal(ErrorIds.InvalidParameter, ex.ErrorId);
            Assert.Contains(expected, ex.Message);
            Assert.Empty(fake.Requests);
        }

        [Fact]
        public async Task Same_caller_reference_with_another_config_is_DrTools_AlreadyExists()
        {
            using var fake = new Route53Fake(Error(409, "HealthCheckAlreadyExists",
                "A health check with the specified CallerReference already exists but has a different configuration."));
            using var svc = fake.Service();
            var ex = await Assert.ThrowsAsync<DrToolsException>(() =>
                svc.CreateHealthCheckAsync("dr-site-a-web", HealthCheckConfig.For(HealthCheckType.Http) with { IpAddress = "192.0.2.10" }));
            Assert.Equal(ErrorIds.AlreadyExists, ex.ErrorId);
            Assert.Contains("dr-site-a-web", ex.Message);
        }

        [Fact]
        public async Task Get_and_delete_address_the_health_check_by_id()
        {
            using var fake = new Route53Fake(
                Ok(HealthCheckXml("GetHealthCheckResponse", "<FullyQualifiedDomainName>www.example.com</FullyQualifiedDomainName><Type>HTTP</Type>")),
                Ok($"<DeleteHealthCheckResponse xmlns=\"{Ns}\"/>"));
            using var svc = fake.Service();

            var hc = await svc.GetHealthCheckAsync(HcId);
            await svc.DeleteHealthCheckAsync(HcId);

            Assert.Equal(("HTTP", "www.example.com"), (hc.Config.Type, hc.Config.FullyQualifiedDomainName));
            Assert.Equal(("GET", $"/2013-04-01/healthcheck/{HcId}"), (fake.Requests[0].Method, fake.Requests[0].Path));
            Assert.Equal(("DELETE", $"/2013-04-01/healthcheck/{HcId}"), (fake.Requests[1].Method, fake.Requests[1].Path));
        }

        [Fact]
        public async Task Missing_and_in_use_health_checks_map_to_NotFound_and_InvalidState()
        {
            using var fake = new Route53Fake(
                Error(404, "NoSuchHealthCheck", $"No health check exists with the specified ID {HcId}"),
                Error(400, "HealthCheckInUse", "The health check is still referenced from a resource record set."));
            using var svc = fake.Service();

            var missing = await Assert.ThrowsAsync<DrToolsException>(() => svc.GetHealthCheckAsync(HcId));
            var inUse = await Assert.ThrowsAsync<DrToolsException>(() => svc.DeleteHealthCheckAsync(HcId));

            Assert.Equal(ErrorIds.NotFound, missing.ErrorId);
            Assert.Equal(ErrorIds.InvalidState, inUse.ErrorId);
            Assert.Contains($"health check {HcId}", inUse.Message);
        }

        static string Observation(string region, string status) =>
            $"<HealthCheckObservation><Region>{region}</Region><IPAddress>15.177.2.{region.Length}</IPAddress>" +
            $"<StatusReport><Status>{status}</Status><CheckedTime>2024-05-01T03:00:00Z</CheckedTime></StatusReport></HealthCheckObservation>";

        [Fact]
        public async Task GetHealthCheckStatus_reads_each_checker_and_applies_the_18_percent_rule()
        {
            var regions = new[] { "us-east-1", "us-west-1", "us-west-2", "eu-west-1", "ap-southeast-1", "ap-southeast-2", "ap-northeast-1", "sa-east-1" };
            string Body(int healthy) => $"<GetHealthCheckStatusResponse xmlns=\"{Ns}\"><HealthCheckObservations>" +
                string.Concat(regions.Select((r, i) => Observation(r, i < healthy ? "Success: HTTP Status Code 200, OK" : "Failure: Connection timed out. The endpoint or the internet connection is down, or requests are being blocked by your firewall."))) +
                "</HealthCheckObservations></GetHealthCheckStatusResponse>";
            using var fake = new Route53Fake(Ok(Body(2)), Ok(Body(1)), Ok($"<GetHealthCheckStatusResponse xmlns=\"{Ns}\"><HealthCheckObservations/></GetHealthCheckStatusResponse>"));
            using var svc = fake.Service();

            var twoOfEight = await svc.GetHealthCheckStatusAsync(HcId);   // 25% > 18%
            var oneOfEight = await svc.GetHealthCheckStatusAsync(HcId);   // 12.5%
            var none = await svc.GetHealthCheckStatusAsync(HcId);

            Assert.Equal(("GET", $"/2013-04-01/healthcheck/{HcId}/status"), (fake.Requests[0].Method, fake.Requests[0].Path));
            Assert.Equal((HealthState.Healthy, 2, 8), (twoOfEight.State, twoOfEight.HealthyCheckers, twoOfEight.TotalCheckers));
            Assert.Equal(HealthState.Unhealthy, oneOfEight.State);
            Assert.Equal(HealthState.Unknown, none.State);
            var first = twoOfEight.Observations[0];
            Assert.Equal(("us-east-1", true), (first.Region, first.IsHealthy));
            Assert.Equal(new DateTimeOffset(2024, 5, 1, 3, 0, 0, TimeSpan.Zero), first.CheckedTime);
            Assert.False(twoOfEight.Observations[7].IsHealthy);
        }

        [Theory]
        [InlineData(9, 50, HealthState.Unhealthy)]   // exactly 18%: not more than 18%
        [InlineData(10, 50, HealthState.Healthy)]    // 20%
        [InlineData(0, 16, HealthState.Unhealthy)]
        [InlineData(16, 16, HealthState.Healthy)]
        public void Evaluate_is_healthy_only_above_18_percent(int healthy, int total, HealthState expected)
        {
            var observations = Enumerable.Range(0, total)
                .Select(i => new HealthCheckObservation { Status = i < healthy ? "Success: OK" : "Failure: timeout" }).ToList();
            Assert.Equal(expected, Route53Service.Evaluate("hc", observations).State);
        }
    }
}
