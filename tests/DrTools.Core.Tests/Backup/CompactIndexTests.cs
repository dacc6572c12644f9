using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Backup;
using DrTools.Core.Backup.Packs;
using DrTools.Core.Diagnostics;
using Xunit;

namespace DrTools.Core.Tests.Backup
{
    /// <summary>
    /// The in-memory index keeps blobs as binary keys and structs (issue 16): the same lookups as before, in a
    /// fraction of the memory. The repository format is unchanged (index files and pack headers are read as before).
    /// </summary>
    [Collection(MemoryMeasurement.Name)]
    public class CompactIndexTests
    {
        [Fact]
        public void Blob_keys_parse_64_hex_digits_only_and_print_the_name_back_in_lower_case()
        {
            var name = string.Concat(Enumerable.Range(0, 32).Select(i => (i * 7 + 3).ToString("x2")));
            Assert.True(BlobKey.TryParse(name, out var key));
            Assert.Equal(name, key.ToString());
            Assert.True(BlobKey.TryParse(name.ToUpperInvariant(), out var upper));
            Assert.Equal(key, upper);
            Assert.Equal(key, BlobKey.FromBytes(Json.FromHex(name), 0));
            Assert.False(BlobKey.TryParse(name.Substring(1), out _));
            Assert.False(BlobKey.TryParse(name.Substring(1) + "g", out _));
            Assert.False(BlobKey.TryParse(null, out _));
        }

        [Fact]
        public async Task Every_blob_of_every_pack_is_found_where_its_pack_header_says_from_the_index_files_and_from_unindexed_packs()
        {
            using var kit = new BackupTestKit();
            for (int i = 0; i < 40; i++) kit.Write($"d{i % 4}/f{i}.bin", BackupTestKit.Random(20_000 + i * 997, i));
            kit.Write("big.bin", BackupTestKit.Random(3 << 20, 99));
            // Small packs: many packs, each with several blobs.
            await kit.BackupAsync(options: new BackupOptions { PackTargetSize = 64 * 1024 });

            var fromIndexFiles = await RepositoryIndex.LoadAsync(kit.Store, NullReporter.Instance, CancellationToken.None);
            Assert.Empty(fromIndexFiles.Unindexed);
            // Without the index files, every pack is read from its own header (the path interrupted backups take).
            foreach (var f in Directory.GetFiles(Path.Combine(kit.RepoPath, "index"))) File.Delete(f);
            var fromHeaders = await RepositoryIndex.LoadAsync(kit.Store, NullReporter.Instance, CancellationToken.None);
            Assert.Equal(fromIndexFiles.StoredPacks.Count, fromHeaders.Unindexed.Count);

            var blobs = 0;
            foreach (var stored in fromIndexFiles.StoredPacks.Values)
            {
                var header = await RepositoryIndex.ReadHeaderAsync(kit.Store, stored, CancellationToken.None);
                Assert.NotNull(header);
                foreach (var b in header!.Blobs)
                {
                    blobs++;
                    foreach (var index in new[] { fromIndexFiles, fromHeaders })
                    {
                        Assert.True(index.Contains(b.Id));
                        Assert.True(index.TryFind(b.Id, out var at));
                        Assert.Equal(header.PackId, at.PackId);
                        Assert.Equal(b, at.Entry);
                    }
                }
            }
            Assert.True(blobs > fromIndexFiles.StoredPacks.Count, "the packs hold several blobs each");
            Assert.Equal(blobs, fromIndexFiles.Count);
            Assert.False(fromIndexFiles.Contains(new string('0', 64)));
            Assert.False(fromIndexFiles.TryFind("not a blob name", out _));

            // And the data is what the backup stored: a restore from the index rebuilt out of pack headers is whole.
            await kit.BackupAsync();
            var repo = await kit.OpenAsync();
            var set = await RestoreEngine.SelectAsync(repo, null, null, CancellationToken.None);
            var result = await new RestoreEngine(repo, NullReporter.Instance).RestoreAsync(set, new RestoreOptions { Destination = kit.Restore }, CancellationToken.None);
            Assert.True(result.Succeeded);
            Assert.Equal(File.ReadAllBytes(Path.Combine(kit.Source, "big.bin")), File.ReadAllBytes(Path.Combine(kit.Restore, "Data", "big.bin")));
        }

        [Fact]
        public void An_index_of_200000_chunks_holds_under_120_bytes_a_chunk_in_memory()
        {
            // What a backup of a few hundred thousand files holds for the whole run (about 250 bytes a chunk with
            // string keys and an object per blob; the target of 300 MB at 500 000 files needs far less).
            const int packs = 200, perPack = 1000;
            var rng = new Random(16);
            var contents = new List<PackContents>();
            for (int p = 0; p < packs; p++)
            {
                var blobs = new List<BlobEntry>();
                for (int i = 0; i < perPack; i++)
                {
                    var id = new byte[32];
                    rng.NextBytes(id);
                    blobs.Add(new BlobEntry(Json.Hex(id), BlobKind.Data, i % 2 == 0, i * 4000, 4000, 8000));
                }
                var packId = new byte[32];
                rng.NextBytes(packId);
                contents.Add(new PackContents(Json.Hex(packId), blobs));
            }
            var file = PackFormat.SerializeIndex(contents);
            var sample = contents[7].Blobs[123];
            var packOfSample = contents[7].PackId;
            contents = null;

            var before = GC.GetTotalMemory(forceFullCollection: true);
            var index = new RepositoryIndex();
            foreach (var pack in PackFormat.ParseIndex(file)) index.Add(pack);
            var after = GC.GetTotalMemory(forceFullCollection: true);

            Assert.Equal(packs * perPack, index.Count);
            Assert.True(index.TryFind(sample.Id, out var at));
            Assert.Equal(packOfSample, at.PackId);
            Assert.Equal(sample, at.Entry);
            var perChunk = (after - before) / (double)(packs * perPack);
            Assert.True(perChunk < 120, $"{perChunk:0} bytes a chunk");
            GC.KeepAlive(index);
        }
    }

    /// <summary>
    /// Tests that measure the process's managed memory (GC.GetTotalMemory) run alone: a test running in parallel
    /// allocates between the two readings and is counted as the index's (126 bytes a chunk instead of under 120 in a CI run).
    /// </summary>
    [CollectionDefinition(Name, DisableParallelization = true)]
    public sealed class MemoryMeasurement
    {
        public const string Name = "Memory measurement";
    }
}
