using System;
using System.IO;
using System.Linq;
using DrTools.Core.Plans;
using Xunit;
using static DrTools.TestSupport.PsHarness;

namespace DrTools.PowerShell.Tests
{
    /// <summary>The plan's drill section and point-in-time restore through Import-DrPlan, Test-DrPlan and New-DrPlan.</summary>
    public sealed class PlanDrillCmdletTests : IDisposable
    {
        readonly string _dir = Path.Combine(Path.GetTempPath(), "drtools-plandrill-" + Guid.NewGuid().ToString("N"));

        public PlanDrillCmdletTests() => Directory.CreateDirectory(_dir);

        public void Dispose()
        {
            try { Directory.Delete(_dir, true); } catch (IOException) { }
        }

        [Fact]
        public void New_DrPlan_writes_a_drill_section_that_Import_DrPlan_shows()
        {
            var file = Path.Combine(_dir, "orders.json");
            var r = Run($"New-DrPlan -Strategy BACKUP_AND_RESTORE -Path '{file}' -Force | Out-Null; Import-DrPlan '{file}'");
            Assert.True(r.Terminating == null && r.Errors.Count == 0, r.Describe());
            var plan = (DrPlan)Assert.Single(r.Output).BaseObject;
            // Format-List shows the section as this line (module/DrTools.format.ps1xml adds "drill" to the table's Resources).
            Assert.StartsWith("subnet subnet-0fedcba9876543210, DNS drill.orders.example.com., 2 probes (web, database)", plan.Drill!.ToString());
            Assert.Contains("\"drill\": {", File.ReadAllText(file));
        }

        [Fact]
        public void Test_DrPlan_reports_drill_and_point_in_time_errors_by_json_path()
        {
            var file = Path.Combine(_dir, "bad.json");
            File.WriteAllText(file, DrPlanWriter.ToJson(DrPlanTemplates.Create(DrStrategy.BackupAndRestore))
                .Replace("\"recordName\": \"drill.orders.example.com.\"", "\"recordName\": \"orders.example.com.\"")
                .Replace("\"instanceId\": \"orders-db-restored\"", "\"latestRestorable\": true, \"snapshotId\": \"snap-1\", \"instanceId\": \"orders-db-restored\""));
            var r = Run($"Test-DrPlan '{file}'");
            Assert.True(r.Terminating == null && r.Errors.Count == 0, r.Describe());
            var result = (PlanValidationResult)Assert.Single(r.Output).BaseObject;
            Assert.False(result.Valid);
            Assert.Contains(result.Errors, e => e.Path == "$.drill.dns.recordName" && e.Message.Contains("production records"));
            Assert.Contains(result.Errors, e => e.Path == "$.resources.database.restore" && e.Message.Contains("give at most one of"));
        }
    }
}
