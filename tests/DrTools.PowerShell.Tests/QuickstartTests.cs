using System;
using System.IO;
using System.Linq;
using DrTools.TestSupport;
using Xunit;

namespace DrTools.PowerShell.Tests
{
    /// <summary>README's first command runs examples/quickstart.ps1; this keeps that promise true.</summary>
    public class QuickstartTests
    {
        [Fact]
        public void The_quickstart_runbook_backs_up_tests_and_restores_without_AWS()
        {
            var work = Path.Combine(Path.GetTempPath(), "drtools-qs-" + Guid.NewGuid().ToString("N"));
            try
            {
                var script = Path.Combine(PsHarness.RepoRoot, "examples", "quickstart.ps1");
                var r = PsHarness.Run($"& {PsHarness.Quote(script)} -WorkDir {PsHarness.Quote(work)}");
                Assert.True(r.Terminating == null && r.Errors.Count == 0, r.Describe());
                var sets = r.Output.Where(o => o.TypeNames[0].EndsWith(".BackupSet", StringComparison.Ordinal)).ToList();
                Assert.Equal(4, sets.Count); // two backups, then the listing of both
                Assert.True((long)sets[1].Properties["NewBytes"].Value < 4L * 1024 * 1024, "the incremental backup re-sent unchanged data");
                Assert.Contains(r.Output, o => o.TypeNames[0].EndsWith(".RestoreTestResult", StringComparison.Ordinal) && (bool)o.Properties["Passed"].Value);
                Assert.Equal(20L * 1024 * 1024, new FileInfo(Path.Combine(work, "restore", "data", "orders.db")).Length);
                Assert.Contains("Done.", r.HostText);
            }
            finally
            {
                if (Directory.Exists(work)) Directory.Delete(work, true);
            }
        }
    }
}
