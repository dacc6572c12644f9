using System;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using DrTools.Core.Backup;
using DrTools.Core.Diagnostics;
using Xunit;

namespace DrTools.Core.Tests.Backup
{
    public class RestoreEngineTests
    {
        static async Task<(BackupRepository Repo, BackupManifest Manifest)> ThreeFiles(BackupTestKit kit)
        {
            kit.Write("a.txt", Encoding.UTF8.GetBytes("alpha"));
            kit.Write("b.bin", BackupTestKit.Random(200_000, 21));
            kit.Write("c.txt", Encoding.UTF8.GetBytes("charlie"));
            // One pack per chunk, so a test can lose one file's chunk without the others'.
            var set = await kit.BackupAsync(options: new BackupOptions { PackTargetSize = 1 });
            var repo = await kit.OpenAsync();
            return (repo, await repo.ReadManifestAsync(set.Id, default));
        }

        static string Chunk(BackupManifest m, string path) => m.Files.Single(f => f.Path == path).Chunks.Single();

        [Fact]
        public async Task Corrupt_chunk_fails_only_that_file_and_leaves_no_partial_file()
        {
            using var kit = new BackupTestKit();
            var (repo, m) = await ThreeFiles(kit);
            await kit.CorruptChunkAsync(Chunk(m, "Data/b.bin"));

            var result = await new RestoreEngine(repo, kit.Reporter).RestoreAsync(m, new RestoreOptions { Destination = kit.Restore }, default);
            var failure = Assert.Single(result.Failures);
            Assert.Equal("Data/b.bin", failure.Path);
            Assert.Equal(BackupErrorIds.IntegrityError, failure.ErrorId);
            Assert.False(File.Exists(Path.Combine(kit.Restore, "Data", "b.bin")));
            Assert.Empty(Directory.GetFiles(kit.Restore, "*drtmp*", SearchOption.AllDirectories));
            Assert.Equal("alpha", File.ReadAllText(Path.Combine(kit.Restore, "Data", "a.txt")));
            Assert.Equal("charlie", File.ReadAllText(Path.Combine(kit.Restore, "Data", "c.txt")));
        }

        [Fact]
        public async Task A_corrupt_chunk_in_a_file_of_many_chunks_fails_that_file_by_its_whole_file_hash()
        {
            using var kit = new BackupTestKit();
            kit.Write("big.bin", BackupTestKit.Random(6_000_000, 22));
            kit.Write("small.txt", Encoding.UTF8.GetBytes("small"));
            var set = await kit.BackupAsync();
            var repo = await kit.OpenAsync();
            var m = await repo.ReadManifestAsync(set.Id, default);
            var big = m.Files.Single(f => f.Path == "Data/big.bin");
            Assert.True(big.Chunks.Count > 2);
            await kit.CorruptChunkAsync(big.Chunks[1]);

            var result = await new RestoreEngine(repo, kit.Reporter).RestoreAsync(m, new RestoreOptions { Destination = kit.Restore }, default);
            var failure = Assert.Single(result.Failures);
            Assert.Equal(("Data/big.bin", BackupErrorIds.IntegrityError), (failure.Path, failure.ErrorId));
            Assert.False(File.Exists(Path.Combine(kit.Restore, "Data", "big.bin")));
            Assert.Empty(Directory.GetFiles(kit.Restore, "*drtmp*", SearchOption.AllDirectories));
            Assert.Equal("small", File.ReadAllText(Path.Combine(kit.Restore, "Data", "small.txt")));
            // Test-DrRestore -VerifyOnly still names the damaged chunk.
            var verify = await new VerifyEngine(repo, kit.Reporter).VerifyAsync(m, 2, default);
            Assert.Contains(big.Chunks[1], Assert.Single(verify.Failures).Message);
        }

        [Fact]
        public async Task Missing_chunk_fails_that_file_with_ChunkMissing()
        {
            using var kit = new BackupTestKit();
            var (repo, m) = await ThreeFiles(kit);
            await kit.DeletePackOfAsync(Chunk(m, "Data/a.txt"));
            var result = await new RestoreEngine(repo, kit.Reporter).RestoreAsync(m, new RestoreOptions { Destination = kit.Restore }, default);
            var failure = Assert.Single(result.Failures);
            Assert.Equal(("Data/a.txt", BackupErrorIds.ChunkMissing), (failure.Path, failure.ErrorId));
            Assert.Equal(2, result.FilesRestored);
            Assert.False(File.Exists(Path.Combine(kit.Restore, "Data", "a.txt")));
        }

        [Fact]
        public async Task Verify_only_names_each_damaged_file()
        {
            using var kit = new BackupTestKit();
            var (repo, m) = await ThreeFiles(kit);
            await kit.CorruptChunkAsync(Chunk(m, "Data/a.txt"));
            await kit.DeletePackOfAsync(Chunk(m, "Data/c.txt"));
            var result = await new VerifyEngine(repo, kit.Reporter).VerifyAsync(m, 2, default);
            Assert.False(result.Passed);
            Assert.Equal(new[] { ("Data/a.txt", BackupErrorIds.IntegrityError), ("Data/c.txt", BackupErrorIds.ChunkMissing) },
                result.Failures.Select(f => (f.Path, f.ErrorId)).OrderBy(f => f.Path));
            Assert.Equal(3, result.FilesChecked);
        }

        [Fact]
        public async Task Restore_test_verifies_times_and_cleans_up_its_scratch_folder()
        {
            using var kit = new BackupTestKit();
            var (repo, m) = await ThreeFiles(kit);
            var scratchRoot = Path.Combine(kit.Root, "scratch");
            Directory.CreateDirectory(scratchRoot);
            var result = await new VerifyEngine(repo, kit.Reporter).TestRestoreAsync(m, new RestoreTestOptions { ScratchRoot = scratchRoot, RtoTarget = TimeSpan.FromMinutes(5) }, default);
            Assert.True(result.Passed);
            Assert.True(result.RtoMet);
            Assert.Equal(3, result.FilesChecked);
            Assert.Equal(200_012, result.BytesChecked);
            Assert.Empty(Directory.GetFileSystemEntries(scratchRoot));

            // A damaged set fails, and the scratch folder is still removed.
            await kit.DeletePackOfAsync(Chunk(m, "Data/a.txt"));
            var failed = await new VerifyEngine(repo, kit.Reporter).TestRestoreAsync(m, new RestoreTestOptions { ScratchRoot = scratchRoot }, default);
            Assert.False(failed.Passed);
            Assert.Equal("Data/a.txt", Assert.Single(failed.Failures).Path);
            Assert.Empty(Directory.GetFileSystemEntries(scratchRoot));
        }

        [Theory]
        [InlineData("../evil.txt")]
        [InlineData("Data/../../evil.txt")]
        [InlineData("/etc/evil")]
        [InlineData("Data//x")]
        [InlineData("Data/./x")]
        [InlineData("Data/nul\0x")]
        // Drive letters, backslashes, ':' and device names are names Windows cannot hold, refused there per file:
        // FileSystemSafetyTests.Windows_drive_device_and_backslash_paths_are_refused_per_file_under_Windows_rules...
        public async Task Manifest_paths_that_escape_the_destination_are_refused_and_nothing_is_written(string evil)
        {
            using var kit = new BackupTestKit();
            var (repo, m) = await ThreeFiles(kit);
            m.Files.Add(new ManifestFile { Path = evil, Size = 5, Sha256 = m.Files[0].Sha256, Chunks = m.Files[0].Chunks, MTime = DateTime.UtcNow });
            m.Id = BackupRepository.NewSetId(DateTime.UtcNow);
            await repo.WriteManifestAsync(m, default);
            var crafted = await repo.ReadManifestAsync(m.Id, default);
            var ex = await Assert.ThrowsAsync<DrToolsException>(() => new RestoreEngine(repo, kit.Reporter).RestoreAsync(crafted, new RestoreOptions { Destination = kit.Restore }, default));
            Assert.Equal(BackupErrorIds.UnsafePath, ex.ErrorId);
            Assert.Equal(evil, ex.Target);
            Assert.False(Directory.Exists(kit.Restore));
        }

        [Fact]
        public async Task Existing_files_are_never_overwritten_without_Force()
        {
            using var kit = new BackupTestKit();
            var (repo, m) = await ThreeFiles(kit);
            Directory.CreateDirectory(Path.Combine(kit.Restore, "Data"));
            var existing = Path.Combine(kit.Restore, "Data", "a.txt");
            File.WriteAllText(existing, "newer work");
            var result = await new RestoreEngine(repo, kit.Reporter).RestoreAsync(m, new RestoreOptions { Destination = kit.Restore }, default);
            var failure = Assert.Single(result.Failures);
            Assert.Equal(BackupErrorIds.FileExists, failure.ErrorId);
            Assert.Equal("newer work", File.ReadAllText(existing));
            Assert.Equal(2, result.FilesRestored);

            var forced = await new RestoreEngine(repo, kit.Reporter).RestoreAsync(m, new RestoreOptions { Destination = kit.Restore, Overwrite = true }, default);
            Assert.True(forced.Succeeded);
            Assert.Equal("alpha", File.ReadAllText(existing));
        }

        [Fact]
        public async Task Include_restores_only_matching_files()
        {
            using var kit = new BackupTestKit();
            var (repo, m) = await ThreeFiles(kit);
            var result = await new RestoreEngine(repo, kit.Reporter).RestoreAsync(m, new RestoreOptions { Destination = kit.Restore, Include = new[] { "*.txt" } }, default);
            Assert.Equal(2, result.FilesRestored);
            Assert.False(File.Exists(Path.Combine(kit.Restore, "Data", "b.bin")));
        }

        [Fact]
        public async Task Disk_full_stops_the_restore_with_a_clear_error_and_removes_the_partial_file()
        {
            using var kit = new BackupTestKit();
            var (repo, m) = await ThreeFiles(kit);
            var engine = new RestoreEngine(repo, kit.Reporter) { OpenTemp = path => new FullDiskStream(path) };
            var ex = await Assert.ThrowsAsync<DrToolsException>(() => engine.RestoreAsync(m, new RestoreOptions { Destination = kit.Restore, ConcurrentRequests = 1 }, default));
            Assert.Equal(BackupErrorIds.DiskFull, ex.ErrorId);
            Assert.Equal(DrErrorCategory.WriteError, ex.Category);
            Assert.Empty(Directory.GetFiles(kit.Restore, "*", SearchOption.AllDirectories));
        }

        [Fact]
        public async Task Point_in_time_picks_the_newest_set_at_or_before_it()
        {
            using var kit = new BackupTestKit();
            kit.Write("a.txt", Encoding.UTF8.GetBytes("v1"));
            var first = await kit.BackupAsync();
            kit.Write("a.txt", Encoding.UTF8.GetBytes("v2"), DateTime.UtcNow);
            await Task.Delay(1100);
            var second = await kit.BackupAsync();
            var repo = await kit.OpenAsync();
            Assert.Equal(first.Id, (await RestoreEngine.SelectAsync(repo, null, second.Time.AddMilliseconds(-1), default)).Id);
            Assert.Equal(second.Id, (await RestoreEngine.SelectAsync(repo, null, null, default)).Id);
            var none = await Assert.ThrowsAsync<DrToolsException>(() => RestoreEngine.SelectAsync(repo, null, first.Time.AddDays(-1), default));
            Assert.Equal(BackupErrorIds.BackupSetNotFound, none.ErrorId);
        }

        /// <summary>Writes a few bytes to a real temp file, then fails like a full disk (ENOSPC).</summary>
        sealed class FullDiskStream : FileStream
        {
            public FullDiskStream(string path) : base(path, FileMode.OpenOrCreate) { }
            public override Task WriteAsync(byte[] buffer, int offset, int count, System.Threading.CancellationToken ct)
            {
                base.Write(buffer, offset, Math.Min(2, count));
                throw new IOException("No space left on device", 28);
            }
        }
    }
}
