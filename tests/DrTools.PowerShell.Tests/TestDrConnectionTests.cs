using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;
using DrTools.TestSupport;
using Xunit;

namespace DrTools.PowerShell.Tests
{
    /// <summary>Test-DrConnection as an admin runs it, against a loopback fake AWS endpoint.</summary>
    public class TestDrConnectionTests
    {
        const string Keys = "-AccessKey AKIDTEST -SecretKey TopSecretValue42";

        static ErrorRecord SingleError(PsResult r)
        {
            var errors = r.AllErrors.ToList();
            Assert.True(errors.Count == 1, r.Describe());
            return errors[0];
        }

        [Fact]
        public void Reports_account_identity_region_endpoint_and_every_service()
        {
            using var aws = new FakeAwsServer(FakeAws.Healthy);
            var r = PsHarness.Run($"Test-DrConnection -Region eu-west-1 -EndpointUrl {aws.Url} {Keys}");
            Assert.True(r.Terminating == null && r.Errors.Count == 0, r.Describe());
            var report = r.Output.Single();
            Assert.Equal("DrTools.Core.Connection.ConnectionReport", report.TypeNames[0]);
            Assert.Equal("123456789012", report.Properties["Account"].Value);
            Assert.Equal("arn:aws:iam::123456789012:user/dr-admin", report.Properties["Arn"].Value);
            Assert.Equal("eu-west-1", report.Properties["Region"].Value);
            Assert.Equal(aws.Url + "/", report.Properties["Endpoint"].Value);
            Assert.Equal("Parameter:-AccessKey", report.Properties["CredentialSource"].Value);
            Assert.True((bool)report.Properties["AllReachable"].Value);
            var services = ((IEnumerable<object>)report.Properties["Services"].Value).Select(PSObject.AsPSObject).ToList();
            Assert.Equal(new[] { "S3", "EC2", "Route53", "RDS", "AutoScaling" }, services.Select(s => (string)s.Properties["Service"].Value));

            // Every call was signed for the requested region by the keys given (Route 53 is global: us-east-1 scope unless overridden).
            Assert.All(aws.Requests, q => Assert.Equal("AKIDTEST", q.AccessKey));
            Assert.Contains(aws.Requests, q => q.Service == "sts" && q.Action == "GetCallerIdentity" && q.Region == "eu-west-1");
            Assert.Contains(aws.Requests, q => q.Service == "rds" && q.Action == "DescribeDBInstances");
            Assert.Contains(aws.Requests, q => q.Service == "autoscaling" && q.Action == "DescribeAutoScalingGroups");
            Assert.Contains(aws.Requests, q => q.Service == "route53" && q.Path == "/2013-04-01/hostedzone");
        }

        [Fact]
        public void Uses_the_sessions_StoredAWSRegion_when_no_Region_is_given()
        {
            using var aws = new FakeAwsServer(FakeAws.Healthy);
            var r = PsHarness.Run($"$StoredAWSRegion = 'ap-southeast-2'; Test-DrConnection -Service S3 -EndpointUrl {aws.Url} {Keys}");
            Assert.True(r.Terminating == null && r.Errors.Count == 0, r.Describe());
            Assert.Equal("ap-southeast-2", r.Output.Single().Properties["Region"].Value);
            Assert.Equal("Session:$StoredAWSRegion", r.Output.Single().Properties["RegionSource"].Value);
        }

        [Fact]
        public void Without_a_region_it_fails_with_DrTools_NoRegion_and_says_how_to_set_one()
        {
            var r = PsHarness.Run($"Test-DrConnection -EndpointUrl http://127.0.0.1:1 {Keys}");
            var e = SingleError(r);
            Assert.StartsWith("DrTools.NoRegion", e.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.InvalidArgument, e.CategoryInfo.Category);
            Assert.Contains("Set-DefaultAWSRegion", e.ErrorDetails.RecommendedAction);
            Assert.Empty(r.Output);
        }

        [Fact]
        public void Rejected_credentials_give_DrTools_InvalidCredentials_without_revealing_the_secret()
        {
            using var aws = new FakeAwsServer(_ => FakeAwsServer.QueryError(403, "InvalidClientTokenId", "The security token included in the request is invalid."));
            var r = PsHarness.Run($"Test-DrConnection -Region us-east-1 -EndpointUrl {aws.Url} {Keys} -Verbose");
            var e = SingleError(r);
            Assert.StartsWith("DrTools.InvalidCredentials", e.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.AuthenticationError, e.CategoryInfo.Category);
            Assert.Contains("InvalidClientTokenId", e.ErrorDetails.Message);
            Assert.Contains("fake-request-id", e.ErrorDetails.Message);
            var everything = string.Join("\n", r.Verbose.Concat(r.Warnings).Append(e.ToString()).Append(e.ErrorDetails.Message)
                .Append(e.ErrorDetails.RecommendedAction).Append(e.Exception.ToString()).Append(r.HostText));
            Assert.DoesNotContain("TopSecretValue42", everything);
        }

        [Fact]
        public void An_unreachable_endpoint_fails_fast_with_DrTools_EndpointUnreachable()
        {
            var clock = Stopwatch.StartNew();
            var r = PsHarness.Run($"Test-DrConnection -Region us-east-1 -EndpointUrl http://127.0.0.1:1 {Keys}");
            var e = SingleError(r);
            Assert.StartsWith("DrTools.EndpointUnreachable", e.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.ConnectionError, e.CategoryInfo.Category);
            Assert.Contains("127.0.0.1:1", e.ErrorDetails.Message);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed}");
        }

        [Theory]
        [InlineData("localhost:5000")]
        [InlineData("ftp://127.0.0.1/")]
        [InlineData("not-a-url")]
        public void A_malformed_EndpointUrl_fails_with_DrTools_InvalidEndpoint(string url)
        {
            var r = PsHarness.Run($"Test-DrConnection -Region us-east-1 -EndpointUrl '{url}' {Keys}");
            var e = SingleError(r);
            Assert.StartsWith("DrTools.InvalidEndpoint", e.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.InvalidArgument, e.CategoryInfo.Category);
            Assert.Equal(url, e.TargetObject);
        }

        [Fact]
        public void A_failing_service_is_reported_in_the_result_and_as_a_warning()
        {
            using var aws = new FakeAwsServer(q => q.Service == "rds"
                ? FakeAwsServer.QueryError(403, "AccessDenied", "User is not authorized to perform: rds:DescribeDBInstances")
                : FakeAws.Healthy(q));
            var r = PsHarness.Run($"Test-DrConnection -Region us-east-1 -EndpointUrl {aws.Url} {Keys}");
            Assert.True(r.Terminating == null && r.Errors.Count == 0, r.Describe());
            var report = r.Output.Single();
            Assert.False((bool)report.Properties["AllReachable"].Value);
            var rds = ((IEnumerable<object>)report.Properties["Services"].Value).Select(PSObject.AsPSObject).Single(s => (string)s.Properties["Service"].Value == "RDS");
            Assert.False((bool)rds.Properties["Reachable"].Value);
            Assert.Equal("DrTools.AccessDenied", rds.Properties["ErrorId"].Value);
            Assert.Contains(r.Warnings, w => w.StartsWith("RDS is not usable", StringComparison.Ordinal));
        }

        [Fact]
        public void CtrlC_cancels_in_flight_calls_within_a_second()
        {
            using var aws = new FakeAwsServer(_ => new FakeResponse(200, "") { Delay = TimeSpan.FromMinutes(2) });
            var clock = Stopwatch.StartNew();
            var r = PsHarness.Run($"Test-DrConnection -Region us-east-1 -EndpointUrl {aws.Url} {Keys} -TimeoutSec 120", stopAfter: TimeSpan.FromMilliseconds(700));
            Assert.True(clock.Elapsed < TimeSpan.FromMilliseconds(700 + 1000 + 500), $"stopping took {clock.Elapsed}");
            Assert.Empty(r.Output);
            Assert.IsType<PipelineStoppedException>(r.Terminating);
        }

        [Fact]
        public void The_default_view_renders_a_table_with_the_services()
        {
            using var aws = new FakeAwsServer(FakeAws.Healthy);
            var r = PsHarness.Run($"Test-DrConnection -Region us-east-1 -EndpointUrl {aws.Url} {Keys} | Out-Default");
            Assert.True(r.Terminating == null && r.Errors.Count == 0, r.Describe());
            Assert.Contains("CredentialSource", r.HostText);
            Assert.Contains("AllReachable", r.HostText);
            Assert.Contains("123456789012", r.HostText);
            Assert.Contains("all 5 ok", r.HostText);
            System.IO.File.WriteAllText("/tmp/hosttext.txt", r.HostText);
        }
    }
}
