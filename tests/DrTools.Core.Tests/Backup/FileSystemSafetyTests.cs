using System;
using System.IO;
using System.Linq;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Backup;
using DrTools.Core.Diagnostics;
using Xunit;

namespace DrTools.Core.Tests.Backup
{
    /// <summary>
    /// What the file systems on either side hold: links in the restore destination, FIFOs and devices in the source,
    /// files that vanish mid-backup, names one OS allows and the other does not, names at the 255-byte limit.
    /// </summary>
    public class FileSystemSafetyTests
    {
        [DllImport("libc", SetLastError = true)]
        static extern int mkfifo(string path, uint mode);

        static void MakeFifo(string path) => Assert.Equal(0, mkfifo(path, Convert.ToUInt32("644", 8)));

        static async Task<(BackupRepository Repo, BackupManifest Manifest)> BackupAsync(BackupTestKit kit, BackupOptions? options = null)
        {
            var set = await kit.BackupAsync(options: options);
            var repo = await kit.OpenAsync();
            return (repo, await repo.ReadManifestAsync(set.Id, default));
        }

        static Task<RestoreResult> RestoreAsync(BackupTestKit kit, BackupRepository repo, BackupManifest m, bool force = false, bool? windowsNames = null, string? destination = null)
        {
            var engine = new RestoreEngine(repo, kit.Reporter);
            if (windowsNames is { } w) engine.WindowsNames = w;
            return engine.RestoreAsync(m, new RestoreOptions { Destination = destination ?? kit.Restore, Overwrite = force }, default);
        }

        /// <summary>Every file below <paramref name="folder"/> with its content: proves nothing was written there.</summary>
        static string[] Snapshot(string folder) => Directory.GetFiles(folder, "*", SearchOption.AllDirectories)
            .OrderBy(f => f, StringComparer.Ordinal).Select(f => f + "=" + File.ReadAllText(f)).ToArray();

        // ---- links already in the restore destination (item 2)

        [Theory]
        [InlineData("Data")]
        [InlineData("Data/s")]
        public async Task A_link_where_a_folder_goes_is_refused_without_Force_and_nothing_is_written_through_it(string linked)
        {
            if (OperatingSystem.IsWindows()) return; // symbolic links need a privilege there
            using var kit = new BackupTestKit();
            kit.Write("a.txt", Encoding.UTF8.GetBytes("alpha"));
            kit.Write("s/x.txt", Encoding.UTF8.GetBytes("secret"));
            var (repo, m) = await BackupAsync(kit);
            var elsewhere = Path.Combine(kit.Root, "elsewhere");
            Directory.CreateDirectory(elsewhere);
            File.WriteAllText(Path.Combine(elsewhere, "keep.txt"), "keep");
            var link = Path.Combine(kit.Restore, linked);
            Directory.CreateDirectory(Path.GetDirectoryName(link)!);
            Directory.CreateSymbolicLink(link, elsewhere);

            var result = await RestoreAsync(kit, repo, m);
            Assert.Equal(new[] { "keep.txt=keep" }, Snapshot(elsewhere).Select(Path.GetFileName));
            Assert.NotEmpty(result.Failures);
            Assert.All(result.Failures, f => Assert.Equal(BackupErrorIds.UnsafePath, f.ErrorId));
            Assert.Contains(result.Failures, f => f.Path == "Data/s/x.txt" && f.Message.Contains(link));
            if (linked == "Data/s")
            {
                Assert.Equal(1, result.FilesRestored);
                Assert.Equal("alpha", File.ReadAllText(Path.Combine(kit.Restore, "Data", "a.txt")));
            }
        }

        [Theory]
        [InlineData("Data")]
        [InlineData("Data/s")]
        public async Task With_Force_a_link_where_a_folder_goes_is_replaced_by_a_real_folder_and_its_target_is_untouched(string linked)
        {
            if (OperatingSystem.IsWindows()) return;
            using var kit = new BackupTestKit();
            kit.Write("a.txt", Encoding.UTF8.GetBytes("alpha"));
            kit.Write("s/x.txt", Encoding.UTF8.GetBytes("secret"));
            var (repo, m) = await BackupAsync(kit);
            var elsewhere = Path.Combine(kit.Root, "elsewhere");
            Directory.CreateDirectory(elsewhere);
            File.WriteAllText(Path.Combine(elsewhere, "keep.txt"), "keep");
            var link = Path.Combine(kit.Restore, linked);
            Directory.CreateDirectory(Path.GetDirectoryName(link)!);
            Directory.CreateSymbolicLink(link, elsewhere);

            var result = await RestoreAsync(kit, repo, m, force: true);
            Assert.True(result.Succeeded, string.Join("; ", result.Failures.Select(f => f.ToString())));
            Assert.Equal(new[] { "keep.txt=keep" }, Snapshot(elsewhere).Select(Path.GetFileName));
            Assert.Equal((FileAttributes)0, File.GetAttributes(link) & FileAttributes.ReparsePoint);
            Assert.Equal("secret", File.ReadAllText(Path.Combine(kit.Restore, "Data", "s", "x.txt")));
            Assert.Equal("alpha", File.ReadAllText(Path.Combine(kit.Restore, "Data", "a.txt")));
            Assert.Contains(kit.Reporter.Warnings, w => w.Contains(link) && w.Contains("link"));
        }

        [Fact]
        public async Task A_link_where_a_file_goes_is_replaced_with_Force_never_written_through()
        {
            if (OperatingSystem.IsWindows()) return;
            using var kit = new BackupTestKit();
            kit.Write("a.txt", Encoding.UTF8.GetBytes("alpha"));
            kit.Write("c.txt", Encoding.UTF8.GetBytes("charlie"));
            var (repo, m) = await BackupAsync(kit);
            var elsewhere = Path.Combine(kit.Root, "elsewhere");
            Directory.CreateDirectory(elsewhere);
            File.WriteAllText(Path.Combine(elsewhere, "victim.txt"), "victim");
            Directory.CreateDirectory(Path.Combine(kit.Restore, "Data"));
            File.CreateSymbolicLink(Path.Combine(kit.Restore, "Data", "a.txt"), Path.Combine(elsewhere, "victim.txt"));
            File.CreateSymbolicLink(Path.Combine(kit.Restore, "Data", "c.txt"), Path.Combine(elsewhere, "new.txt")); // dangling

            var refused = await RestoreAsync(kit, repo, m);
            Assert.Equal(new[] { ("Data/a.txt", BackupErrorIds.FileExists), ("Data/c.txt", BackupErrorIds.FileExists) },
                refused.Failures.Select(f => (f.Path, f.ErrorId)));
            Assert.Equal(new[] { "victim.txt=victim" }, Snapshot(elsewhere).Select(Path.GetFileName));

            var forced = await RestoreAsync(kit, repo, m, force: true);
            Assert.True(forced.Succeeded, string.Join("; ", forced.Failures.Select(f => f.ToString())));
            Assert.Equal(new[] { "victim.txt=victim" }, Snapshot(elsewhere).Select(Path.GetFileName));
            foreach (var (name, content) in new[] { ("a.txt", "alpha"), ("c.txt", "charlie") })
            {
                var restored = Path.Combine(kit.Restore, "Data", name);
                Assert.Equal((FileAttributes)0, File.GetAttributes(restored) & FileAttributes.ReparsePoint);
                Assert.Equal(content, File.ReadAllText(restored));
            }
        }

        [Fact]
        public async Task The_destination_itself_may_be_a_link_the_user_chose()
        {
            if (OperatingSystem.IsWindows()) return;
            using var kit = new BackupTestKit();
            kit.Write("s/x.txt", Encoding.UTF8.GetBytes("secret"));
            var (repo, m) = await BackupAsync(kit);
            var real = Path.Combine(kit.Root, "real");
            Directory.CreateDirectory(real);
            Directory.CreateSymbolicLink(kit.Restore, real);
            var result = await RestoreAsync(kit, repo, m);
            Assert.True(result.Succeeded, string.Join("; ", result.Failures.Select(f => f.ToString())));
            Assert.Equal("secret", File.ReadAllText(Path.Combine(real, "Data", "s", "x.txt")));
        }

        // ---- temporary names (item 11)

        [Theory]
        [InlineData(240, false)]
        [InlineData(255, false)]
        [InlineData(255, true)]
        public async Task Names_up_to_the_255_byte_limit_restore(int bytes, bool multiByte)
        {
            using var kit = new BackupTestKit();
            var name = multiByte ? new string('é', (bytes - 4) / 2) + ".txt" : new string('n', bytes - 4) + ".txt";
            Assert.InRange(Encoding.UTF8.GetByteCount(name), bytes - 1, bytes);
            kit.Write(name, Encoding.UTF8.GetBytes("long name"));
            kit.Write("sub/" + name, BackupTestKit.Random(300_000, 3));
            var (repo, m) = await BackupAsync(kit);
            var result = await RestoreAsync(kit, repo, m);
            Assert.True(result.Succeeded, string.Join("; ", result.Failures.Select(f => f.ToString())));
            Assert.Equal("long name", File.ReadAllText(Path.Combine(kit.Restore, "Data", name)));
            Assert.Equal(BackupTestKit.Random(300_000, 3), File.ReadAllBytes(Path.Combine(kit.Restore, "Data", "sub", name)));
            Assert.Empty(Directory.GetFiles(kit.Restore, RestoreTempName.Prefix + "*", SearchOption.AllDirectories));
        }

        [Fact]
        public void Restore_temporary_names_are_short_unique_and_recognisable()
        {
            var names = new RestoreTempName();
            var a = names.Next();
            var b = names.Next();
            Assert.NotEqual(a, b);
            Assert.True(a.Length <= 16, a);
            Assert.True(RestoreTempName.IsMatch(a) && RestoreTempName.IsMatch(b));
            Assert.False(RestoreTempName.IsMatch(".drtmp-0123456789abcdef0123456789abcdef")); // a repository temporary (FolderStore)
            Assert.False(RestoreTempName.IsMatch(".drtmp-notahexname"));
            Assert.False(RestoreTempName.IsMatch("report.drtmp-01234567"));
        }

        // ---- names legal on one OS only (item 10)

        static readonly string[] WindowsOnlyBad = { "aux.c", "con", "file.", "a:b", "trailing ", "back\\slash", "tab\tname" };

        [Fact]
        public async Task Names_Windows_cannot_hold_warn_at_backup_restore_here_and_verify_agrees_with_restore()
        {
            if (OperatingSystem.IsWindows()) return; // such names cannot be created there
            using var kit = new BackupTestKit();
            kit.Write("ok.txt", Encoding.UTF8.GetBytes("fine"));
            foreach (var name in WindowsOnlyBad) kit.Write("odd/" + name, Encoding.UTF8.GetBytes(name));
            var (repo, m) = await BackupAsync(kit);

            // One warning at backup time names them all (and is kept with the set).
            var warning = Assert.Single(kit.Reporter.Warnings, w => w.Contains("Windows"));
            foreach (var name in WindowsOnlyBad) Assert.Contains("Data/odd/" + name, warning);
            Assert.DoesNotContain("ok.txt", warning);
            Assert.Contains(warning, m.Warnings);

            // Here (Linux rules) everything restores, and verify passes.
            var here = await RestoreAsync(kit, repo, m);
            Assert.True(here.Succeeded, string.Join("; ", here.Failures.Select(f => f.ToString())));
            foreach (var name in WindowsOnlyBad) Assert.Equal(name, File.ReadAllText(Path.Combine(kit.Restore, "Data", "odd", name)));
            var verifyHere = new VerifyEngine(repo, kit.Reporter) { WindowsNames = false };
            Assert.True((await verifyHere.VerifyAsync(m, 2, default)).Passed);

            // Under Windows rules each such file is refused on its own; the rest restores; verify reports the same files.
            var windowsDest = Path.Combine(kit.Root, "win");
            var there = await RestoreAsync(kit, repo, m, windowsNames: true, destination: windowsDest);
            Assert.Equal(1, there.FilesRestored);
            Assert.Equal("fine", File.ReadAllText(Path.Combine(windowsDest, "Data", "ok.txt")));
            Assert.Equal(WindowsOnlyBad.Select(n => "Data/odd/" + n).OrderBy(p => p, StringComparer.Ordinal), there.Failures.Select(f => f.Path));
            Assert.All(there.Failures, f => Assert.Equal(BackupErrorIds.UnsafePath, f.ErrorId));
            var verifyThere = await new VerifyEngine(repo, kit.Reporter) { WindowsNames = true }.VerifyAsync(m, 2, default);
            Assert.False(verifyThere.Passed);
            Assert.Equal(there.Failures.Select(f => (f.Path, f.ErrorId)), verifyThere.Failures.Select(f => (f.Path, f.ErrorId)));
        }

        [Theory]
        [InlineData("Data/CON", false)]
        [InlineData("Data/nul.txt", false)]
        [InlineData("Data/file.txt:stream", false)]
        [InlineData("C:/Windows/evil.dll", false)]
        [InlineData("C:evil", false)]
        [InlineData("\\\\?\\C:\\evil", false)]
        [InlineData("Data\\..\\..\\evil", false)]
        [InlineData("Data/CON", true)]
        [InlineData("Data/nul.txt", true)]
        [InlineData("Data/file.txt:stream", true)]
        [InlineData("C:/Windows/evil.dll", true)]
        [InlineData("C:evil", true)]
        [InlineData("\\\\?\\C:\\evil", true)]
        [InlineData("Data\\..\\..\\evil", true)]
        public async Task Windows_drive_device_and_backslash_paths_are_refused_per_file_under_Windows_rules_and_stay_inside_elsewhere(string path, bool windows)
        {
            using var kit = new BackupTestKit();
            kit.Write("a.txt", Encoding.UTF8.GetBytes("alpha"));
            var (repo, m) = await BackupAsync(kit);
            m.Files.Add(new ManifestFile { Path = path, Size = 5, Sha256 = m.Files[0].Sha256, Chunks = m.Files[0].Chunks, MTime = DateTime.UtcNow });
            m.Id = BackupRepository.NewSetId(DateTime.UtcNow);
            await repo.WriteManifestAsync(m, default);
            var crafted = await repo.ReadManifestAsync(m.Id, default);

            var result = await RestoreAsync(kit, repo, crafted, windowsNames: windows);
            Assert.Equal("alpha", File.ReadAllText(Path.Combine(kit.Restore, "Data", "a.txt")));
            // Nothing anywhere in the test folder outside the destination, the source and the repository.
            Assert.DoesNotContain(Directory.GetFiles(kit.Root, "*", SearchOption.AllDirectories),
                f => !f.StartsWith(kit.Restore + "/") && !f.StartsWith(kit.Source + "/") && !f.StartsWith(kit.RepoPath + "/"));
            if (windows)
            {
                var failure = Assert.Single(result.Failures);
                Assert.Equal((path, BackupErrorIds.UnsafePath), (failure.Path, failure.ErrorId));
            }
            else
            {
                Assert.True(result.Succeeded, string.Join("; ", result.Failures.Select(f => f.ToString())));
                Assert.Equal("alpha", File.ReadAllText(Path.Combine(kit.Restore, path)));
            }
        }

        [Fact]
        public async Task Verify_only_fails_a_set_that_restore_refuses_for_path_traversal()
        {
            using var kit = new BackupTestKit();
            kit.Write("a.txt", Encoding.UTF8.GetBytes("alpha"));
            var (repo, m) = await BackupAsync(kit);
            m.Files.Add(new ManifestFile { Path = "Data/../../evil", Size = 5, Sha256 = m.Files[0].Sha256, Chunks = m.Files[0].Chunks, MTime = DateTime.UtcNow });
            var verify = await new VerifyEngine(repo, kit.Reporter).VerifyAsync(m, 2, default);
            Assert.False(verify.Passed);
            var failure = Assert.Single(verify.Failures);
            Assert.Equal(("Data/../../evil", BackupErrorIds.UnsafePath), (failure.Path, failure.ErrorId));
        }

        [Theory]
        [InlineData("aux.c", false, "reserved")]
        [InlineData("Data/con", false, "reserved")]
        [InlineData("Data/COM1.log", false, "reserved")]
        [InlineData("Data/file.", false, "dot")]
        [InlineData("Data/a:b", false, ":")]
        [InlineData("Data/trailing ", false, "space")]
        [InlineData("Data/back\\slash", false, "backslash")]
        [InlineData("Data/q?.txt", false, "?")]
        [InlineData("Data/con", true, null)]
        [InlineData("Data/back\\slash", true, null)]
        [InlineData("Data/tab\tname", true, null)]
        [InlineData("Data/console.txt", false, null)]
        [InlineData("Data/.hidden", false, null)]
        public void Name_rules_refuse_per_OS_only_what_that_OS_cannot_create(string path, bool unix, string? problemMentions)
        {
            Assert.Null(PathSafety.Problem(path));
            var problem = PathSafety.NameProblem(path, windows: !unix);
            if (problemMentions == null) Assert.Null(problem);
            else Assert.Contains(problemMentions, problem);
        }

        [Theory]
        [InlineData("../evil")]
        [InlineData("Data/../../evil")]
        [InlineData("/etc/evil")]
        [InlineData("Data//x")]
        [InlineData("Data/./x")]
        [InlineData("Data/nul\0x")]
        [InlineData("")]
        public void Traversal_is_refused_whatever_the_OS(string path) => Assert.NotNull(PathSafety.Problem(path));

        // ---- FIFOs, sockets and devices in the source (item 5)

        [Fact]
        public async Task Fifos_sockets_and_devices_in_the_source_are_skipped_with_a_warning_naming_each()
        {
            if (OperatingSystem.IsWindows()) return;
            using var kit = new BackupTestKit();
            kit.Write("a.txt", Encoding.UTF8.GetBytes("alpha"));
            var fifo = Path.Combine(kit.Source, "pipe");
            MakeFifo(fifo);
            var device = Path.Combine(kit.Source, "zero");
            File.CreateSymbolicLink(device, "/dev/zero"); // a character device, reached through a file link
            var socketPath = Path.Combine(kit.Source, "sock");
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            socket.Bind(new UnixDomainSocketEndPoint(socketPath));
            try
            {
                var run = kit.BackupAsync();
                var set = await run.WaitAsync(TimeSpan.FromSeconds(60)); // a hang fails here instead of blocking the suite
                Assert.Equal(1, set.Files);
                foreach (var path in new[] { fifo, device, socketPath })
                    Assert.Contains(set.Warnings, w => w.Contains(path));
            }
            finally
            {
                Unblock(fifo);
            }
        }

        [Fact]
        public async Task An_open_that_blocks_ends_at_the_open_timeout_and_the_backup_goes_on()
        {
            if (OperatingSystem.IsWindows()) return;
            using var kit = new BackupTestKit();
            kit.Write("a.txt", Encoding.UTF8.GetBytes("alpha"));
            var fifo = Path.Combine(kit.Source, "pipe");
            MakeFifo(fifo);
            try
            {
                // As if the file type could not be told (or the file turned into a FIFO after it was checked).
                var engine = new BackupEngine(kit.Store, kit.Reporter) { CheckFileType = false, OpenTimeout = TimeSpan.FromMilliseconds(300) };
                var set = await engine.RunAsync(new BackupOptions { Paths = new[] { kit.Source } }, default).WaitAsync(TimeSpan.FromSeconds(60));
                Assert.Equal(1, set.Files);
                Assert.Contains(set.Warnings, w => w.Contains(fifo));
            }
            finally
            {
                Unblock(fifo);
            }
        }

        [Fact]
        public async Task Ctrl_C_ends_a_backup_blocked_opening_a_FIFO()
        {
            if (OperatingSystem.IsWindows()) return;
            using var kit = new BackupTestKit();
            kit.Write("a.txt", Encoding.UTF8.GetBytes("alpha"));
            var fifo = Path.Combine(kit.Source, "pipe");
            MakeFifo(fifo);
            using var cts = new CancellationTokenSource();
            BackupEngine.BeforeReadHooks[fifo] = _ => { cts.CancelAfter(200); return Task.CompletedTask; };
            try
            {
                var engine = new BackupEngine(kit.Store, kit.Reporter) { CheckFileType = false, OpenTimeout = Timeout.InfiniteTimeSpan };
                var run = engine.RunAsync(new BackupOptions { Paths = new[] { kit.Source } }, cts.Token);
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(TimeSpan.FromSeconds(60)));
                Assert.False(Directory.Exists(Path.Combine(kit.RepoPath, "snapshots")) && Directory.GetFiles(Path.Combine(kit.RepoPath, "snapshots")).Length > 0);
            }
            finally
            {
                BackupEngine.BeforeReadHooks.TryRemove(fifo, out _);
                Unblock(fifo);
            }
        }

        /// <summary>Opens the FIFO for writing without blocking, which releases an open for reading still waiting on it.</summary>
        static void Unblock(string fifo)
        {
            const int O_WRONLY = 1, O_NONBLOCK = 0x800;
            var fd = open(fifo, O_WRONLY | O_NONBLOCK);
            if (fd >= 0) close(fd);
        }

        [DllImport("libc", SetLastError = true)]
        static extern int open(string path, int flags);

        [DllImport("libc")]
        static extern int close(int fd);

        // ---- files that vanish while the backup runs (item 9)

        [Fact]
        public async Task A_file_deleted_during_the_backup_is_a_warning_naming_it_and_the_rest_is_backed_up()
        {
            using var kit = new BackupTestKit();
            kit.Write("a.txt", Encoding.UTF8.GetBytes("alpha"));
            var gone = kit.Write("b.txt", Encoding.UTF8.GetBytes("bravo"));
            kit.Write("c.txt", Encoding.UTF8.GetBytes("charlie"));
            BackupEngine.BeforeReadHooks[gone] = _ => { File.Delete(gone); return Task.CompletedTask; };
            try
            {
                var (_, m) = await BackupAsync(kit);
                Assert.Equal(new[] { "Data/a.txt", "Data/c.txt" }, m.Files.Select(f => f.Path));
                Assert.Contains(m.Warnings, w => w.Contains(gone));
                Assert.Contains(kit.Reporter.Warnings, w => w.Contains(gone));
            }
            finally
            {
                BackupEngine.BeforeReadHooks.TryRemove(gone, out _);
            }
        }

        [Fact]
        public async Task Under_Strict_a_file_deleted_during_the_backup_is_FileUnreadable_and_no_set_is_written()
        {
            using var kit = new BackupTestKit();
            kit.Write("a.txt", Encoding.UTF8.GetBytes("alpha"));
            var gone = kit.Write("b.txt", Encoding.UTF8.GetBytes("bravo"));
            BackupEngine.BeforeReadHooks[gone] = _ => { File.Delete(gone); return Task.CompletedTask; };
            try
            {
                var ex = await Assert.ThrowsAsync<DrToolsException>(() => kit.BackupAsync(options: new BackupOptions { Strict = true }));
                Assert.Equal(BackupErrorIds.FileUnreadable, ex.ErrorId);
                Assert.Equal(gone, ex.Target);
                Assert.Empty((await (await kit.OpenAsync()).ListSetIdsAsync(default)));
            }
            finally
            {
                BackupEngine.BeforeReadHooks.TryRemove(gone, out _);
            }
        }
    }
}
