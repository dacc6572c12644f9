using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using DrTools.Core.Diagnostics;
using DrTools.Core.Reports;
using Xunit;

namespace DrTools.Core.Tests.Reports
{
    public class ReportFileTests : IDisposable
    {
        readonly string _dir = Path.Combine(Path.GetTempPath(), "drtools-report-" + Guid.NewGuid().ToString("N").Substring(0, 8));

        public ReportFileTests() => Directory.CreateDirectory(_dir);

        public void Dispose()
        {
            try { Directory.Delete(_dir, true); } catch (IOException) { }
        }

        [Fact]
        public void Writes_the_whole_file_and_leaves_no_temporary()
        {
            var path = Path.Combine(_dir, "failover.html");
            ReportFile.WriteAtomic(path, "<p>report</p>\n", overwrite: false);
            Assert.Equal("<p>report</p>\n", File.ReadAllText(path));
            Assert.Equal(new[] { "failover.html" }, Directory.GetFiles(_dir).Select(Path.GetFileName));
        }

        [Fact]
        public void An_existing_report_is_kept_without_overwrite_and_replaced_with_it()
        {
            var path = Path.Combine(_dir, "failover.html");
            File.WriteAllText(path, "good");
            var ex = Assert.Throws<DrToolsException>(() => ReportFile.WriteAtomic(path, "new", overwrite: false));
            Assert.Equal(ErrorIds.AlreadyExists, ex.ErrorId);
            Assert.Contains("-Force", ex.RecommendedAction);
            Assert.Equal("good", File.ReadAllText(path));
            ReportFile.WriteAtomic(path, "new", overwrite: true);
            Assert.Equal("new", File.ReadAllText(path));
            Assert.Single(Directory.GetFiles(_dir));
        }

        [Fact]
        public void A_missing_folder_or_a_folder_as_path_is_refused()
        {
            Assert.Equal(ErrorIds.NotFound, Assert.Throws<DrToolsException>(() => ReportFile.WriteAtomic(Path.Combine(_dir, "no", "r.html"), "x", false)).ErrorId);
            Assert.Equal(ErrorIds.InvalidParameter, Assert.Throws<DrToolsException>(() => ReportFile.WriteAtomic(_dir, "x", true)).ErrorId);
        }

        [Fact]
        public void A_full_disk_leaves_the_earlier_report_intact_and_no_temporary()
        {
            if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
                return; // needs a small tmpfs (root on Linux, as in CI)
            var mount = Path.Combine(_dir, "small");
            Directory.CreateDirectory(mount);
            if (!Run("mount", $"-t tmpfs -o size=64k tmpfs {mount}")) return; // no mount permission in this container
            try
            {
                var path = Path.Combine(mount, "failover.html");
                ReportFile.WriteAtomic(path, "good report", overwrite: false);
                var ex = Assert.Throws<DrToolsException>(() => ReportFile.WriteAtomic(path, new string('x', 256 * 1024), overwrite: true));
                Assert.Equal(ReportErrorIds.WriteFailed, ex.ErrorId);
                Assert.Equal(DrErrorCategory.WriteError, ex.Category);
                Assert.Equal("good report", File.ReadAllText(path));
                Assert.Equal(new[] { "failover.html" }, Directory.GetFiles(mount).Select(Path.GetFileName));
            }
            finally { Run("umount", mount); }
        }

        static bool Run(string file, string args)
        {
            using var p = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            if (!p.WaitForExit(10_000)) { p.Kill(); return false; }
            return p.ExitCode == 0;
        }
    }
}
