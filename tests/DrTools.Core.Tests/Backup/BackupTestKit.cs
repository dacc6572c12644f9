using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Backup;
using DrTools.Core.Backup.Packs;
using DrTools.Core.Backup.Storage;
using DrTools.Core.Diagnostics;
using Xunit;

namespace DrTools.Core.Tests.Backup
{
    /// <summary>A temp folder with a source tree and a folder repository, removed at the end.</summary>
    internal sealed class BackupTestKit : IDisposable
    {
        public BackupTestKit()
        {
            Root = Path.Combine(Path.GetTempPath(), "drtools-bk-" + Guid.NewGuid().ToString("N").Substring(0, 10));
            Source = Path.Combine(Root, "src", "Data");
            RepoPath = Path.Combine(Root, "repo");
            Restore = Path.Combine(Root, "restore");
            Directory.CreateDirectory(Source);
        }

        public string Root { get; }
        public string Source { get; }
        public string RepoPath { get; }
        public string Restore { get; }
        public RecordingReporter Reporter { get; } = new();
        public FolderStore Store => new(RepoPath);

        public static byte[] Random(int size, int seed)
        {
            var data = new byte[size];
            new Random(seed).NextBytes(data);
            return data;
        }

        public string Write(string relative, byte[] content, DateTime? mtime = null)
        {
            var path = Path.Combine(Source, relative.Replace('/', Path.DirectorySeparatorChar));
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, content);
            File.SetLastWriteTimeUtc(path, mtime ?? new DateTime(2024, 5, 1, 12, 0, 0, DateTimeKind.Utc));
            return path;
        }

        public Task<BackupSet> BackupAsync(IRepositoryStore? store = null, CancellationToken ct = default, BackupOptions? options = null)
        {
            options ??= new BackupOptions();
            if (options.Paths.Count == 0) options.Paths = new[] { Source };
            return new BackupEngine(store ?? Store, Reporter).RunAsync(options, ct);
        }

        public Task<BackupRepository> OpenAsync(IRepositoryStore? store = null) => BackupRepository.OpenAsync(store ?? Store, CancellationToken.None);

        /// <summary>The pack files in data/.</summary>
        public string[] PackFiles() => Directory.Exists(Path.Combine(RepoPath, "data"))
            ? Directory.GetFiles(Path.Combine(RepoPath, "data"), "*", SearchOption.AllDirectories) : Array.Empty<string>();

        public async Task<RepositoryIndex> IndexAsync() => await (await OpenAsync()).LoadIndexAsync(new RecordingReporter(), default);

        /// <summary>The chunks the repository holds (from its index and pack headers).</summary>
        public async Task<int> ChunkCountAsync() => (await IndexAsync()).Packs.SelectMany(p => p.Blobs).Count(b => b.Kind == BlobKind.Data);

        public string PackPath(string packId) => Path.Combine(RepoPath, "data", packId.Substring(0, 2), packId);

        /// <summary>Damages one chunk in place: flips a byte in the middle of its bytes inside its pack.</summary>
        public async Task CorruptChunkAsync(string sha)
        {
            Assert.True((await IndexAsync()).TryFind(sha, out var at));
            using var fs = new FileStream(PackPath(at.PackId), FileMode.Open, FileAccess.ReadWrite);
            fs.Position = at.Entry.Offset + at.Entry.Length / 2;
            var b = fs.ReadByte();
            fs.Position--;
            fs.WriteByte((byte)(b ^ 0xFF));
        }

        /// <summary>Deletes the pack holding a chunk (every chunk in that pack goes missing).</summary>
        public async Task DeletePackOfAsync(string sha)
        {
            Assert.True((await IndexAsync()).TryFind(sha, out var at));
            File.Delete(PackPath(at.PackId));
        }

        public void Dispose()
        {
            try { Directory.Delete(Root, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    internal sealed class RecordingReporter : IOperationReporter
    {
        public ConcurrentQueue<string> Warnings { get; } = new();
        public ConcurrentQueue<string> Verboses { get; } = new();
        public ConcurrentQueue<ProgressUpdate> Progresses { get; } = new();
        public void Verbose(string message) => Verboses.Enqueue(message);
        public void Warning(string message) => Warnings.Enqueue(message);
        public void Progress(ProgressUpdate update) => Progresses.Enqueue(update);
    }

    /// <summary>Wraps a store: counts puts and gets, and can cancel a token after N pack puts (Ctrl+C mid-backup).</summary>
    internal sealed class CountingStore : IRepositoryStore
    {
        readonly IRepositoryStore _inner;
        int _chunkPuts;
        public CountingStore(IRepositoryStore inner) => _inner = inner;
        public int ChunkPuts => _chunkPuts;
        public int CancelAfterChunkPuts { get; set; } = int.MaxValue;
        public CancellationTokenSource? CancelSource { get; set; }
        public ConcurrentQueue<string> Gets { get; } = new();
        public string Location => _inner.Location;

        public async Task PutAsync(string key, byte[] content, int length, byte[] sha256, CancellationToken ct)
        {
            await _inner.PutAsync(key, content, length, sha256, ct);
            if (key.StartsWith("data/", StringComparison.Ordinal) && Interlocked.Increment(ref _chunkPuts) >= CancelAfterChunkPuts)
                CancelSource?.Cancel();
        }

        public Task<Stream?> OpenReadAsync(string key, CancellationToken ct) { Gets.Enqueue(key); return _inner.OpenReadAsync(key, ct); }
        public Task<Stream?> OpenRangeAsync(string key, long offset, long length, CancellationToken ct) { Gets.Enqueue(key); return _inner.OpenRangeAsync(key, offset, length, ct); }
        public Task<bool> ExistsAsync(string key, CancellationToken ct) => _inner.ExistsAsync(key, ct);
        public Task<IReadOnlyList<StoredObject>> ListAsync(string prefix, CancellationToken ct) => _inner.ListAsync(prefix, ct);
        public Task DeleteAsync(IReadOnlyList<string> keys, CancellationToken ct) => _inner.DeleteAsync(keys, ct);
        public Task<bool> LocationExistsAsync(CancellationToken ct) => _inner.LocationExistsAsync(ct);
    }
}
