using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Backup.Chunking;
using Xunit;

namespace DrTools.Core.Tests.Backup
{
    public class ChunkerTests
    {
        static async Task<List<byte[]>> Chunks(byte[] data)
        {
            var reader = new Chunker(ChunkerParameters.Default).Read(new MemoryStream(data));
            var result = new List<byte[]>();
            byte[]? c;
            while ((c = await reader.NextAsync(CancellationToken.None)) != null) result.Add(c);
            return result;
        }

        static string Hash(byte[] b) => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(b));

        [Fact]
        public async Task Chunks_reassemble_to_the_input_and_respect_min_and_max()
        {
            var data = BackupTestKit.Random(24 * 1024 * 1024, 1);
            var chunks = await Chunks(data);
            Assert.Equal(data, chunks.SelectMany(c => c).ToArray());
            var p = ChunkerParameters.Default;
            Assert.All(chunks.Take(chunks.Count - 1), c => Assert.InRange(c.Length, p.MinSize, p.MaxSize));
            Assert.InRange(chunks.Count, 16, 80); // about 512 KiB on average
        }

        [Fact]
        public async Task Data_without_cut_points_is_cut_at_max_size()
        {
            var chunks = await Chunks(new byte[10 * 1024 * 1024]);
            Assert.Equal(new[] { 4 << 20, 4 << 20, 2 << 20 }, chunks.Select(c => c.Length));
        }

        [Fact]
        public async Task An_insert_in_the_middle_changes_only_the_chunks_around_it()
        {
            var data = BackupTestKit.Random(32 * 1024 * 1024, 2);
            var edited = data.Take(16 * 1024 * 1024).Concat(BackupTestKit.Random(100, 3)).Concat(data.Skip(16 * 1024 * 1024)).ToArray();
            var before = (await Chunks(data)).Select(Hash).ToList();
            var after = (await Chunks(edited)).Select(Hash).ToList();
            var changed = after.Count(h => !before.Contains(h));
            Assert.InRange(changed, 1, 2);
            Assert.True(before.Count(h => !after.Contains(h)) <= 2);
        }

        /// <summary>A file that grows while it is read: its length at open is less than what it yields.</summary>
        sealed class GrowingStream : MemoryStream
        {
            readonly long _claimed;
            public GrowingStream(byte[] data, long claimed) : base(data) => _claimed = claimed;
            public override long Length => _claimed;
        }

        [Theory]
        [InlineData(1000)]
        [InlineData(3 * 1024 * 1024)]
        public async Task A_stream_longer_than_its_length_at_open_is_cut_like_any_other(long claimed)
        {
            var data = BackupTestKit.Random(20 * 1024 * 1024, 4);
            var expected = (await Chunks(data)).Select(Hash).ToList();
            var reader = new Chunker(ChunkerParameters.Default).Read(new GrowingStream(data, claimed));
            var actual = new List<string>();
            byte[]? c;
            while ((c = await reader.NextAsync(CancellationToken.None)) != null) actual.Add(Hash(c));
            Assert.Equal(expected, actual);
        }

        [Fact]
        public async Task Pooled_chunks_are_the_same_bytes_as_fresh_ones()
        {
            var data = BackupTestKit.Random(12 * 1024 * 1024, 5);
            var expected = (await Chunks(data)).Select(Hash).ToList();
            var reader = new Chunker(ChunkerParameters.Default).Read(new MemoryStream(data));
            var actual = new List<string>();
            PooledChunk? c;
            while ((c = await reader.NextPooledAsync(CancellationToken.None)) != null)
            {
                actual.Add(Hash(c.Array.AsSpan(0, c.Length).ToArray()));
                c.Return();
                c.Return(); // a second return is ignored, not a double entry in the pool
            }
            Assert.Equal(expected, actual);
        }

        [Fact]
        public async Task Small_and_empty_inputs_are_one_chunk_or_none()
        {
            Assert.Empty(await Chunks(Array.Empty<byte>()));
            Assert.Equal(1000, Assert.Single(await Chunks(new byte[1000])).Length);
        }
    }
}
