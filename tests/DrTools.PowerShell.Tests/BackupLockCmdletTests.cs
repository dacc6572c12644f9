using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using DrTools.Core.Backup;
using DrTools.TestSupport;
using Xunit;
using static DrTools.TestSupport.PsHarness;

namespace DrTools.PowerShell.Tests
{
    /// <summary>Repository locks as the cmdlets show them: a killed run's lock is taken over at once, with a warning.</summary>
    public sealed class BackupLockCmdletTests : IDisposable
    {
        readonly string _root = Path.Combine(Path.GetTempPath(), "drtools-bklk-" + Guid.NewGuid().ToString("N").Substring(0, 8));
        string Src => Path.Combine(_root, "Data");
        string Repo => Path.Combine(_root, "repo");

        public BackupLockCmdletTests()
        {
            Directory.CreateDirectory(Src);
            File.WriteAllText(Path.Combine(Src, "a.txt"), "alpha");
        }

        public void Dispose()
        {
            try { Directory.Delete(_root, true); } catch (IOException) { }
        }

        static void Ok(PsResult r) => Assert.True(r.Terminating == null && r.Errors.Count == 0, r.Describe());

        [Fact]
        public void Backup_and_Remove_take_over_the_prune_lock_a_killed_prune_left_on_this_computer()
        {
            Ok(Run($"Invoke-DrBackup -Path {Quote(Src)} -Repository {Quote(Repo)}"));
            var (pid, started) = DeadProcess();

            // Before: a backup waited 10 minutes for such a lock, then failed.
            var lockId = WriteDeadPruneLock(pid, started);
            var backup = Run($"Invoke-DrBackup -Path {Quote(Src)} -Repository {Quote(Repo)}");
            Ok(backup);
            Assert.IsType<BackupSet>(backup.Output.Single().BaseObject);
            Assert.Contains(backup.Warnings, w => w.Contains(lockId) && w.Contains("no longer running"));

            lockId = WriteDeadPruneLock(pid, started);
            var remove = Run($"Remove-DrBackup -Repository {Quote(Repo)} -KeepLast 1 -Confirm:$false");
            Ok(remove);
            Assert.Single(((PruneResult)remove.Output.Single().BaseObject).RemovedSets);
            Assert.Contains(remove.Warnings, w => w.Contains(lockId));
            Assert.Empty(Directory.GetFiles(Path.Combine(Repo, "locks")));
        }

        string WriteDeadPruneLock(int pid, DateTime started)
        {
            var now = DateTime.UtcNow;
            var id = $"prune-{now:yyyyMMdd'T'HHmmssfff'Z'}-{Guid.NewGuid().ToString("N").Substring(0, 8)}";
            File.WriteAllText(Path.Combine(Repo, "locks", id + ".json"),
                $"{{\"id\":\"{id}\",\"kind\":\"prune\",\"host\":\"{Environment.MachineName}\",\"hostId\":\"{DrTools.Core.Backup.BackupRepository.LocalHostId}\",\"processId\":{pid},\"processStart\":\"{started:O}\",\"created\":\"{now:O}\",\"refreshed\":\"{now:O}\"}}");
            return id;
        }

        /// <summary>The id and start time of a process that has exited.</summary>
        static (int Pid, DateTime Started) DeadProcess()
        {
            var windows = RuntimeInformation.IsOSPlatform(OSPlatform.Windows);
            var info = new ProcessStartInfo(windows ? "cmd.exe" : "cat", windows ? "/c set /p x=" : "") { RedirectStandardInput = true, UseShellExecute = false };
            using var p = Process.Start(info)!;
            var started = p.StartTime.ToUniversalTime();
            p.StandardInput.Close();
            p.WaitForExit();
            return (p.Id, started);
        }
    }
}
