using System.Linq;
using DrTools.TestSupport;
using Xunit;

namespace DrTools.LiveTests
{
    public class ConnectionLiveTests
    {
        [LiveFact]
        public void TestDrConnection_reaches_every_service()
        {
            var r = PsHarness.Run($"Test-DrConnection {Live.Params()}");
            Assert.True(r.Terminating == null && r.Errors.Count == 0, r.Describe());
            var report = r.Output.Single();
            Assert.Equal(Live.Region, report.Properties["Region"].Value);
            Assert.True((bool)report.Properties["AllReachable"].Value, string.Join("; ", r.Warnings));
            Assert.Matches("^[0-9]{12}$", (string)report.Properties["Account"].Value);
        }

        [MotoFact]
        public void TestDrConnection_against_moto_reports_account_123456789012_in_both_regions()
        {
            foreach (var region in new[] { Live.Region, Live.DrRegion })
            {
                var r = PsHarness.Run($"Test-DrConnection {Live.Params(region)}");
                Assert.True(r.Terminating == null && r.Errors.Count == 0, r.Describe());
                Assert.Equal("123456789012", r.Output.Single().Properties["Account"].Value);
                Assert.Equal(region, r.Output.Single().Properties["Region"].Value);
            }
        }
    }
}
