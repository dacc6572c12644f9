using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using DrTools.Core.Aws.Route53;
using DrTools.Core.Diagnostics;
using DrTools.Core.Traffic;
using DrTools.Core.Tests.Aws.Route53;
using Xunit;

namespace DrTools.Core.Tests.Traffic
{
    /// <summary>Weights, plans, safety rules and the one-batch apply, against an in-memory Route 53.</summary>
    public class TrafficServiceTests
    {
        static readonly ResourceRecordSet OnPrem = new()
        {
            Name = "www.example.com.", Type = "A", SetIdentifier = "onprem", Weight = 100, Ttl = 60,
            Values = new[] { "192.0.2.10", "192.0.2.11" }, HealthCheckId = "hc-onprem",
        };
        static readonly ResourceRecordSet Aws = new()
        {
            Name = "www.example.com.", Type = "A", SetIdentifier = "aws", Weight = 0,
            AliasTarget = new AliasTarget("Z35SXDOTRQ7X7K", "dualstack.lb-1.us-east-1.elb.amazonaws.com.", true), HealthCheckId = "hc-aws",
        };
        static readonly ResourceRecordSet Spare = new()
        {
            Name = "www.example.com.", Type = "A", SetIdentifier = "spare", Weight = 0, Ttl = 300, Values = new[] { "198.51.100.7" },
        };

        static (FakeRoute53 Fake, TrafficService Service, RecordingReporter Reporter) Setup(HealthState onprem = HealthState.Healthy, HealthState aws = HealthState.Healthy)
        {
            var fake = new FakeRoute53();
            fake.Records.AddRange(new[]
            {
                new ResourceRecordSet { Name = "example.com.", Type = "SOA", Ttl = 900, Values = new[] { "ns-1.awsdns-01.org. hostmaster 1 7200 900 1209600 86400" } },
                OnPrem, Aws, Spare,
                new ResourceRecordSet { Name = "www.example.com.", Type = "TXT", Ttl = 60, Values = new[] { "\"v=1\"" } },
            });
            fake.Health["hc-onprem"] = onprem;
            fake.Health["hc-aws"] = aws;
            var reporter = new RecordingReporter();
            return (fake, new TrafficService(fake, reporter) { Now = () => new DateTimeOffset(2024, 5, 1, 3, 1, 0, TimeSpan.Zero) }, reporter);
        }

        static Dictionary<string, int> W(params (string Site, int Weight)[] w) => w.ToDictionary(x => x.Site, x => x.Weight);

        [Fact]
        public async Task GetWeights_returns_one_object_per_site_with_share_target_and_health()
        {
            var (fake, svc, _) = Setup(aws: HealthState.Unhealthy);
            fake.Records[2] = Aws with { Weight = 300 - 100 - 100 };  // 100 onprem, 100 aws, 0 spare

            var weights = await svc.GetWeightsAsync("Example.COM", "WWW.example.com", "a");

            Assert.Equal(new[] { "onprem", "aws", "spare" }, weights.Select(w => w.Site));
            Assert.All(weights, w => Assert.Equal(("example.com.", "Z1EXAMPLE", "www.example.com.", "A"), (w.Zone, w.ZoneId, w.RecordName, w.RecordType)));
            Assert.Equal(new[] { 100L, 100, 0 }, weights.Select(w => w.Weight));
            Assert.Equal(new[] { 50.0, 50.0, 0.0 }, weights.Select(w => w.Share));
            Assert.Equal(new[] { SiteHealth.Healthy, SiteHealth.Unhealthy, SiteHealth.None }, weights.Select(w => w.Health));
            Assert.Equal(new[] { "192.0.2.10", "192.0.2.11" }, weights[0].Values);
            Assert.Equal(60L, weights[0].Ttl);
            Assert.Equal("dualstack.lb-1.us-east-1.elb.amazonaws.com.", weights[1].AliasTarget);
            Assert.Null(weights[1].Ttl);
            Assert.Equal("hc-aws", weights[1].HealthCheckId);
            Assert.Contains("ListRecordSets Z1EXAMPLE WWW.example.com a", fake.Calls);
        }

        [Fact]
        public async Task GetWeights_by_zone_id_with_all_weights_zero_shows_equal_shares_as_Route53_answers()
        {
            var (fake, svc, _) = Setup();
            fake.Records[1] = OnPrem with { Weight = 0 };
            var weights = await svc.GetWeightsAsync("/hostedzone/Z1EXAMPLE", "www.example.com");
            Assert.Equal(3, weights.Count);  // the TXT record at the same name is not a site
            Assert.All(weights, w => Assert.Equal(33.3, w.Share));
            Assert.Contains("ListHostedZones", fake.Calls);
        }

        [Fact]
        public async Task A_health_status_that_cannot_be_read_is_Unknown_with_a_warning()
        {
            var (fake, svc, reporter) = Setup();
            fake.HealthFailures.Add("hc-aws");
            var weights = await svc.GetWeightsAsync("example.com", "www.example.com", "A");
            Assert.Equal(SiteHealth.Unknown, weights.Single(w => w.Site == "aws").Health);
            Assert.Contains(reporter.Warnings, w => w.Contains("hc-aws") && w.Contains("DrTools.AccessDenied"));
        }

        [Fact]
        public async Task Plan_changes_nothing_and_upserts_only_the_changed_sites_with_every_other_field_kept()
        {
            var (fake, svc, _) = Setup();

            var plan = await svc.PlanChangeAsync("example.com", "www.example.com", W(("onprem", 0), ("aws", 100), ("spare", 0)));

            Assert.Empty(fake.Batches);
            Assert.Equal(2, plan.Changes.Count);
            Assert.All(plan.Changes, c => Assert.Equal(ChangeAction.Upsert, c.Action));
            var onprem = plan.Changes.Single(c => c.RecordSet.SetIdentifier == "onprem").RecordSet;
            var aws = plan.Changes.Single(c => c.RecordSet.SetIdentifier == "aws").RecordSet;
            Assert.Equal(OnPrem with { Weight = 0 }, onprem);  // same Values instance, TTL, health check
            Assert.Equal(Aws with { Weight = 100 }, aws);      // alias target and health check kept, no TTL added
            Assert.Equal(new[] { (100L, 0L), (0L, 100L), (0L, 0L) }, plan.Sites.Select(s => (s.Before, s.After)));
            Assert.Equal(new[] { 100.0, 0, 0 }, plan.Sites.Select(s => s.ShareBefore));
            Assert.Equal(new[] { 0.0, 100, 0 }, plan.Sites.Select(s => s.ShareAfter));
            Assert.Equal("DrTools: onprem 100->0, aws 0->100", plan.Comment);
            var text = plan.Describe();
            Assert.Contains("onprem  weight 100 -> 0", text);
            Assert.Contains("aws     weight 0 -> 100", text);
            Assert.Contains("spare   weight 0 -> 0", text);
            Assert.Contains("ONE atomic Route 53 change batch", text);
            Assert.Contains("Safety: passed", text);
        }

        [Fact]
        public async Task Apply_sends_one_batch_waits_for_INSYNC_and_reports_before_and_after()
        {
            var (fake, svc, _) = Setup();
            var plan = await svc.PlanChangeAsync("example.com", "www.example.com", W(("onprem", 0), ("aws", 100)));

            var result = await svc.ApplyAsync(plan, waitForInSync: true, timeout: TimeSpan.FromMinutes(3));

            var batch = Assert.Single(fake.Batches);
            Assert.Equal("Z1EXAMPLE", batch.ZoneId);
            Assert.Equal(plan.Changes, batch.Changes);
            Assert.Equal(plan.Comment, batch.Comment);
            Assert.Equal(("C0FAKE", TimeSpan.FromMinutes(3)), Assert.Single(fake.Waits));
            Assert.True(fake.Calls.IndexOf("ChangeRecordSets") < fake.Calls.IndexOf("WaitForInSync C0FAKE"));
            Assert.Equal(("C0FAKE", "INSYNC"), (result.ChangeId, result.Status));
            Assert.Equal(new DateTimeOffset(2024, 5, 1, 3, 0, 0, TimeSpan.Zero), result.SubmittedAt);
            Assert.Equal(new DateTimeOffset(2024, 5, 1, 3, 1, 0, TimeSpan.Zero), result.InSyncAt);
            Assert.Equal(100L, result.Before["onprem"]);
            Assert.Equal(0L, result.After["onprem"]);
            Assert.Equal(100L, result.After["aws"]);
            Assert.Equal(0L, fake.Records.Single(r => r.SetIdentifier == "onprem").Weight);
            Assert.Equal(100L, fake.Records.Single(r => r.SetIdentifier == "aws").Weight);
        }

        [Fact]
        public async Task Apply_without_waiting_returns_PENDING_and_a_no_op_plan_sends_nothing()
        {
            var (fake, svc, _) = Setup();
            var plan = await svc.PlanChangeAsync("example.com", "www.example.com", W(("aws", 50)));
            var pending = await svc.ApplyAsync(plan, waitForInSync: false);
            Assert.Equal("PENDING", pending.Status);
            Assert.Null(pending.InSyncAt);
            Assert.Empty(fake.Waits);

            var same = await svc.PlanChangeAsync("example.com", "www.example.com", W(("aws", 50), ("onprem", 100)));
            Assert.False(same.HasChanges);
            Assert.Contains("nothing would be sent", same.Describe());
            var noop = await svc.ApplyAsync(same);
            Assert.Equal(("NoChange", (string?)null), (noop.Status, noop.ChangeId));
            Assert.Single(fake.Batches);
        }

        [Fact]
        public async Task Every_site_at_zero_is_refused_with_TrafficSafety_unless_OverrideSafety()
        {
            var (fake, svc, reporter) = Setup();

            var ex = await Assert.ThrowsAsync<DrToolsException>(() => svc.PlanChangeAsync("example.com", "www.example.com", W(("onprem", 0))));

            Assert.Equal(ErrorIds.TrafficSafety, ex.ErrorId);
            Assert.Equal(DrErrorCategory.InvalidOperation, ex.Category);
            Assert.Equal("www.example.com.", ex.Target);
            Assert.Contains("every site would get weight 0", ex.Message);
            Assert.Contains("onprem  weight 100 -> 0", ex.Message);
            Assert.Contains("-OverrideSafety", ex.RecommendedAction);
            Assert.Empty(fake.Batches);

            var forced = await svc.PlanChangeAsync("example.com", "www.example.com", W(("onprem", 0)), new TrafficChangeOptions { OverrideSafety = true });
            Assert.StartsWith("OVERRIDDEN by -OverrideSafety: every site would get weight 0", forced.SafetyVerdict);
            Assert.Single(forced.OverriddenSafetyProblems);
            Assert.Contains(reporter.Warnings, w => w.Contains("overridden by -OverrideSafety"));
            await svc.ApplyAsync(forced);
            Assert.All(fake.Records.Where(r => r.SetIdentifier != null), r => Assert.Equal(0L, r.Weight));
        }

        [Fact]
        public async Task Traffic_to_an_unhealthy_site_is_refused_and_allowed_with_OverrideSafety()
        {
            var (fake, svc, _) = Setup(aws: HealthState.Unhealthy);

            var ex = await Assert.ThrowsAsync<DrToolsException>(() => svc.PlanChangeAsync("example.com", "www.example.com", W(("aws", 50))));
            Assert.Equal(ErrorIds.TrafficSafety, ex.ErrorId);
            Assert.Contains("site 'aws' would get weight 50 but its health check hc-aws is failing", ex.Message);

            var forced = await svc.PlanChangeAsync("example.com", "www.example.com", W(("aws", 50)), new TrafficChangeOptions { OverrideSafety = true });
            var result = await svc.ApplyAsync(forced);
            Assert.Equal("INSYNC", result.Status);
            Assert.Equal(50L, Assert.Single(Assert.Single(fake.Batches).Changes).RecordSet.Weight);
        }

        [Fact]
        public async Task Leaving_traffic_only_on_unhealthy_sites_is_refused_even_when_they_are_not_named()
        {
            var (fake, svc, _) = Setup(onprem: HealthState.Unhealthy);
            fake.Records[2] = Aws with { Weight = 100 };

            // Taking the healthy site out leaves only the unhealthy onprem (unchanged weight 100).
            var ex = await Assert.ThrowsAsync<DrToolsException>(() => svc.PlanChangeAsync("example.com", "www.example.com", W(("aws", 0))));
            Assert.Equal(ErrorIds.TrafficSafety, ex.ErrorId);
            Assert.Contains("the only site(s) left with traffic ('onprem') are unhealthy", ex.Message);
            // Moving traffic away from the unhealthy site is fine.
            var ok = await svc.PlanChangeAsync("example.com", "www.example.com", W(("onprem", 0)));
            Assert.StartsWith("passed", ok.SafetyVerdict);
        }

        [Fact]
        public async Task Unknown_sites_and_bad_weights_are_reported_at_once_naming_the_real_sites()
        {
            var (fake, svc, _) = Setup();
            var ex = await Assert.ThrowsAsync<DrToolsException>(() =>
                svc.PlanChangeAsync("example.com", "www.example.com", W(("azure", 10), ("aws", 256), ("onprem", -1))));
            Assert.Equal(ErrorIds.InvalidParameter, ex.ErrorId);
            Assert.Equal(DrErrorCategory.InvalidArgument, ex.Category);
            Assert.Contains("site 'azure' is not one of the record's sites", ex.Message);
            Assert.Contains("weight 256 for site 'aws' is outside 0..255", ex.Message);
            Assert.Contains("weight -1 for site 'onprem' is outside 0..255", ex.Message);
            Assert.Contains("The sites of this record are: 'onprem', 'aws', 'spare'", ex.Message);
            Assert.Empty(fake.Batches);
        }

        [Fact]
        public async Task Site_names_match_exactly_or_by_case_when_unambiguous()
        {
            var (_, svc, _) = Setup();
            var plan = await svc.PlanChangeAsync("example.com", "www.example.com", W(("AWS", 10)));
            Assert.Equal("aws", Assert.Single(plan.Changes).RecordSet.SetIdentifier);
        }

        [Fact]
        public async Task A_record_changed_since_the_plan_is_refused_and_nothing_is_sent()
        {
            var (fake, svc, _) = Setup();
            var plan = await svc.PlanChangeAsync("example.com", "www.example.com", W(("onprem", 0), ("aws", 100)));
            // Another admin moves 'spare' while the plan waits for confirmation.
            fake.Records[3] = Spare with { Weight = 20 };

            var ex = await Assert.ThrowsAsync<DrToolsException>(() => svc.ApplyAsync(plan));

            Assert.Equal(ErrorIds.InvalidState, ex.ErrorId);
            Assert.Contains("changed since planned", ex.Message);
            Assert.Contains("site 'spare' was", ex.Message);
            Assert.Empty(fake.Batches);

            fake.Records[3] = Spare with { Values = new[] { "198.51.100.8" } };
            Assert.Equal(ErrorIds.InvalidState, (await Assert.ThrowsAsync<DrToolsException>(() => svc.ApplyAsync(plan))).ErrorId);
            fake.Records.Add(Spare with { SetIdentifier = "new-site" });
            var added = await Assert.ThrowsAsync<DrToolsException>(() => svc.ApplyAsync(plan));
            Assert.Contains("site 'new-site' was added", added.Message);
            Assert.Empty(fake.Batches);
        }

        [Fact]
        public async Task A_record_listed_again_with_equal_but_new_objects_is_not_a_change()
        {
            var (fake, svc, _) = Setup();
            var plan = await svc.PlanChangeAsync("example.com", "www.example.com", W(("aws", 100)));
            fake.Records[1] = OnPrem with { Name = "WWW.example.com.", Values = OnPrem.Values.ToArray() };  // a fresh read
            await svc.ApplyAsync(plan);
            Assert.Single(fake.Batches);
        }

        [Fact]
        public async Task An_INSYNC_timeout_says_the_change_was_accepted_and_names_it()
        {
            var (fake, svc, _) = Setup();
            fake.WaitTimesOut = true;
            var plan = await svc.PlanChangeAsync("example.com", "www.example.com", W(("aws", 100)));
            var ex = await Assert.ThrowsAsync<DrToolsException>(() => svc.ApplyAsync(plan, true, TimeSpan.FromSeconds(30)));
            Assert.Equal(ErrorIds.Timeout, ex.ErrorId);
            Assert.Contains("accepted change C0FAKE", ex.Message);
            Assert.Contains("after 30 s", ex.Message);
            Assert.Contains("Do not re-apply", ex.RecommendedAction);
        }

        [Fact]
        public async Task Unknown_zone_or_record_is_NotFound_and_a_non_weighted_record_is_InvalidParameter()
        {
            var (fake, svc, _) = Setup();
            var zoneId = await Assert.ThrowsAsync<DrToolsException>(() => svc.GetWeightsAsync("Z9MISSING", "www.example.com"));
            var zoneName = await Assert.ThrowsAsync<DrToolsException>(() => svc.GetWeightsAsync("missing.example", "www.missing.example"));
            var record = await Assert.ThrowsAsync<DrToolsException>(() => svc.GetWeightsAsync("example.com", "app"));
            var txt = await Assert.ThrowsAsync<DrToolsException>(() => svc.PlanChangeAsync("example.com", "www.example.com", W(("aws", 1)), new TrafficChangeOptions { RecordType = "TXT" }));

            Assert.Equal(ErrorIds.NotFound, zoneId.ErrorId);
            Assert.Contains("Z9MISSING", zoneId.Message);
            Assert.Equal(ErrorIds.NotFound, zoneName.ErrorId);
            Assert.Equal(ErrorIds.NotFound, record.ErrorId);
            Assert.Contains("pass the fully qualified name, e.g. app.example.com.", record.RecommendedAction);
            Assert.Equal(ErrorIds.InvalidParameter, txt.ErrorId);
            Assert.Contains("no weighted TXT records", txt.Message);
            Assert.Empty(fake.Batches);
        }

        [Fact]
        public async Task Two_weighted_types_at_the_name_need_a_RecordType_for_a_change()
        {
            var (fake, svc, _) = Setup();
            fake.Records.Add(new ResourceRecordSet { Name = "www.example.com.", Type = "AAAA", SetIdentifier = "onprem", Weight = 100, Ttl = 60, Values = new[] { "2001:db8::1" } });

            var all = await svc.GetWeightsAsync("example.com", "www.example.com");
            var ex = await Assert.ThrowsAsync<DrToolsException>(() => svc.PlanChangeAsync("example.com", "www.example.com", W(("onprem", 50))));
            var plan = await svc.PlanChangeAsync("example.com", "www.example.com", W(("onprem", 50)), new TrafficChangeOptions { RecordType = "AAAA" });

            Assert.Equal(100.0, all.Single(w => w.RecordType == "AAAA").Share);
            Assert.Equal(ErrorIds.InvalidParameter, ex.ErrorId);
            Assert.Contains("2 types (A, AAAA)", ex.Message);
            Assert.Equal("AAAA", Assert.Single(plan.Changes).RecordSet.Type);
        }
    }
}
