using System.Collections;
using System.Linq;
using System.Management.Automation;
using DrTools.TestSupport;
using Xunit;

namespace DrTools.PowerShell.Tests
{
    /// <summary>Get-DrTrafficWeight and Set-DrTrafficWeight as an admin runs them, against a fake Route 53.</summary>
    public class TrafficTests
    {
        const string Keys = "-Region us-east-1 -AccessKey AKIDTEST -SecretKey TopSecretValue42";

        static (FakeRoute53Zone Zone, FakeAwsServer Server) Fake(bool awsHealthy = true)
        {
            var zone = new FakeRoute53Zone();
            zone.Sites["onprem"] = (100, "192.0.2.10", "hc-onprem");
            zone.Sites["aws"] = (0, "198.51.100.10", "hc-aws");
            zone.Healthy["hc-onprem"] = true;
            zone.Healthy["hc-aws"] = awsHealthy;
            return (zone, new FakeAwsServer(zone.Handle));
        }

        static string Conn(FakeAwsServer s) => $"{Keys} -EndpointUrl {s.Url}";

        static bool AnyChangeSent(FakeAwsServer s) => s.Requests.Any(r => r.Method == "POST" && r.Path.EndsWith("/rrset/"));

        [Fact]
        public void Get_lists_every_site_with_weight_share_and_health()
        {
            var (_, server) = Fake(awsHealthy: false);
            using var _s = server;
            var r = PsHarness.Run($"Get-DrTrafficWeight -HostedZone example.com -RecordName www.example.com {Conn(server)}");

            Assert.True(r.Terminating == null && r.Errors.Count == 0, r.Describe());
            Assert.Equal(2, r.Output.Count);
            Assert.All(r.Output, o => Assert.Equal("DrTools.Core.Traffic.TrafficWeight", o.TypeNames[0]));
            var aws = r.Output.Single(o => (string)o.Properties["Site"].Value == "aws");
            var onprem = r.Output.Single(o => (string)o.Properties["Site"].Value == "onprem");
            Assert.Equal(("Z1DRTOOLSTEST", "www.example.com.", "A"), ((string)aws.Properties["ZoneId"].Value, (string)aws.Properties["RecordName"].Value, (string)aws.Properties["RecordType"].Value));
            Assert.Equal(100.0, onprem.Properties["Share"].Value);
            Assert.Equal("Healthy", onprem.Properties["Health"].Value.ToString());
            Assert.Equal("Unhealthy", aws.Properties["Health"].Value.ToString());
            Assert.Equal(0L, aws.Properties["Weight"].Value);
        }

        [Fact]
        public void WhatIf_prints_every_sites_before_and_after_and_sends_no_change()
        {
            var (zone, server) = Fake();
            using var _s = server;
            var r = PsHarness.Run($"Set-DrTrafficWeight -HostedZone example.com -RecordName www.example.com -Weight @{{ onprem = 0; aws = 100 }} -WhatIf {Conn(server)}");

            Assert.True(r.Terminating == null && r.Errors.Count == 0, r.Describe());
            Assert.Empty(r.Output);
            Assert.Contains("What if:", r.HostText);
            Assert.Contains("onprem  weight 100 -> 0", r.HostText);
            Assert.Contains("aws     weight 0 -> 100", r.HostText);
            Assert.Contains("ONE atomic Route 53 change batch", r.HostText);
            Assert.Contains("Safety: passed", r.HostText);
            Assert.False(AnyChangeSent(server));
            Assert.Empty(zone.ChangeBatches);
        }

        [Fact]
        public void A_confirmed_run_sends_one_batch_waits_INSYNC_and_emits_the_result()
        {
            var (zone, server) = Fake();
            using var _s = server;
            var r = PsHarness.Run($"Set-DrTrafficWeight example.com www.example.com -RecordType A -Weight @{{ onprem = 0; aws = 100 }} -Confirm:$false {Conn(server)}");

            Assert.True(r.Terminating == null && r.Errors.Count == 0, r.Describe());
            var result = Assert.Single(r.Output);
            Assert.Equal("DrTools.Core.Traffic.TrafficChangeResult", result.TypeNames[0]);
            Assert.Equal("C1FAKE", result.Properties["ChangeId"].Value);
            Assert.Equal("INSYNC", result.Properties["Status"].Value);
            Assert.NotNull(result.Properties["InSyncAt"].Value);
            var body = Assert.Single(zone.ChangeBatches);
            Assert.Equal(2, body.Split("<Action>UPSERT</Action>").Length - 1);
            Assert.Contains("<SetIdentifier>onprem</SetIdentifier><Weight>0</Weight><TTL>60</TTL><ResourceRecords><ResourceRecord><Value>192.0.2.10</Value></ResourceRecord></ResourceRecords><HealthCheckId>hc-onprem</HealthCheckId>", body);
            Assert.Contains("<SetIdentifier>aws</SetIdentifier><Weight>100</Weight>", body);
            Assert.Equal((0L, 100L), (zone.Sites["onprem"].Weight, zone.Sites["aws"].Weight));
            Assert.Contains(server.Requests, q => q.Method == "GET" && q.Path == "/2013-04-01/change/C1FAKE");
        }

        [Fact]
        public void All_weights_zero_is_refused_with_TrafficSafety_and_nothing_is_sent()
        {
            var (zone, server) = Fake();
            using var _s = server;
            var r = PsHarness.Run($"Set-DrTrafficWeight -HostedZone example.com -RecordName www.example.com -Weight @{{ onprem = 0 }} -Confirm:$false {Conn(server)}");

            var e = Assert.Single(r.AllErrors);
            Assert.StartsWith("DrTools.TrafficSafety", e.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.InvalidOperation, e.CategoryInfo.Category);
            Assert.Equal("www.example.com.", e.TargetObject);
            Assert.Contains("every site would get weight 0", e.ErrorDetails.Message);
            Assert.Contains("-OverrideSafety", e.ErrorDetails.RecommendedAction);
            Assert.Empty(r.Output);
            Assert.False(AnyChangeSent(server));
            Assert.Empty(zone.ChangeBatches);
        }

        [Fact]
        public void Traffic_to_an_unhealthy_site_needs_OverrideSafety_and_Force_only_skips_the_prompt()
        {
            var (zone, server) = Fake(awsHealthy: false);
            using var _s = server;
            var refused = PsHarness.Run($"Set-DrTrafficWeight example.com www.example.com -Weight @{{ onprem = 0; aws = 100 }} -Confirm:$false {Conn(server)}");
            Assert.StartsWith("DrTools.TrafficSafety", Assert.Single(refused.AllErrors).FullyQualifiedErrorId);
            Assert.Empty(zone.ChangeBatches);

            // -Force means "do not ask" (AWS Tools), never "ignore the safety rules".
            var forceOnly = PsHarness.Run($"Set-DrTrafficWeight example.com www.example.com -Weight @{{ onprem = 0; aws = 100 }} -Force {Conn(server)}");
            Assert.StartsWith("DrTools.TrafficSafety", Assert.Single(forceOnly.AllErrors).FullyQualifiedErrorId);
            Assert.Empty(zone.ChangeBatches);

            var overridden = PsHarness.Run($"Set-DrTrafficWeight example.com www.example.com -Weight @{{ onprem = 0; aws = 100 }} -OverrideSafety -Force {Conn(server)}");
            Assert.True(overridden.Terminating == null && overridden.Errors.Count == 0, overridden.Describe());
            Assert.Contains(overridden.Warnings, w => w.Contains("overridden by -OverrideSafety"));
            Assert.Single(zone.ChangeBatches);
        }

        [Fact]
        public void Answering_No_to_Confirm_sends_nothing()
        {
            var (zone, server) = Fake();
            using var _s = server;
            // ConfirmImpact High: the default $ConfirmPreference prompts without -Confirm. Choices: Yes, Yes to All, No, No to All, Suspend.
            var r = PsHarness.Run($"Set-DrTrafficWeight example.com www.example.com -Weight @{{ onprem = 0; aws = 100 }} {Conn(server)}", confirmAnswer: 2);

            Assert.True(r.Terminating == null && r.Errors.Count == 0, r.Describe());
            Assert.Equal(1, r.HostText.Split("PROMPT:").Length - 1);
            Assert.Contains("onprem  weight 100 -> 0", r.HostText);
            Assert.Empty(r.Output);
            Assert.False(AnyChangeSent(server));
        }

        [Fact]
        public void Piped_sites_of_one_record_make_ONE_change()
        {
            var (zone, server) = Fake();
            using var _s = server;
            var r = PsHarness.Run(
                $"Get-DrTrafficWeight -HostedZone example.com -RecordName www.example.com {Conn(server)} | " +
                $"Set-DrTrafficWeight -Weight @{{ onprem = 25; aws = 75 }} -Confirm:$false {Conn(server)}");

            Assert.True(r.Terminating == null && r.Errors.Count == 0, r.Describe());
            var result = Assert.Single(r.Output);
            Assert.Equal("INSYNC", result.Properties["Status"].Value);
            Assert.Single(zone.ChangeBatches);
            Assert.Equal((25L, 75L), (zone.Sites["onprem"].Weight, zone.Sites["aws"].Weight));
            var after = (IDictionary)result.Properties["After"].Value;
            Assert.Equal(75L, after["aws"]);
        }

        [Fact]
        public void Unknown_zone_is_NotFound_and_unknown_site_names_the_real_ones()
        {
            var (zone, server) = Fake();
            using var _s = server;
            var noZone = PsHarness.Run($"Set-DrTrafficWeight -HostedZone missing.example -RecordName www.missing.example -Weight @{{ aws = 1 }} -Confirm:$false {Conn(server)}");
            var noZoneId = PsHarness.Run($"Get-DrTrafficWeight -HostedZone Z9NOPE -RecordName www.example.com {Conn(server)}");
            var badSite = PsHarness.Run($"Set-DrTrafficWeight example.com www.example.com -Weight @{{ azure = 1 }} -Confirm:$false {Conn(server)}");
            var badValue = PsHarness.Run($"Set-DrTrafficWeight example.com www.example.com -Weight @{{ aws = 'lots' }} -Confirm:$false {Conn(server)}");

            var e1 = Assert.Single(noZone.AllErrors);
            Assert.StartsWith("DrTools.NotFound", e1.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.ObjectNotFound, e1.CategoryInfo.Category);
            Assert.StartsWith("DrTools.NotFound", Assert.Single(noZoneId.AllErrors).FullyQualifiedErrorId);
            var e3 = Assert.Single(badSite.AllErrors);
            Assert.StartsWith("DrTools.InvalidParameter", e3.FullyQualifiedErrorId);
            Assert.Contains("'aws', 'onprem'", e3.ErrorDetails.Message);
            var e4 = Assert.Single(badValue.AllErrors);
            Assert.StartsWith("DrTools.InvalidParameter", e4.FullyQualifiedErrorId);
            Assert.Contains("'aws' = 'lots'", e4.ErrorDetails.Message);
            Assert.Empty(zone.ChangeBatches);
        }

        [Fact]
        public void Output_types_have_table_views()
        {
            var (_, server) = Fake();
            using var _s = server;
            var r = PsHarness.Run($"Get-DrTrafficWeight example.com www.example.com {Conn(server)} | Out-Default");
            Assert.True(r.Terminating == null && r.Errors.Count == 0, r.Describe());
            var text = r.HostText;
            Assert.Contains("Share", text);
            Assert.Contains("100%", text);
            Assert.Contains("Healthy", text);
            Assert.Contains("192.0.2.10", text);
            Assert.DoesNotContain("RecordSet", text);  // the table view, not the default list of every property
        }

        /// <summary>The multi-site example plan, pointed at the fake zone: sites "onprem" and "aws" on www.example.com.</summary>
        static string PlanFile()
        {
            var json = System.Text.Json.Nodes.JsonNode.Parse(System.IO.File.ReadAllText(
                System.IO.Path.Combine(PsHarness.RepoRoot, "docs", "examples", "plans", "multi-site.json")))!;
            var dns = json["resources"]!["dns"]!;
            dns["hostedZoneId"] = "Z1DRTOOLSTEST";
            var record = dns["records"]![0]!;
            record["name"] = "www.example.com.";
            record["sites"]![0]!["setIdentifier"] = "onprem";
            record["sites"]![1]!["setIdentifier"] = "aws";
            var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "drtools-plan-" + System.Guid.NewGuid().ToString("N") + ".json");
            System.IO.File.WriteAllText(path, json.ToJsonString());
            return path;
        }

        [Fact]
        public void Plan_parameter_set_re_weights_the_plans_weighted_records_in_one_batch()
        {
            var (zone, server) = Fake();
            using var _s = server;
            var plan = PlanFile();
            var r = PsHarness.Run($"Set-DrTrafficWeight -Plan {PsHarness.Quote(plan)} -Weight @{{ onprem = 0; aws = 100 }} -Confirm:$false -AccessKey AKIDTEST -SecretKey x -EndpointUrl {server.Url}");
            Assert.True(r.Terminating == null && r.Errors.Count == 0, r.Describe());
            Assert.Equal("INSYNC", Assert.Single(r.Output).Properties["Status"].Value);
            Assert.Single(zone.ChangeBatches);
            Assert.Equal((0L, 100L), (zone.Sites["onprem"].Weight, zone.Sites["aws"].Weight));
            // No -Region: the plan's DR region signs the calls.
            Assert.All(server.Requests, q => Assert.Equal("us-west-2", q.Region));

            var get = PsHarness.Run($"Get-DrTrafficWeight -Plan {PsHarness.Quote(plan)} -AccessKey AKIDTEST -SecretKey x -EndpointUrl {server.Url}");
            Assert.True(get.Terminating == null && get.Errors.Count == 0, get.Describe());
            Assert.Equal(2, get.Output.Count);
        }

        [Fact]
        public void Plan_parameter_set_with_a_broken_plan_is_DrTools_InvalidPlan_and_sends_nothing()
        {
            var (_, server) = Fake();
            using var _s = server;
            var r = PsHarness.Run($"Set-DrTrafficWeight -Plan @{{ name = 'x'; strategy = 'SIDEWAYS' }} -Weight @{{ aws = 100 }} -Confirm:$false -AccessKey AKIDTEST -SecretKey x -EndpointUrl {server.Url}");
            var e = Assert.Single(r.AllErrors);
            Assert.StartsWith("DrTools.InvalidPlan", e.FullyQualifiedErrorId);
            Assert.Contains("$.strategy", e.ErrorDetails.Message);
            Assert.Empty(server.Requests);
        }
    }
}
