using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Backup.Chunking;
using DrTools.Core.Backup.Storage;
using DrTools.Core.Diagnostics;

namespace DrTools.Core.Backup
{
    /// <summary>
    /// Backs files up into a repository: walks the sources, skips files unchanged since the previous set of the same
    /// sources (size and mtime), chunks the rest, uploads only chunks the repository lacks (in parallel, bounded),
    /// and writes the manifest last, so an interrupted run leaves no set and the next run reuses its chunks.
    /// </summary>
    public sealed class BackupEngine
    {
        const int ProgressId = 41;
        readonly IRepositoryStore _store;
        readonly IOperationReporter _reporter;

        public BackupEngine(IRepositoryStore store, IOperationReporter reporter)
        {
            _store = store;
            _reporter = reporter;
        }

        sealed record SourceFile(FileInfo Info, string RelativePath);

        public async Task<BackupSet> RunAsync(BackupOptions options, CancellationToken ct)
        {
            var started = DateTime.UtcNow;
            var clock = Stopwatch.StartNew();
            var sources = ResolveSources(options.Paths);
            var excludes = new GlobSet(options.Exclude);
            var warnings = new ConcurrentQueue<string>();

            var repo = await BackupRepository.OpenOrCreateAsync(_store, _reporter, ct).ConfigureAwait(false);
            var myLock = await repo.AcquireLockAsync("backup", ct).ConfigureAwait(false);
            try
            {
                using var keepAlive = repo.KeepLockAlive(myLock);
                await repo.WaitForPruneAsync(options.PruneWaitTimeout, _reporter, ct).ConfigureAwait(false);

                var files = new List<SourceFile>();
                foreach (var (full, root) in sources) Walk(full, root, excludes, files, warnings, options.Strict, ct);
                _reporter.Verbose($"{files.Count} file(s), {Units.Bytes(files.Sum(f => f.Info.Length))} to back up from {string.Join(", ", sources.Select(s => s.Full))}.");

                var sourceKey = sources.Select(s => s.Full).ToList();
                var previous = await FindPreviousAsync(repo, sourceKey, ct).ConfigureAwait(false);
                var known = await repo.ListChunksAsync(ct).ConfigureAwait(false);
                _reporter.Verbose($"The repository holds {known.Count} chunk(s)" + (previous != null ? $"; comparing with backup set {previous.Id}." : "; no previous backup set of these paths."));

                var run = new Run(repo, _reporter, options, files, known, previous, warnings);
                var entries = await run.ExecuteAsync(ct).ConfigureAwait(false);

                ct.ThrowIfCancellationRequested();
                var manifest = new BackupManifest
                {
                    Id = BackupRepository.NewSetId(started),
                    Time = started,
                    Completed = DateTime.UtcNow,
                    Host = Environment.MachineName,
                    User = Environment.UserName,
                    SourcePaths = sourceKey,
                    Tags = options.Tags.Where(t => !string.IsNullOrWhiteSpace(t)).Distinct().ToList(),
                    Excludes = options.Exclude.ToList(),
                    Files = entries.OrderBy(e => e.Path, StringComparer.Ordinal).ToList(),
                    FileCount = entries.Count,
                    TotalBytes = entries.Sum(e => e.Size),
                    NewBytes = run.NewBytes,
                    NewChunks = run.NewChunks,
                    Warnings = warnings.ToList(),
                };
                // Every chunk the manifest names is now stored and verified (awaited above): publish the set.
                await repo.WriteManifestAsync(manifest, ct).ConfigureAwait(false);
                _reporter.Progress(new ProgressUpdate(ProgressId, "Invoke-DrBackup", "Done") { Completed = true });
                foreach (var w in manifest.Warnings) _reporter.Warning(w);
                _reporter.Verbose($"Backup set {manifest.Id}: {manifest.FileCount} file(s), {Units.Bytes(manifest.TotalBytes)}, {Units.Bytes(manifest.NewBytes)} new, in {clock.Elapsed.TotalSeconds:0.0} s.");
                return BackupSet.From(manifest, repo.Location);
            }
            finally
            {
                await repo.ReleaseLockAsync(myLock).ConfigureAwait(false);
            }
        }

        /// <summary>Full paths of the sources, each with the top-level name its files get in the set.</summary>
        static List<(string Full, string Root)> ResolveSources(IReadOnlyList<string> paths)
        {
            if (paths.Count == 0)
                throw BackupErrors.InvalidArgument("No source path was given.", null, "Pass -Path with the folders or files to back up.");
            var result = new List<(string, string)>();
            foreach (var p in paths)
            {
                string full;
                try { full = Path.GetFullPath(p); }
                catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
                {
                    throw BackupErrors.InvalidArgument($"'{p}' is not a valid path: {ex.Message}", p, "Pass -Path with existing folders or files.");
                }
                if (full.Length > Path.GetPathRoot(full)!.Length) full = full.TrimEnd('/', '\\');
                if (!Directory.Exists(full) && !File.Exists(full))
                    throw new DrToolsException(BackupErrorIds.SourceNotFound, DrErrorCategory.ObjectNotFound,
                        $"The source path '{p}' does not exist.", p, "Check the -Path value (and that the volume or share is mounted), then re-run.");
                var name = Path.GetFileName(full);
                if (string.IsNullOrEmpty(name)) name = new string(full.Where(char.IsLetterOrDigit).ToArray());
                if (string.IsNullOrEmpty(name)) name = "root";
                if (result.Any(r => string.Equals(r.Item2, name, StringComparison.OrdinalIgnoreCase)))
                    throw BackupErrors.InvalidArgument($"Two source paths have the same name '{name}'; each source is stored under its own name.", p,
                        "Back the sources with the same name up in separate Invoke-DrBackup runs (or repositories).");
                result.Add((full, name));
            }
            return result;
        }

        void Walk(string full, string root, GlobSet excludes, List<SourceFile> files, ConcurrentQueue<string> warnings, bool strict, CancellationToken ct)
        {
            if (File.Exists(full) && !Directory.Exists(full))
            {
                files.Add(new SourceFile(new FileInfo(full), root));
                return;
            }
            var stack = new Stack<(DirectoryInfo Dir, string Rel)>();
            stack.Push((new DirectoryInfo(full), root));
            while (stack.Count > 0)
            {
                ct.ThrowIfCancellationRequested();
                var (dir, rel) = stack.Pop();
                FileSystemInfo[] entries;
                try { entries = dir.GetFileSystemInfos(); }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.SecurityException)
                {
                    Unreadable(dir.FullName, ex, warnings, strict, "folder");
                    continue;
                }
                foreach (var e in entries.OrderBy(e => e.Name, StringComparer.Ordinal))
                {
                    var childRel = rel + "/" + e.Name;
                    if (excludes.Matches(childRel.Substring(root.Length + 1)) || excludes.Matches(childRel)) continue;
                    if (e is DirectoryInfo d)
                    {
                        // Junctions and directory symlinks can loop or leave the source; their targets are backed up on their own.
                        if ((d.Attributes & FileAttributes.ReparsePoint) != 0) { _reporter.Verbose($"Skipping link '{d.FullName}'."); continue; }
                        stack.Push((d, childRel));
                    }
                    else if (e is FileInfo f)
                    {
                        files.Add(new SourceFile(f, childRel));
                    }
                }
            }
        }

        static void Unreadable(string path, Exception ex, ConcurrentQueue<string> warnings, bool strict, string what)
        {
            if (strict)
                throw new DrToolsException(BackupErrorIds.FileUnreadable, DrErrorCategory.ReadError,
                    $"Cannot read the {what} '{path}': {ex.Message} (-Strict: no backup set was written).", path,
                    "Close the program that locks it or grant read access, or run without -Strict to back up everything else.", ex);
            warnings.Enqueue($"Skipped {what} '{path}': {ex.Message}");
        }

        static async Task<BackupManifest?> FindPreviousAsync(BackupRepository repo, List<string> sources, CancellationToken ct)
        {
            var key = string.Join("\n", sources.OrderBy(s => s, StringComparer.OrdinalIgnoreCase));
            foreach (var id in (await repo.ListSetIdsAsync(ct).ConfigureAwait(false)).Reverse())
            {
                BackupManifest m;
                try { m = await repo.ReadManifestAsync(id, ct).ConfigureAwait(false); }
                catch (DrToolsException ex) when (ex.ErrorId == BackupErrorIds.IntegrityError) { continue; }
                if (string.Equals(string.Join("\n", m.SourcePaths.OrderBy(s => s, StringComparer.OrdinalIgnoreCase)), key, StringComparison.OrdinalIgnoreCase))
                    return m;
            }
            return null;
        }

        /// <summary>One backup run's shared state: the chunk table, the upload throttle and the counters.</summary>
        sealed class Run
        {
            readonly BackupRepository _repo;
            readonly IOperationReporter _reporter;
            readonly BackupOptions _options;
            readonly List<SourceFile> _files;
            readonly Dictionary<string, StoredObject> _listed;
            readonly Dictionary<string, ManifestFile> _previous;
            readonly ConcurrentQueue<string> _warnings;
            readonly ConcurrentDictionary<string, Task> _chunks = new(StringComparer.OrdinalIgnoreCase);
            readonly SemaphoreSlim _uploads;
            readonly Stopwatch _clock = Stopwatch.StartNew();
            readonly long _totalBytes;
            readonly int _concurrency;
            long _doneBytes, _doneFiles, _newBytes, _newChunks, _lastReportMs = -1000;

            public Run(BackupRepository repo, IOperationReporter reporter, BackupOptions options, List<SourceFile> files,
                Dictionary<string, StoredObject> listed, BackupManifest? previous, ConcurrentQueue<string> warnings)
            {
                _repo = repo;
                _reporter = reporter;
                _options = options;
                _files = files;
                _listed = listed;
                _previous = previous?.Files.ToDictionary(f => f.Path, StringComparer.Ordinal) ?? new Dictionary<string, ManifestFile>();
                _warnings = warnings;
                _concurrency = options.ConcurrentRequests ?? BackupOptions.DefaultConcurrency(repo.Store);
                _uploads = new SemaphoreSlim(Math.Max(1, _concurrency));
                _totalBytes = files.Sum(f => f.Info.Length);
            }

            public long NewBytes => Interlocked.Read(ref _newBytes);
            public long NewChunks => Interlocked.Read(ref _newChunks);

            public async Task<List<ManifestFile>> ExecuteAsync(CancellationToken ct)
            {
                var results = new ConcurrentBag<ManifestFile>();
                await ParallelWork.ForEachAsync(_files, _concurrency, async (file, token) =>
                {
                    var entry = await BackupFileAsync(file, token).ConfigureAwait(false);
                    if (entry != null) results.Add(entry);
                    Interlocked.Increment(ref _doneFiles);
                    Report(false);
                }, ct).ConfigureAwait(false);
                Report(true);
                return results.ToList();
            }

            async Task<ManifestFile?> BackupFileAsync(SourceFile file, CancellationToken ct)
            {
                var info = file.Info;
                info.Refresh();
                if (_previous.TryGetValue(file.RelativePath, out var prev) && prev.Size == info.Length &&
                    prev.MTime == info.LastWriteTimeUtc && prev.Chunks.All(_listed.ContainsKey))
                {
                    Interlocked.Add(ref _doneBytes, info.Length);
                    return new ManifestFile { Path = prev.Path, Size = prev.Size, MTime = prev.MTime, Attributes = (int)info.Attributes, Sha256 = prev.Sha256, Chunks = prev.Chunks };
                }

                var pending = new List<Task>();
                var chunkNames = new List<string>();
                long size = 0;
                var mtime = info.LastWriteTimeUtc;
                using var fileHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                try
                {
                    // ReadWrite sharing: files another program is appending to (logs) are still backed up as of now.
                    using var stream = new FileStream(info.FullName, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
                    var reader = _repo.Chunker.Read(stream);
                    using var sha = SHA256.Create();
                    PooledChunk? chunk;
                    while ((chunk = await reader.NextPooledAsync(ct).ConfigureAwait(false)) != null)
                    {
                        var length = chunk.Length;
                        fileHash.AppendData(chunk.Array, 0, length);
                        var digest = sha.ComputeHash(chunk.Array, 0, length);
                        var name = Json.Hex(digest);
                        chunkNames.Add(name);
                        size += length;
                        pending.Add(await EnsureStoredAsync(name, chunk, digest, ct).ConfigureAwait(false));
                        Interlocked.Add(ref _doneBytes, length);
                        Report(false);
                    }
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException && !DiskSpace.IsDiskFull(ex))
                {
                    Unreadable(info.FullName, ex, _warnings, _options.Strict, "file");
                    return null;
                }
                // The file's chunks must all be stored before it can be listed in the manifest.
                await Task.WhenAll(pending).ConfigureAwait(false);
                return new ManifestFile
                {
                    Path = file.RelativePath,
                    Size = size,
                    MTime = mtime,
                    Attributes = (int)info.Attributes,
                    Sha256 = Json.Hex(fileHash.GetHashAndReset()),
                    Chunks = chunkNames,
                };
            }

            /// <summary>
            /// Starts the chunk's upload unless it is stored or being stored; waits for an upload slot first so memory
            /// stays bounded. Takes the chunk's pooled array: returned here, or by the upload once it is sent.
            /// </summary>
            async Task<Task> EnsureStoredAsync(string name, PooledChunk chunk, byte[] digest, CancellationToken ct)
            {
                if (_listed.ContainsKey(name)) { chunk.Return(); return Task.CompletedTask; }
                if (_chunks.TryGetValue(name, out var existing)) { chunk.Return(); return existing; }
                var done = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                if (!_chunks.TryAdd(name, done.Task)) { chunk.Return(); return _chunks[name]; }
                try
                {
                    await _uploads.WaitAsync(ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    done.TrySetCanceled();
                    chunk.Return();
                    throw;
                }
                _ = UploadAsync(name, chunk, digest, done, ct);
                return done.Task;
            }

            async Task UploadAsync(string name, PooledChunk chunk, byte[] digest, TaskCompletionSource<bool> done, CancellationToken ct)
            {
                try
                {
                    await _repo.Store.PutAsync(BackupRepository.ChunkKey(name), chunk.Array, chunk.Length, digest, ct).ConfigureAwait(false);
                    Interlocked.Add(ref _newBytes, chunk.Length);
                    Interlocked.Increment(ref _newChunks);
                    done.TrySetResult(true);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    done.TrySetCanceled();
                }
                catch (Exception ex)
                {
                    done.TrySetException(ex);
                }
                finally
                {
                    // The store is done with the bytes (sent, or the request is over): the array can be reused.
                    chunk.Return();
                    _uploads.Release();
                }
            }

            void Report(bool final)
            {
                var now = _clock.ElapsedMilliseconds;
                var last = Interlocked.Read(ref _lastReportMs);
                if (!final && (now - last < 500 || Interlocked.CompareExchange(ref _lastReportMs, now, last) != last)) return;
                var done = Interlocked.Read(ref _doneBytes);
                var rate = done / Math.Max(0.001, _clock.Elapsed.TotalSeconds);
                var remaining = rate > 0 ? TimeSpan.FromSeconds((_totalBytes - done) / rate) : (TimeSpan?)null;
                var percent = _totalBytes == 0 ? 100 : (int)(done * 100 / _totalBytes);
                _reporter.Progress(new ProgressUpdate(ProgressId, "Invoke-DrBackup",
                    $"{Interlocked.Read(ref _doneFiles)}/{_files.Count} files, {Units.Bytes(done)}/{Units.Bytes(_totalBytes)}, {Units.Bytes(rate)}/s, {Units.Bytes(NewBytes)} uploaded")
                {
                    PercentComplete = Math.Min(100, percent),
                    Remaining = remaining,
                });
            }
        }
    }
}
