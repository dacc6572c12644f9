using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using DrTools.Core.Backup;
using DrTools.Core.Backup.Packs;
using DrTools.Core.Diagnostics;
using Xunit;

namespace DrTools.Core.Tests.Backup
{
    /// <summary>Issue 10 items 3, 4, 15 and 16: salvage from damaged repositories, Repair-DrBackup, damaged newest sets, crafted files.</summary>
    public class DamagedRepositoryTests
    {
        static readonly DateTime Old = new(2024, 5, 1, 12, 0, 0, DateTimeKind.Utc);

        static async Task<(BackupRepository Repo, BackupManifest Manifest)> TwoFolders(BackupTestKit kit, int packTarget = PackWriter.DefaultTargetSize)
        {
            kit.Write("a/x.txt", Encoding.UTF8.GetBytes("xray"));
            kit.Write("a/x2.bin", BackupTestKit.Random(20_000, 61));
            kit.Write("b/y.txt", Encoding.UTF8.GetBytes("yankee"));
            var set = await kit.BackupAsync(options: new BackupOptions { PackTargetSize = packTarget });
            var repo = await kit.OpenAsync();
            return (repo, await repo.ReadManifestAsync(set.Id, default));
        }

        static string TreeOf(BackupManifest m, string folder) => m.Trees.Single(t => t.Path == folder).Tree;

        static Task<RestoreResult> RestoreAsync(BackupTestKit kit, BackupRepository repo, string setId, string destination, params string[] include) =>
            RestoreAsync(kit, repo, setId, destination, include, force: false);

        static async Task<RestoreResult> RestoreAsync(BackupTestKit kit, BackupRepository repo, string setId, string destination, string[] include, bool force)
        {
            var m = await repo.ReadManifestHeaderAsync(setId, default);
            return await new RestoreEngine(repo, kit.Reporter).RestoreAsync(m, new RestoreOptions { Destination = destination, Include = include, Overwrite = force }, default);
        }

        // ---- item 3: one damaged tree loses only its folder

        [Fact]
        public async Task A_damaged_tree_loses_only_its_folder_restore_and_verify_name_it_and_Include_of_other_folders_is_clean()
        {
            using var kit = new BackupTestKit();
            var (repo, m) = await TwoFolders(kit);
            await kit.CorruptChunkAsync(TreeOf(m, "Data/a"));

            var result = await RestoreAsync(kit, repo, m.Id, kit.Restore);
            Assert.Equal("yankee", File.ReadAllText(Path.Combine(kit.Restore, "Data", "b", "y.txt")));
            Assert.False(File.Exists(Path.Combine(kit.Restore, "Data", "a", "x.txt")));
            var failure = Assert.Single(result.Failures);
            Assert.Equal(("Data/a", BackupErrorIds.IntegrityError), (failure.Path, failure.ErrorId));
            Assert.Contains("Data/a", failure.Message);
            Assert.Equal(new[] { "Data/a" }, result.DamagedFolders);
            Assert.False(result.Succeeded);

            // -Include of another folder restores it with no failure at all.
            var other = await RestoreAsync(kit, repo, m.Id, Path.Combine(kit.Root, "only-b"), "Data/b");
            Assert.True(other.Succeeded);
            Assert.Equal(1, other.FilesRestored);

            // Verify lists the folder and fails, and still checks every other file.
            var fresh = await repo.ReadManifestHeaderAsync(m.Id, default);
            var verify = await new VerifyEngine(repo, kit.Reporter).VerifyAsync(fresh, 2, default);
            Assert.False(verify.Passed);
            Assert.Equal("Data/a", Assert.Single(verify.Failures).Path);
            Assert.Equal(1, verify.FilesChecked);
        }

        [Fact]
        public async Task A_damaged_tree_fails_no_prune_or_backup_and_the_next_backup_stores_it_again_so_both_sets_restore()
        {
            using var kit = new BackupTestKit();
            var (repo, first) = await TwoFolders(kit);
            var tree = TreeOf(first, "Data/a");
            await kit.CorruptChunkAsync(tree);

            // Prune cannot know the chunks the lost folder needs: it deletes none and says why, instead of failing.
            var pruned = await new PruneEngine(repo, kit.Reporter).ExecuteAsync(Array.Empty<string>(), true, new PruneOptions { GracePeriod = TimeSpan.Zero }, default);
            Assert.Equal(0, pruned.ChunksDeleted);
            Assert.Contains("Data/a", pruned.ChunkDeletionSkipped);

            // The next backup of the same data succeeds and stores the folder's file list again.
            var second = await kit.BackupAsync();
            Assert.Contains(kit.Reporter.Warnings, w => w.Contains("Data/a") && w.Contains(first.Id));
            var secondManifest = await repo.ReadManifestHeaderAsync(second.Id, default);
            Assert.Equal(tree, TreeOf(secondManifest, "Data/a"));

            foreach (var (id, dest) in new[] { (first.Id, "r1"), (second.Id, "r2") })
            {
                var restored = await RestoreAsync(kit, await kit.OpenAsync(), id, Path.Combine(kit.Root, dest));
                Assert.True(restored.Succeeded, string.Join("; ", restored.Failures.Select(f => f.ToString())));
                Assert.Equal(3, restored.FilesRestored);
                Assert.Equal("xray", File.ReadAllText(Path.Combine(kit.Root, dest, "Data", "a", "x.txt")));
            }
        }

        [Fact]
        public async Task A_damaged_chunk_found_by_verify_is_stored_again_by_the_next_backup_and_the_old_set_restores_again()
        {
            using var kit = new BackupTestKit();
            var content = BackupTestKit.Random(30_000, 62);
            kit.Write("a.bin", content);
            kit.Write("b.txt", Encoding.UTF8.GetBytes("bravo"));
            var first = await kit.BackupAsync(options: new BackupOptions { PackTargetSize = 1 });
            var repo = await kit.OpenAsync();
            var m = await repo.ReadManifestAsync(first.Id, default);
            var chunk = m.Files.Single(f => f.Path == "Data/a.bin").Chunks.Single();
            await kit.CorruptChunkAsync(chunk);

            var verify = await new VerifyEngine(repo, kit.Reporter).VerifyAsync(await repo.ReadManifestHeaderAsync(first.Id, default), 2, default);
            Assert.Equal("Data/a.bin", Assert.Single(verify.Failures).Path);

            // Unchanged files, but the chunk is known damaged: the backup reads the file again and stores the chunk anew.
            var second = await kit.BackupAsync();
            Assert.True(second.NewBytes >= content.Length);

            foreach (var (id, dest) in new[] { (first.Id, "r1"), (second.Id, "r2") })
            {
                var restored = await RestoreAsync(kit, await kit.OpenAsync(), id, Path.Combine(kit.Root, dest));
                Assert.True(restored.Succeeded, string.Join("; ", restored.Failures.Select(f => f.ToString())));
                Assert.Equal(content, File.ReadAllBytes(Path.Combine(kit.Root, dest, "Data", "a.bin")));
            }
            var again = await new VerifyEngine(await kit.OpenAsync(), kit.Reporter).VerifyAsync(await repo.ReadManifestHeaderAsync(first.Id, default), 2, default);
            Assert.True(again.Passed);
        }

        // ---- item 4: Repair-DrBackup

        [Fact]
        public async Task Repair_rebuilds_the_index_from_pack_headers_drops_missing_packs_names_what_is_lost_and_its_plan_changes_nothing()
        {
            using var kit = new BackupTestKit();
            kit.Write("a.txt", Encoding.UTF8.GetBytes("alpha"));
            kit.Write("b.bin", BackupTestKit.Random(200_000, 63));
            kit.Write("c.txt", Encoding.UTF8.GetBytes("charlie"));
            var set = await kit.BackupAsync(options: new BackupOptions { PackTargetSize = 1 });
            var repo = await kit.OpenAsync();
            var m = await repo.ReadManifestAsync(set.Id, default);
            var lostChunk = m.Files.Single(f => f.Path == "Data/c.txt").Chunks.Single();
            await kit.DeletePackOfAsync(lostChunk);
            var indexFiles = Directory.GetFiles(Path.Combine(kit.RepoPath, "index"));

            var engine = new RepairEngine(repo, kit.Reporter);
            var plan = await engine.PlanAsync(new RepairOptions(), default);
            Assert.Single(plan.MissingPacks);
            var loss = Assert.Single(plan.Losses);
            Assert.Equal((set.Id, "Data/c.txt", "missing", lostChunk), (loss.BackupSetId, loss.Path, loss.Reason, loss.Blob));
            Assert.Contains("Data/c.txt", plan.Describe());
            Assert.Equal(indexFiles, Directory.GetFiles(Path.Combine(kit.RepoPath, "index"))); // the plan wrote nothing

            var result = await engine.ExecuteAsync(plan, new RepairOptions(), default);
            Assert.Equal(indexFiles.Length, result.IndexFilesReplaced);
            Assert.Equal(new[] { set.Id }, result.AffectedSets);
            Assert.Equal(new[] { lostChunk }, result.LostBlobs);
            Assert.Contains("next Invoke-DrBackup", result.Summary);
            var newIndex = Assert.Single(Directory.GetFiles(Path.Combine(kit.RepoPath, "index")));
            Assert.DoesNotContain(newIndex, indexFiles);
            Assert.Empty(Directory.GetFiles(kit.RepoPath, "*drtmp*", SearchOption.AllDirectories));
            Assert.Empty(Directory.GetFiles(Path.Combine(kit.RepoPath, "locks")));

            // The index no longer lists the missing pack, and the other files restore.
            Assert.False((await kit.IndexAsync()).Contains(lostChunk));
            var restored = await RestoreAsync(kit, await kit.OpenAsync(), set.Id, kit.Restore);
            Assert.Equal(2, restored.FilesRestored);
            Assert.Equal(("Data/c.txt", BackupErrorIds.ChunkMissing), (restored.Failures.Single().Path, restored.Failures.Single().ErrorId));

            // Repaired: a second run has nothing to write.
            Assert.True((await new RepairEngine(await kit.OpenAsync(), kit.Reporter).PlanAsync(new RepairOptions(), default)).NothingToChange);
        }

        [Fact]
        public async Task Repair_ReadData_finds_a_damaged_chunk_and_the_next_backup_of_the_same_data_makes_the_old_set_whole()
        {
            using var kit = new BackupTestKit();
            var content = BackupTestKit.Random(40_000, 64);
            kit.Write("a.bin", content);
            kit.Write("b.txt", Encoding.UTF8.GetBytes("bravo"));
            var first = await kit.BackupAsync(options: new BackupOptions { PackTargetSize = 1 });
            var repo = await kit.OpenAsync();
            var chunk = (await repo.ReadManifestAsync(first.Id, default)).Files.Single(f => f.Path == "Data/a.bin").Chunks.Single();
            await kit.CorruptChunkAsync(chunk);

            // Without -ReadData the damage inside a pack is not seen; with it, it is found, named and recorded.
            Assert.Empty((await new RepairEngine(repo, kit.Reporter).PlanAsync(new RepairOptions(), default)).Losses);
            var engine = new RepairEngine(repo, kit.Reporter);
            var options = new RepairOptions { ReadData = true };
            var plan = await engine.PlanAsync(options, default);
            Assert.Contains("damaged", plan.Describe());
            var result = await engine.ExecuteAsync(plan, options, default);
            Assert.True(result.DataChecked);
            Assert.Equal(1, result.DamagedBlobs);
            var loss = Assert.Single(result.Losses);
            Assert.Equal(("Data/a.bin", "damaged"), (loss.Path, loss.Reason));

            await kit.BackupAsync();
            var restored = await RestoreAsync(kit, await kit.OpenAsync(), first.Id, kit.Restore);
            Assert.True(restored.Succeeded, string.Join("; ", restored.Failures.Select(f => f.ToString())));
            Assert.Equal(content, File.ReadAllBytes(Path.Combine(kit.Restore, "Data", "a.bin")));
            var after = await new RepairEngine(await kit.OpenAsync(), kit.Reporter).ExecuteAsync(plan, new RepairOptions(), default);
            Assert.Empty(after.LostBlobs);
        }

        // ---- item 15: a damaged newest set is an error that names it

        [Fact]
        public async Task A_damaged_newest_manifest_is_an_error_naming_it_for_the_latest_never_the_previous_set()
        {
            using var kit = new BackupTestKit();
            kit.Write("a.txt", Encoding.UTF8.GetBytes("one"));
            var older = await kit.BackupAsync();
            kit.Write("a.txt", Encoding.UTF8.GetBytes("two"), Old.AddDays(1));
            var newest = await kit.BackupAsync();
            File.WriteAllText(Path.Combine(kit.RepoPath, "snapshots", newest.Id + ".json"), "{ damaged");
            var repo = await kit.OpenAsync();

            var verify = await Assert.ThrowsAsync<DrToolsException>(() => VerifyEngine.SelectAsync(repo, null, false, null, kit.Reporter, default));
            Assert.Equal(BackupErrorIds.IntegrityError, verify.ErrorId);
            Assert.Contains(newest.Id, verify.Message);
            Assert.Contains("-Id", verify.RecommendedAction);
            var restore = await Assert.ThrowsAsync<DrToolsException>(() => RestoreEngine.SelectAsync(repo, null, null, default));
            Assert.Contains(newest.Id, restore.Message);

            // A point in time before the damaged set still finds the older one; the catalog names both.
            Assert.Equal(older.Id, (await RestoreEngine.SelectAsync(repo, null, older.Time, default)).Id);
            var catalog = await repo.ReadCatalogAsync(default);
            Assert.Equal(older.Id, Assert.Single(catalog.Sets).Id);
            Assert.Equal(newest.Id, Assert.Single(catalog.Damaged).Id);
        }

        // ---- item 16: crafted files give DrTools errors with a recommended action, never raw .NET exceptions

        static async Task CraftManifestAsync(BackupTestKit kit, string setId, Action<BackupManifest> change, string? textAfter = null)
        {
            var path = Path.Combine(kit.RepoPath, "snapshots", setId + ".json");
            var m = Json.Deserialize<BackupManifest>(File.ReadAllBytes(path), "test");
            change(m);
            var json = Encoding.UTF8.GetString(Json.SealManifest(m));
            if (textAfter != null) json = json.Insert(1, textAfter); // a field the checksum's serialization leaves out
            await File.WriteAllTextAsync(path, json);
        }

        static async Task<string> StoreTreeAsync(BackupTestKit kit, string treeJson)
        {
            var raw = Encoding.UTF8.GetBytes(treeJson);
            var id = Json.Sha256Hex(raw, raw.Length);
            var writer = new PackWriter(kit.Store, BlobKind.Tree, 1, default);
            await writer.AddAsync(id, raw, raw.Length, default);
            var packs = await writer.FinishAsync(default);
            await (await kit.OpenAsync()).WriteIndexAsync(packs, default);
            return id;
        }

        static void AssertDrToolsError(Exception? ex, params string[] ids)
        {
            if (ex == null) return;
            var dr = Assert.IsType<DrToolsException>(ex);
            Assert.Contains(dr.ErrorId, ids);
            Assert.False(string.IsNullOrWhiteSpace(dr.RecommendedAction));
        }

        [Theory]
        [InlineData("fileCount -1")]
        [InlineData("totalBytes -1")]
        [InlineData("trees [null]")]
        [InlineData("trees null")]
        [InlineData("tree id not a SHA-256")]
        [InlineData("tags null")]
        [InlineData("sourcePaths [null]")]
        [InlineData("tree chunks [null]")]
        [InlineData("tree [null]")]
        [InlineData("tree null")]
        [InlineData("tree size -1")]
        [InlineData("tree sha256 missing")]
        [InlineData("tree duplicate name")]
        public async Task A_crafted_set_gives_DrTools_errors_with_an_action_to_every_reader_and_backups_go_on(string craft)
        {
            using var kit = new BackupTestKit();
            kit.Write("a.txt", Encoding.UTF8.GetBytes("alpha"));
            var set = await kit.BackupAsync();
            var sha = Json.Sha256Hex(Encoding.UTF8.GetBytes("alpha"), 5);
            string Tree(string entries) => "[" + entries + "]";
            string Entry(string extra) => "{\"name\":\"a.txt\",\"size\":5,\"mTime\":\"2024-05-01T12:00:00Z\",\"attributes\":0" + extra + "}";
            var treeJson = craft switch
            {
                "tree chunks [null]" => Tree(Entry($",\"sha256\":\"{sha}\",\"chunks\":[null]")),
                "tree [null]" => "[null]",
                "tree null" => "null",
                "tree size -1" => Tree(Entry($",\"sha256\":\"{sha}\"").Replace("\"size\":5", "\"size\":-1")),
                "tree sha256 missing" => Tree(Entry("")),
                "tree duplicate name" => Tree(Entry($",\"sha256\":\"{sha}\"") + "," + Entry($",\"sha256\":\"{sha}\"")),
                _ => null,
            };
            if (treeJson != null)
            {
                var tree = await StoreTreeAsync(kit, treeJson);
                await CraftManifestAsync(kit, set.Id, m => m.Trees = new List<TreeRef> { new() { Path = "Data", Tree = tree } });
            }
            else
            {
                await CraftManifestAsync(kit, set.Id, craft switch
                {
                    "fileCount -1" => m => m.FileCount = -1,
                    "totalBytes -1" => m => m.TotalBytes = -1,
                    "trees [null]" => m => m.Trees = new List<TreeRef> { null! },
                    "trees null" => m => m.Trees = null!,
                    "tree id not a SHA-256" => m => m.Trees[0].Tree = "../../config",
                    "tags null" => m => m.Tags = null!,
                    "sourcePaths [null]" => m => m.SourcePaths = new List<string> { null! },
                    _ => throw new ArgumentException(craft),
                }, craft switch { "tags null" => "\"tags\":null,", "trees null" => "\"trees\":null,", _ => null });
            }

            var repo = await kit.OpenAsync();
            var errors = new List<Exception?>();
            async Task Try(Func<Task> action)
            {
                try { await action(); errors.Add(null); }
                catch (Exception ex) { errors.Add(ex); }
            }
            RestoreResult? restored = null;
            RestoreTestResult? verified = null;
            await Try(() => repo.ReadManifestAsync(set.Id, default));
            await Try(async () => restored = await RestoreAsync(kit, repo, set.Id, kit.Restore));
            await Try(async () => verified = await new VerifyEngine(repo, kit.Reporter).VerifyAsync(await repo.ReadManifestHeaderAsync(set.Id, default), 2, default));
            await Try(() => RestoreEngine.SelectAsync(repo, null, null, default));
            await Try(() => new PruneEngine(repo, kit.Reporter).ExecuteAsync(Array.Empty<string>(), true, new PruneOptions { GracePeriod = TimeSpan.Zero }, default));
            await Try(async () => await new RepairEngine(repo, kit.Reporter).PlanAsync(new RepairOptions { ReadData = true }, default));
            foreach (var e in errors) AssertDrToolsError(e, BackupErrorIds.IntegrityError);
            if (treeJson != null)
            {
                // A bad file list loses its folder only: restore and verify name it as damaged.
                Assert.Equal(("Data", BackupErrorIds.IntegrityError), (restored!.Failures.Single().Path, restored.Failures.Single().ErrorId));
                Assert.False(verified!.Passed);
            }
            else Assert.Contains(errors, e => e is DrToolsException d && d.Message.Contains(set.Id));

            // The next backup of the same source is not held up by the crafted set, and restores.
            var next = await kit.BackupAsync();
            var again = await RestoreAsync(kit, await kit.OpenAsync(), next.Id, Path.Combine(kit.Root, "next"));
            Assert.True(again.Succeeded);
        }

        [Theory]
        [InlineData("\"algorithm\":\"fastcdc-gear64\"", "\"algorithm\":\"rabin\"", BackupErrorIds.NotARepository)]
        [InlineData("\"avgSize\":524288", "\"avgSize\":3", BackupErrorIds.IntegrityError)]
        [InlineData("\"minSize\":262144", "\"minSize\":0", BackupErrorIds.IntegrityError)]
        [InlineData("\"maxSize\":4194304", "\"maxSize\":2147483647", BackupErrorIds.IntegrityError)]
        [InlineData("\"chunker\":{", "\"chunker\":null,\"x\":{", BackupErrorIds.IntegrityError)]
        [InlineData("{", "[", BackupErrorIds.IntegrityError)]
        public async Task A_config_with_an_invalid_chunker_is_a_DrTools_error_with_an_action_for_every_operation(string from, string to, string errorId)
        {
            using var kit = new BackupTestKit();
            kit.Write("a.txt", Encoding.UTF8.GetBytes("alpha"));
            await kit.BackupAsync();
            var config = Path.Combine(kit.RepoPath, "config.json");
            var text = File.ReadAllText(config);
            Assert.Contains(from, text);
            File.WriteAllText(config, new System.Text.RegularExpressions.Regex(System.Text.RegularExpressions.Regex.Escape(from)).Replace(text, to, 1));

            var open = await Record(() => kit.OpenAsync());
            AssertDrToolsError(open, errorId);
            Assert.NotNull(open);
            AssertDrToolsError(await Record(() => kit.BackupAsync()), errorId);
        }

        static async Task<Exception?> Record(Func<Task> action)
        {
            try { await action(); return null; }
            catch (Exception ex) { return ex; }
        }
    }
}
