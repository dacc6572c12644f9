using System;
using System.IO;
using System.Linq;
using DrTools.Core.Plans;
using DrTools.TestSupport;
using Xunit;

namespace DrTools.PowerShell.Tests
{
    /// <summary>Aurora plans through the cmdlets: Test-DrPlan validates them, -WhatIf lists the Aurora steps and sends nothing.</summary>
    public sealed class AuroraCmdletTests : IDisposable
    {
        const string Keys = "-AccessKey AKIDEXAMPLE -SecretKey secret";
        readonly string _dir = Path.Combine(Path.GetTempPath(), "drtools-aurora-" + Guid.NewGuid().ToString("N"));

        public AuroraCmdletTests() => Directory.CreateDirectory(_dir);

        public void Dispose()
        {
            try { Directory.Delete(_dir, true); } catch (IOException) { }
        }

        static readonly string Example = PsHarness.Quote(Path.Combine(PsHarness.RepoRoot, "docs", "examples", "plans", "aurora-pilot-light.json"));

        [Fact]
        public void Invoke_DrFailover_WhatIf_lists_the_switchover_and_the_failover_of_the_global_database_and_sends_nothing()
        {
            using var aws = new FakeAwsServer(FakeAws.Healthy);
            var journals = Path.Combine(_dir, "journals");
            var r = PsHarness.Run($"Invoke-DrFailover -Plan {Example} -WhatIf -EndpointUrl {aws.Url} {Keys} -JournalPath {PsHarness.Quote(journals)}");
            Assert.True(r.Terminating == null && r.Errors.Count == 0, r.Describe());
            Assert.Contains("What if:", r.HostText);
            Assert.Contains(". switchover-db [", r.HostText);
            Assert.Contains(". failover-db [", r.HostText);
            Assert.Contains("switchover: AWS::RDS::GlobalCluster orders-global", r.HostText);
            Assert.Contains("make writer: AWS::RDS::DBCluster orders-aurora-dr (us-west-2)", r.HostText);
            Assert.Contains("refused without -AllowDataLoss", r.HostText);
            Assert.Contains("after: switchover-db", r.HostText);
            Assert.DoesNotContain(". promote-db [", r.HostText);
            Assert.Empty(aws.Requests);
            Assert.False(Directory.Exists(journals));
        }

        [Fact]
        public void Invoke_DrFailback_WhatIf_switches_the_global_database_back_before_DNS()
        {
            using var aws = new FakeAwsServer(FakeAws.Healthy);
            var r = PsHarness.Run($"Invoke-DrFailback -Plan {Example} -WhatIf -EndpointUrl {aws.Url} {Keys} -JournalPath {PsHarness.Quote(Path.Combine(_dir, "j"))}");
            Assert.True(r.Terminating == null && r.Errors.Count == 0, r.Describe());
            Assert.Contains(". switchback-db [", r.HostText);
            Assert.Contains("make writer: AWS::RDS::DBCluster orders-aurora (us-east-1)", r.HostText);
            Assert.Empty(aws.Requests);
        }

        [Fact]
        public void Test_DrPlan_validates_an_Aurora_plan_and_reports_mixed_instance_and_cluster_fields_by_path()
        {
            var mixed = Path.Combine(_dir, "mixed.json");
            File.WriteAllText(mixed, File.ReadAllText(Path.Combine(PsHarness.RepoRoot, "docs", "examples", "plans", "aurora-pilot-light.json"))
                .Replace("\"clusterId\": \"orders-aurora\",", "\"clusterId\": \"orders-aurora\", \"primaryInstanceId\": \"orders-db\","));
            var r = PsHarness.Run($"{Example}, {PsHarness.Quote(mixed)} | Test-DrPlan -EndpointUrl http://127.0.0.1:1");
            Assert.True(r.Terminating == null && r.Errors.Count == 0, r.Describe());
            var results = r.Output.Select(o => Assert.IsType<PlanValidationResult>(o.BaseObject)).ToList();
            Assert.Equal(new[] { true, false }, results.Select(x => x.Valid));
            Assert.Empty(results[0].Warnings);
            Assert.True(results[0].Plan!.Resources.Database!.IsAurora);
            var error = Assert.Single(results[1].Errors);
            Assert.Equal("$.resources.database.primaryInstanceId", error.Path);
            Assert.Contains("$.resources.database.clusterId names an Aurora DB cluster", error.Message);
        }
    }
}
