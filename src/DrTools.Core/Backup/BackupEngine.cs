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
using DrTools.Core.Backup.Packs;
using DrTools.Core.Backup.Storage;
using DrTools.Core.Diagnostics;

namespace DrTools.Core.Backup
{
    /// <summary>
    /// Backs files up into a repository: walks the sources, skips files unchanged since the previous set of the same
    /// sources (size and mtime), chunks the rest, packs only chunks the repository lacks (compressed, uploaded in
    /// parallel, bounded), and writes index and manifest last, so an interrupted run leaves no set and the next run
    /// reuses its packs (they are found by their own headers).
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

        /// <summary>Skip FIFOs, sockets and devices (<see cref="SourceFileKind"/>); tests turn it off to reach the open timeout.</summary>
        internal bool CheckFileType { get; set; } = true;

        /// <summary>How long opening one source file may take (a FIFO that slipped past the check blocks in the open).</summary>
        internal TimeSpan OpenTimeout { get; set; } = TimeSpan.FromSeconds(30);

        /// <summary>Test hooks by full path, run just before a source file is looked at again and read (e.g. to delete it).</summary>
        internal static readonly ConcurrentDictionary<string, Func<CancellationToken, Task>> BeforeReadHooks = new(StringComparer.Ordinal);

        /// <summary>
        /// A file the walk found: its path in the set and the size the walk saw (for progress). No FileInfo and no full
        /// path string are kept per file (about 300 bytes a file at 500 000 files; issue 16): the full path is made from
        /// the source's when the file is read, and the file is looked at afresh then anyway.
        /// </summary>
        sealed class SourceFile
        {
            readonly string _base;
            readonly int _rootLength;

            /// <param name="sourceFull">The source's full path (a folder, or the file itself when the source is one file).</param>
            /// <param name="root">The source's name in the set (the first segment of every relative path).</param>
            public SourceFile(string sourceFull, string root, string relativePath, long length)
            {
                _base = sourceFull;
                _rootLength = root.Length;
                RelativePath = relativePath;
                Length = length;
            }

            public string RelativePath { get; }
            public long Length { get; }

            /// <summary>The same path the walk's FileInfo had: the source's full path joined with the rest of the relative path.</summary>
            public string FullPath => RelativePath.Length == _rootLength ? _base
                : _base.TrimEnd('/', '\\') + RelativePath.Substring(_rootLength).Replace('/', Path.DirectorySeparatorChar);
        }

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
                _reporter.Verbose($"{files.Count} file(s), {Units.Bytes(files.Sum(f => f.Length))} to back up from {string.Join(", ", sources.Select(s => s.Full))}.");

                var sourceKey = sources.Select(s => s.Full).ToList();
                var index = await repo.LoadIndexAsync(_reporter, ct).ConfigureAwait(false);
                var previous = await FindPreviousAsync(repo, sourceKey, ct).ConfigureAwait(false);
                if (previous != null)
                {
                    // A damaged folder of the previous set only means its files are read again; its tree is stored anew.
                    await repo.LoadFilesAsync(previous, index, ct).ConfigureAwait(false);
                    foreach (var lost in previous.DamagedFolders)
                        _reporter.Warning($"{lost.Error.Message} This backup reads the folder's files again and stores its file list anew.");
                }
                await repo.RemoveLeftoverTemporariesAsync(myLock, _reporter, ct).ConfigureAwait(false);
                _reporter.Verbose($"The repository holds {index.Count} chunk(s) in {index.StoredPacks.Count} pack(s)" + (previous != null ? $"; comparing with backup set {previous.Id}." : "; no previous backup set of these paths."));

                var writer = new PackWriter(repo.Store, BlobKind.Data, options.ConcurrentRequests ?? BackupOptions.DefaultConcurrency(repo.Store), ct, options.PackTargetSize);
                List<ManifestFile> entries;
                List<PackContents> packs;
                var run = new Run(repo, _reporter, options, files, index, writer, previous, warnings, CheckFileType, OpenTimeout);
                try
                {
                    entries = await run.ExecuteAsync(ct).ConfigureAwait(false);
                    packs = await writer.FinishAsync(ct).ConfigureAwait(false);
                }
                finally
                {
                    // Nothing may still be writing once the lock goes (also after a failure or Ctrl+C).
                    await writer.DrainAsync().ConfigureAwait(false);
                }

                ct.ThrowIfCancellationRequested();
                WarnOfWindowsNames(entries, warnings);
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
                    NewBytes = writer.RawBytes,
                    NewChunks = writer.Blobs,
                    UploadedBytes = writer.UploadedBytes,
                    Warnings = warnings.ToList(),
                };
                // Every chunk the manifest names is now stored and verified (awaited above): index the new packs (and
                // packs earlier interrupted runs left unindexed, whose chunks this set may reuse), then publish the set.
                // Damaged copies this run met are recorded first, so every later reader prefers the copies stored now.
                await DamageRecords.RecordNewAsync(repo.Store, index, _reporter, ct).ConfigureAwait(false);
                await repo.WriteManifestAsync(manifest, packs.Concat(index.Unindexed).ToList(), index, ct).ConfigureAwait(false);
                _reporter.Progress(new ProgressUpdate(ProgressId, "Invoke-DrBackup", "Done") { Completed = true });
                foreach (var w in manifest.Warnings) _reporter.Warning(w);
                _reporter.Verbose($"Backup set {manifest.Id}: {manifest.FileCount} file(s), {Units.Bytes(manifest.TotalBytes)}, {Units.Bytes(manifest.NewBytes)} new ({Units.Bytes(manifest.UploadedBytes)} stored after compression), in {clock.Elapsed.TotalSeconds:0.0} s.");
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
                files.Add(new SourceFile(full, root, root, new FileInfo(full).Length));
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
                        files.Add(new SourceFile(full, root, childRel, f.Length));
                    }
                }
            }
        }

        static void Unreadable(string path, Exception ex, ConcurrentQueue<string> warnings, bool strict, string what)
        {
            // A file or folder deleted between the walk and its read: say so rather than "could not find".
            var vanished = ex is FileNotFoundException or DirectoryNotFoundException;
            var reason = vanished ? "it was deleted while the backup ran" : ex.Message;
            if (strict)
                throw new DrToolsException(BackupErrorIds.FileUnreadable, DrErrorCategory.ReadError,
                    $"Cannot read the {what} '{path}': {reason} (-Strict: no backup set was written).", path,
                    vanished ? "Run the backup again when the files are no longer changing, or run without -Strict to back up the files that exist."
                        : "Close the program that locks it or grant read access, or run without -Strict to back up everything else.", ex);
            warnings.Enqueue($"Skipped {what} '{path}': {reason.TrimEnd('.')}.");
        }

        const int MaxNamesListed = 20;

        /// <summary>One warning naming the files whose names Windows cannot hold: they restore on Linux and macOS only.</summary>
        static void WarnOfWindowsNames(List<ManifestFile> entries, ConcurrentQueue<string> warnings)
        {
            var names = entries.Where(e => PathSafety.NameProblem(e.Path, windows: true) != null).Select(e => e.Path)
                .OrderBy(p => p, StringComparer.Ordinal).ToList();
            if (names.Count == 0) return;
            var listed = string.Join(", ", names.Take(MaxNamesListed).Select(n => $"'{n}'")) + (names.Count > MaxNamesListed ? $" and {names.Count - MaxNamesListed} more" : "");
            warnings.Enqueue($"{names.Count} file(s) have names Windows cannot hold (reserved device names, ':' '\\' and other characters Windows forbids, a trailing dot or space): {listed}. " +
                "They are backed up and restore on Linux and macOS; a restore on Windows skips each of them with DrTools.UnsafePath.");
        }

        static async Task<BackupManifest?> FindPreviousAsync(BackupRepository repo, List<string> sources, CancellationToken ct)
        {
            var key = string.Join("\n", sources.OrderBy(s => s, StringComparer.OrdinalIgnoreCase));
            foreach (var id in (await repo.ListSetIdsAsync(ct).ConfigureAwait(false)).Reverse())
            {
                BackupManifest m;
                try { m = await repo.ReadManifestHeaderAsync(id, ct).ConfigureAwait(false); }
                catch (DrToolsException ex) when (ex.ErrorId == BackupErrorIds.IntegrityError) { continue; }
                if (string.Equals(string.Join("\n", m.SourcePaths.OrderBy(s => s, StringComparer.OrdinalIgnoreCase)), key, StringComparison.OrdinalIgnoreCase))
                    return m;
            }
            return null;
        }

        /// <summary>One backup run's shared state: the chunk table, the pack writer and the counters.</summary>
        sealed class Run
        {
            readonly BackupRepository _repo;
            readonly IOperationReporter _reporter;
            readonly BackupOptions _options;
            readonly List<SourceFile> _files;
            readonly RepositoryIndex _index;
            readonly PackWriter _writer;
            readonly Dictionary<string, ManifestFile> _previous;
            readonly ConcurrentQueue<string> _warnings;
            readonly bool _checkFileType;
            readonly TimeSpan _openTimeout;
            // Chunks this run packed, by binary key (a hex string per new chunk was about 150 bytes; issue 16).
            readonly ConcurrentDictionary<BlobKey, byte> _added = new();
            readonly Stopwatch _clock = Stopwatch.StartNew();
            readonly long _totalBytes;
            long _doneBytes, _doneFiles, _lastReportMs = -1000;

            public Run(BackupRepository repo, IOperationReporter reporter, BackupOptions options, List<SourceFile> files,
                RepositoryIndex index, PackWriter writer, BackupManifest? previous, ConcurrentQueue<string> warnings, bool checkFileType, TimeSpan openTimeout)
            {
                _checkFileType = checkFileType;
                _openTimeout = openTimeout;
                _repo = repo;
                _reporter = reporter;
                _options = options;
                _files = files;
                _index = index;
                _writer = writer;
                _previous = previous?.Files.ToDictionary(f => f.Path, StringComparer.Ordinal) ?? new Dictionary<string, ManifestFile>();
                _warnings = warnings;
                _totalBytes = files.Sum(f => f.Length);
            }

            /// <summary>Files read at once: enough to keep both the disk and every core busy (chunking, hashing, compressing).</summary>
            static int ReadWorkers => Math.Max(2, Math.Min(8, Environment.ProcessorCount * 2));

            public async Task<List<ManifestFile>> ExecuteAsync(CancellationToken ct)
            {
                var results = new ConcurrentBag<ManifestFile>();
                await ParallelWork.ForEachAsync(_files, ReadWorkers, async (file, token) =>
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
                var fullPath = file.FullPath;
                if (BeforeReadHooks.TryGetValue(fullPath, out var hook)) await hook(ct).ConfigureAwait(false);
                var info = new FileInfo(fullPath); // looked at now, not as the walk saw it
                if (!info.Exists)
                {
                    Unreadable(info.FullName, new FileNotFoundException(null, info.FullName), _warnings, _options.Strict, "file");
                    return null;
                }
                if (_previous.TryGetValue(file.RelativePath, out var prev) && prev.Size == info.Length &&
                    prev.MTime == info.LastWriteTimeUtc && prev.Chunks.All(_index.Contains))
                {
                    Interlocked.Add(ref _doneBytes, info.Length);
                    return new ManifestFile { Path = prev.Path, Size = prev.Size, MTime = prev.MTime, Attributes = (int)info.Attributes, Sha256 = prev.Sha256, Chunks = prev.Chunks };
                }

                // Never opened: a FIFO would block the open, a device like /dev/zero never ends. Skipped even under
                // -Strict: there is no content to back up, and that is not a failure to read.
                if (_checkFileType && SourceFileKind.NotRegular(info.FullName) is { } kind)
                {
                    _warnings.Enqueue($"Skipped '{info.FullName}': it is {kind}, not a regular file.");
                    return null;
                }
                if (info.Length > _repo.Chunker.Parameters.MaxSize) return await BackupLargeFileAsync(file, info, ct).ConfigureAwait(false);
                var chunkNames = new List<string>();
                long size = 0;
                var mtime = info.LastWriteTimeUtc;
                using var fileHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                PooledChunk? first = null;
                try
                {
                    using var stream = await OpenSourceAsync(info, ct).ConfigureAwait(false);
                    using var reader = _repo.Chunker.Read(stream);
                    using var sha = SHA256.Create();
                    PooledChunk? chunk;
                    while ((chunk = await reader.NextPooledAsync(ct).ConfigureAwait(false)) != null)
                    {
                        var length = chunk.Length;
                        // A one-chunk file's SHA-256 is its chunk's: hash the file separately only once a second chunk comes.
                        if (chunkNames.Count == 1 && first != null)
                        {
                            fileHash.AppendData(first.Array, 0, first.Length);
                            first.Return();
                            first = null;
                        }
                        if (chunkNames.Count >= 1) fileHash.AppendData(chunk.Array, 0, length);
                        var hash = sha.ComputeHash(chunk.Array, 0, length);
                        var name = Json.Hex(hash);
                        chunkNames.Add(name);
                        size += length;
                        if (!_index.Contains(name) && _added.TryAdd(BlobKey.FromBytes(hash, 0), 0))
                        {
                            try { await _writer.AddAsync(name, chunk.Array, length, ct).ConfigureAwait(false); }
                            catch
                            {
                                chunk.Return();
                                throw;
                            }
                        }
                        if (chunkNames.Count == 1) first = chunk;
                        else chunk.Return();
                        Interlocked.Add(ref _doneBytes, length);
                        Report(false);
                    }
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException && !DiskSpace.IsDiskFull(ex))
                {
                    Unreadable(info.FullName, ex, _warnings, _options.Strict, "file");
                    return null;
                }
                finally
                {
                    first?.Return();
                }
                return new ManifestFile
                {
                    Path = file.RelativePath,
                    Size = size,
                    MTime = mtime,
                    Attributes = (int)info.Attributes,
                    Sha256 = chunkNames.Count == 1 ? chunkNames[0] : Json.Hex(fileHash.GetHashAndReset()),
                    Chunks = chunkNames,
                };
            }

            /// <summary>
            /// A file of several chunks: the reader only cuts chunks; hashing each chunk and packing it run on other
            /// cores (two chunks at a time), and the whole-file SHA-256 follows in order on a chain of its own. One
            /// large file (a VM disk, a database dump) is then not bound to one core.
            /// </summary>
            async Task<ManifestFile?> BackupLargeFileAsync(SourceFile file, FileInfo info, CancellationToken ct)
            {
                var mtime = info.LastWriteTimeUtc;
                var names = new List<string[]>();
                var work = new List<Task>();
                Task hashChain = Task.CompletedTask;
                long size = 0;
                using var window = new SemaphoreSlim(2);
                using var fileHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                using var failed = CancellationTokenSource.CreateLinkedTokenSource(ct);
                try
                {
                    using var stream = await OpenSourceAsync(info, failed.Token).ConfigureAwait(false);
                    using var reader = _repo.Chunker.Read(stream);
                    PooledChunk? chunk;
                    while ((chunk = await reader.NextPooledAsync(failed.Token).ConfigureAwait(false)) != null)
                    {
                        try { await window.WaitAsync(failed.Token).ConfigureAwait(false); }
                        catch
                        {
                            chunk.Return();
                            throw;
                        }
                        var c = chunk;
                        var name = new string[1];
                        names.Add(name);
                        size += c.Length;
                        // The array goes back once both the file hash and the chunk's own work are done with it.
                        var users = 2;
                        void Release()
                        {
                            if (Interlocked.Decrement(ref users) != 0) return;
                            c.Return();
                            window.Release();
                        }
                        hashChain = hashChain.ContinueWith(_ =>
                        {
                            try { fileHash.AppendData(c.Array, 0, c.Length); }
                            finally { Release(); }
                        }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
                        work.Add(Task.Run(async () =>
                        {
                            try
                            {
                                using var sha = SHA256.Create();
                                var hash = sha.ComputeHash(c.Array, 0, c.Length);
                                name[0] = Json.Hex(hash);
                                if (!_index.Contains(name[0]) && _added.TryAdd(BlobKey.FromBytes(hash, 0), 0))
                                    await _writer.AddAsync(name[0], c.Array, c.Length, failed.Token).ConfigureAwait(false);
                                Interlocked.Add(ref _doneBytes, c.Length);
                                Report(false);
                            }
                            catch
                            {
                                failed.Cancel();
                                throw;
                            }
                            finally { Release(); }
                        }));
                    }
                    await Task.WhenAll(work).ConfigureAwait(false);
                    await hashChain.ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException && !DiskSpace.IsDiskFull(ex))
                {
                    await DrainAsync(work, hashChain).ConfigureAwait(false);
                    Unreadable(info.FullName, ex, _warnings, _options.Strict, "file");
                    return null;
                }
                catch
                {
                    // Nothing may still use the file hash or the chunk arrays once this returns.
                    await DrainAsync(work, hashChain).ConfigureAwait(false);
                    ParallelWork.ThrowFirstFailure(work);
                    throw;
                }
                var chunkNames = names.Select(n => n[0]).ToList();
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
            /// ReadWrite sharing: files another program is appending to (logs) are still backed up as of now. No
            /// FileStream buffer (size 1): the chunker reads in large blocks, and a 64 KiB buffer per file was a third
            /// of a small-file backup's allocations.
            /// </summary>
            static FileStream OpenSource(FileInfo info) =>
                new(info.FullName, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);

            /// <summary>
            /// Opens on another thread, waiting at most the open timeout and never past Ctrl+C: a FIFO that got past the
            /// type check (or where the type cannot be told) blocks inside the open call itself. An abandoned open's
            /// stream is closed if it ever completes.
            /// </summary>
            async Task<FileStream> OpenSourceAsync(FileInfo info, CancellationToken ct)
            {
                var open = Task.Run(() => OpenSource(info));
                using (var stop = CancellationTokenSource.CreateLinkedTokenSource(ct))
                {
                    var first = await Task.WhenAny(open, Task.Delay(_openTimeout, stop.Token)).ConfigureAwait(false);
                    stop.Cancel(); // ends the timer
                    if (first == open) return await open.ConfigureAwait(false);
                }
                _ = open.ContinueWith(t => t.Result.Dispose(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
                ct.ThrowIfCancellationRequested();
                throw new IOException($"opening it did not complete within {_openTimeout.TotalSeconds:0.#} s (a FIFO or a device that blocks?)");
            }

            static async Task DrainAsync(List<Task> work, Task hashChain)
            {
                try { await Task.WhenAll(work.Append(hashChain)).ConfigureAwait(false); }
                catch (Exception) { /* the first failure is what the caller reports */ }
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
                    $"{Interlocked.Read(ref _doneFiles)}/{_files.Count} files, {Units.Bytes(done)}/{Units.Bytes(_totalBytes)}, {Units.Bytes(rate)}/s, {Units.Bytes(_writer.UploadedBytes)} uploaded")
                {
                    PercentComplete = Math.Min(100, percent),
                    Remaining = remaining,
                });
            }
        }
    }
}
