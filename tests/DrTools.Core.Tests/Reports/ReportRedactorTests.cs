using System.Linq;
using DrTools.Core.Reports;
using DrTools.TestSupport;
using Xunit;

namespace DrTools.Core.Tests.Reports
{
    public class ReportRedactorTests
    {
        [Fact]
        public void Masks_account_ids_IPs_and_host_names_consistently_in_free_text()
        {
            var r = new ReportRedactor(redact: true);
            var a = r.Clean("arn:aws:iam::123456789012:user/dr-admin in account 123456789012 at 10.20.1.15 and 10.20.2.16/24");
            Assert.Equal("arn:aws:iam::[account-1]:user/dr-admin in account [account-1] at [ip-1] and [ip-2]", a);
            var b = r.Clean("endpoint orders-db-dr.c9akciq32.us-west-2.rds.amazonaws.com, record orders.example.com. and again 10.20.1.15");
            Assert.Equal("endpoint [host-1], record [host-2]. and again [ip-1]", b);
            Assert.Equal("host [host-3] and [host-4]", r.Clean("host ip-10-20-1-15.us-west-2.compute.internal and ip-10-20-1-16"));
            Assert.Equal("[ip-3]", r.Clean("fe80::1ff:fe23:4567:890a"));
        }

        [Fact]
        public void Leaves_error_ids_file_names_regions_instance_ids_times_and_versions_alone()
        {
            var r = new ReportRedactor(redact: true);
            const string text = "DrTools.AccessDenied at 02:17:30 in us-west-2 for i-0a1b2c3d4e5f60001, journal orders/run.json, DrTools 0.1.0, Get-DrBackup, " +
                                "snapshot snap-0123456789abcdef0, AWS::EC2::Instance, change C0123456789ABCDEFGHIJ";
            Assert.Equal(text, r.Clean(text));
        }

        [Fact]
        public void Removes_secrets_always_even_without_redaction()
        {
            var r = new ReportRedactor(redact: false, new[] { "FwoGZXIvYXdzEJr//SESSIONTOKEN+abc=", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" });
            var cleaned = r.Clean("token FwoGZXIvYXdzEJr//SESSIONTOKEN+abc= and key wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY in 123456789012");
            Assert.Equal("token [secret removed] and key [secret removed] in 123456789012", cleaned);
        }

        [Fact]
        public void Masks_this_computers_name_when_redacting()
        {
            var r = new ReportRedactor(redact: true, knownHosts: new[] { "JUMP01" });
            Assert.Equal("run on [host-1] by dradmin", r.Clean("run on jump01 by dradmin"));
        }

        [Fact]
        public void A_redacted_report_has_no_account_id_IP_or_host_anywhere_and_the_same_mask_for_the_same_value()
        {
            var report = ReportBuilder.Build(ReportSamples.Everything(), ReportSamples.Options(redact: true));
            foreach (var text in new[] { JsonReportRenderer.Render(report), MarkdownReportRenderer.Render(report), HtmlReportRenderer.Render(report) })
            {
                Assert.DoesNotContain("123456789012", text);
                Assert.DoesNotContain("10.20.1.15", text);
                Assert.DoesNotContain("52.12.34.56", text);
                Assert.DoesNotContain("orders.example.com", text);
                Assert.DoesNotContain("rds.amazonaws.com", text);
                Assert.DoesNotContain("jump01", text);
                Assert.Contains("[account-1]", text.Replace("\\[", "[").Replace("\\]", "]"));
            }
            Assert.True(report.Redacted);
            Assert.Equal("arn:aws:iam::[account-1]:user/dr-admin", report.RanBy.Arn);
            var dns = report.Runs.SelectMany(r => r.Steps).Where(s => s.Id == "change-dns").Select(s => s.Description).Distinct().Single();
            Assert.Matches(@"^Point \[host-\d+\] at the DR load balancer$", dns);
        }
    }
}
