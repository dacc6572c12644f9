using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Backup.Packs;
using DrTools.Core.Backup.Storage;
using DrTools.Core.Diagnostics;

namespace DrTools.Core.Backup
{
    public sealed class RestoreOptions
    {
        public string Destination { get; set; } = "";
        public IReadOnlyList<string> Include { get; set; } = Array.Empty<string>();

        /// <summary>Replace files (and links) that already exist at the destination (-Overwrite).</summary>
        public bool Overwrite { get; set; }

        public int ConcurrentRequests { get; set; } = 4;
    }

    /// <summary>A file that was not restored (or, for Test-DrRestore, failed verification), and why.</summary>
    public sealed class RestoreFailure
    {
        public RestoreFailure(string path, DrToolsException error)
        {
            Path = path;
            Error = error;
        }

        public string Path { get; }
        public string ErrorId => Error.ErrorId;
        public string Message => Error.Message;
        public DrToolsException Error { get; }
        public override string ToString() => $"{Path}: {Message}";
    }

    public sealed class RestoreResult
    {
        public string BackupSetId { get; init; } = "";
        public DateTime BackupTime { get; init; }
        public string Repository { get; init; } = "";
        public string Destination { get; init; } = "";
        public long FilesRestored { get; init; }
        public long BytesRestored { get; init; }
        public long FilesFailed => Failures.Length;
        public RestoreFailure[] Failures { get; init; } = Array.Empty<RestoreFailure>();
        public TimeSpan Duration { get; init; }
        public bool Succeeded => Failures.Length == 0;

        /// <summary>Folders whose file list (tree) is damaged, so none of their files was restored (each is also in <see cref="Failures"/>).</summary>
        public string[] DamagedFolders { get; init; } = Array.Empty<string>();
    }

    /// <summary>
    /// Restores a backup set. Blobs are read pack by pack (few requests), and each is written at its offset into a
    /// temporary file next to its destination. A file whose blobs have all arrived is flushed to disk, checked
    /// against the manifest's size and SHA-256 (a file of several chunks is re-read for that), given its timestamp,
    /// and only then renamed into place. A file that fails (corrupt or missing chunk, existing file without Overwrite)
    /// leaves nothing behind and the others go on; a full disk or Ctrl+C stops it all and removes every partial file.
    /// </summary>
    public sealed class RestoreEngine
    {
        const int ProgressId = 42;
        readonly BackupRepository _repo;
        readonly IOperationReporter _reporter;

        public RestoreEngine(BackupRepository repo, IOperationReporter reporter)
        {
            _repo = repo;
            _reporter = reporter;
        }

        /// <summary>Opens a temporary file for writing (created on first use); tests substitute a failing stream (disk full).</summary>
        internal Func<string, Stream> OpenTemp { get; set; } =
            path => new FileStream(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous); // whole blobs: no buffer

        /// <summary>Apply Windows' name rules (<see cref="PathSafety.NameProblem"/>); tests set it to check them on any OS.</summary>
        internal bool WindowsNames { get; set; } = PathSafety.WindowsNames;

        /// <summary>
        /// True for the name of a temporary file a restore writes (<see cref="RestoreTempName"/>), or one that a restore
        /// of an earlier DrTools build left (the marker, 12 hex digits, '-', the file's name). The cleanup of leftovers
        /// deletes only names that match.
        /// </summary>
        internal static bool IsTemporaryName(string name) =>
            RestoreTempName.IsMatch(name) ||
            (name.StartsWith(RestoreTempName.Prefix, StringComparison.Ordinal) && name.Length > RestoreTempName.Prefix.Length + 13 &&
             name[RestoreTempName.Prefix.Length + 12] == '-' && name.Substring(RestoreTempName.Prefix.Length, 12).All(Uri.IsHexDigit));

        /// <summary>Files (and bytes) checked and waiting under temporary names before one flush to disk and their renames.</summary>
        const int CommitBatchFiles = 1000;
        const long CommitBatchBytes = 64L << 20;

        /// <summary>The set with <paramref name="id"/>, or the newest set taken at or before <paramref name="pointInTime"/> (header only).</summary>
        public static async Task<BackupManifest> SelectAsync(BackupRepository repo, string? id, DateTime? pointInTime, CancellationToken ct)
        {
            if (!string.IsNullOrEmpty(id)) return await repo.ReadManifestHeaderAsync(id!, ct).ConfigureAwait(false);
            var when = (pointInTime ?? DateTime.UtcNow).ToUniversalTime();
            var catalog = await repo.ReadCatalogAsync(ct).ConfigureAwait(false);
            BackupManifest? best = null;
            foreach (var m in catalog.Sets)
                if (m.Time <= when && (best == null || m.Time > best.Time)) best = m;
            // A damaged set is the one asked for: say so rather than restore an older one without a word.
            if (catalog.DamagedNewerThan(best, notAfter: when) is { } damaged) throw damaged.Error;
            return best ?? throw new DrToolsException(BackupErrorIds.BackupSetNotFound, DrErrorCategory.ObjectNotFound,
                $"Repository {repo.Location} has no backup set taken at or before {when:u}.", when,
                "Run Get-DrBackup -Repository to see which backup sets exist.");
        }

        /// <summary>One file being restored: where its blobs go, and how many are still to come.</summary>
        sealed class FileJob
        {
            public FileJob(ManifestFile file, string target, string tempName)
            {
                File = file;
                Target = target;
                Temp = tempName.Length == 0 ? "" : Path.Combine(Path.GetDirectoryName(target)!, tempName);
                Remaining = file.Chunks.Count;
            }

            public ManifestFile File { get; }
            public string Target { get; }
            public string Temp { get; }
            public SemaphoreSlim Gate { get; } = new(1, 1);
            public int Remaining { get; set; }
            public long Written { get; set; }

            // The whole-file SHA-256, computed as blobs arrive in order; blobs that arrive early wait in Early (up to
            // MaxEarlyBytes), after which the file is hashed by re-reading it once complete.
            public IncrementalHash? Hash { get; set; }
            public long HashedTo { get; set; }
            public SortedDictionary<long, byte[]>? Early { get; set; }
            public long EarlyBytes { get; set; }
            public bool Done { get; set; }
            public DrToolsException? Failure { get; set; }
        }

        public async Task<RestoreResult> RestoreAsync(BackupManifest manifest, RestoreOptions options, CancellationToken ct)
        {
            // A read lock: no prune deletes or rewrites a pack while the restore reads (no false "missing").
            var readLock = await _repo.AcquireReadLockAsync(_reporter, ct, reader: "restore").ConfigureAwait(false);
            try { return await RestoreUnderLockAsync(manifest, options, ct).ConfigureAwait(false); }
            finally { await readLock.ReleaseAsync().ConfigureAwait(false); }
        }

        async Task<RestoreResult> RestoreUnderLockAsync(BackupManifest manifest, RestoreOptions options, CancellationToken ct)
        {
            var clock = Stopwatch.StartNew();
            if (string.IsNullOrWhiteSpace(options.Destination))
                throw BackupErrors.InvalidArgument("No restore destination was given.", null, "Pass -Destination with a folder.");
            var destination = Path.GetFullPath(options.Destination);
            _destination = new RestoreDestination(destination, options.Overwrite, _reporter);
            var tempNames = new RestoreTempName();
            var index = await _repo.LoadIndexAsync(_reporter, ct).ConfigureAwait(false);
            await _repo.LoadFilesAsync(manifest, index, ct).ConfigureAwait(false);
            var include = new GlobSet(options.Include);
            // Check every selected path before writing anything: a path that could leave the destination restores
            // nothing. A name this OS cannot hold fails only its file, and is never given to a path API (no target).
            var work = manifest.Files.Where(f => include.IsEmpty || include.MatchesSelfOrParent(f.Path))
                .Select(f => (File: f, NameProblem: PathSafety.Problem(f.Path) == null ? PathSafety.NameProblem(f.Path, WindowsNames) : null))
                .Select(w => (w.File, w.NameProblem, Target: w.NameProblem == null ? PathSafety.Resolve(destination, w.File.Path, manifest.Id) : null)).ToList();
            // Folders whose file list is damaged: everything else is restored, and each one -Include could select is named.
            var lostFolders = manifest.DamagedFolders.Where(d => include.IsEmpty || include.CouldMatchInside(d.Path)).ToList();
            if (!include.IsEmpty && work.Count == 0 && lostFolders.Count == 0)
                _reporter.Warning($"No file in backup set {manifest.Id} matches -Include {string.Join(", ", options.Include)}.");

            try { Directory.CreateDirectory(destination); }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw FolderStore.WriteError(ex, destination);
            }
            RemoveLeftoverTemporaries(destination, work.Where(w => w.Target != null).Select(w => w.Target!));

            var failures = new ConcurrentQueue<RestoreFailure>();
            foreach (var lost in lostFolders)
            {
                failures.Enqueue(new RestoreFailure(lost.Path, lost.Error));
                _reporter.Verbose($"Not restored: {lost.Error.Message}");
            }
            long files = 0, bytes = 0, doneBytes = 0, lastReport = -1000;
            var total = work.Sum(w => w.File.Size);
            var jobs = new List<FileJob>();
            var users = new Dictionary<string, List<(FileJob Job, long Offset)>>(StringComparer.Ordinal);

            void Fail(FileJob job, DrToolsException error)
            {
                if (job.Done || job.Failure != null) return;
                job.Failure = error;
                TryDelete(job.Temp);
                failures.Enqueue(new RestoreFailure(job.File.Path, error));
                _reporter.Verbose($"Not restored: {job.File.Path}: {error.Message}");
            }

            void Report()
            {
                var now = clock.ElapsedMilliseconds;
                var last = Interlocked.Read(ref lastReport);
                if (now - last < 500 || Interlocked.CompareExchange(ref lastReport, now, last) != last) return;
                var d = Interlocked.Read(ref doneBytes);
                var rate = d / Math.Max(0.001, clock.Elapsed.TotalSeconds);
                _reporter.Progress(new ProgressUpdate(ProgressId, $"Restoring backup set {manifest.Id}",
                    $"{Interlocked.Read(ref files)}/{work.Count} files, {Units.Bytes(d)}/{Units.Bytes(total)}, {Units.Bytes(rate)}/s")
                {
                    PercentComplete = total == 0 ? 100 : (int)Math.Min(100, d * 100 / total),
                    Remaining = rate > 0 ? TimeSpan.FromSeconds(Math.Max(0, total - d) / rate) : null,
                });
            }

            // Checked files wait here (complete, under their temporary names) until a batch is flushed to disk; only
            // then are they renamed into place, so a power cut never leaves a partial file under a final name.
            var ready = new List<FileJob>();
            long readyBytes = 0;
            var commitGate = new SemaphoreSlim(1, 1);
            var commits = new List<Task>();

            async Task WaitForCommitsAsync()
            {
                Task[] pending;
                lock (commits) pending = commits.ToArray();
                await Task.WhenAll(pending).ConfigureAwait(false);
            }

            async Task CompleteAsync(FileJob job, CancellationToken token)
            {
                var failure = await VerifyFileAsync(job, token).ConfigureAwait(false);
                if (failure != null)
                {
                    Fail(job, failure);
                    return;
                }
                bool full;
                lock (ready)
                {
                    ready.Add(job);
                    readyBytes += job.File.Size;
                    full = ready.Count >= CommitBatchFiles || readyBytes >= CommitBatchBytes;
                }
                // On another thread: the flush waits for the disk while the readers go on downloading and writing.
                if (full) lock (commits) commits.Add(Task.Run(() => CommitAsync(CancellationToken.None)));
            }

            async Task CommitAsync(CancellationToken token)
            {
                await commitGate.WaitAsync(token).ConfigureAwait(false);
                try
                {
                    List<FileJob> batch;
                    lock (ready)
                    {
                        batch = ready.ToList();
                        ready.Clear();
                        readyBytes = 0;
                    }
                    if (batch.Count == 0) return;
                    if (!DiskSync.TrySyncFileSystem(batch[0].Temp))
                        foreach (var job in batch) DiskSync.FlushFile(job.Temp);
                    foreach (var job in batch)
                    {
                        var failure = Commit(job, options.Overwrite);
                        if (failure != null) Fail(job, failure);
                        else
                        {
                            job.Done = true;
                            Interlocked.Increment(ref files);
                            Interlocked.Add(ref bytes, job.File.Size);
                        }
                    }
                }
                finally
                {
                    commitGate.Release();
                }
            }

            try
            {
                foreach (var (file, nameProblem, resolved) in work)
                {
                    var job = new FileJob(file, resolved ?? file.Path, resolved == null ? "" : tempNames.Next());
                    jobs.Add(job);
                    if (resolved == null)
                    {
                        Fail(job, PathSafety.NameRefused(file.Path, nameProblem!));
                        continue;
                    }
                    var target = resolved;
                    // Never through a link: without -Overwrite a link where a folder goes refuses the file (with it, the
                    // link is replaced by a real folder when the folder is prepared).
                    if (!options.Overwrite && _destination.FindLink(Path.GetDirectoryName(target)!) is { } link)
                    {
                        Fail(job, RestoreDestination.LinkRefused(link, file.Path));
                        continue;
                    }
                    if (!options.Overwrite && RestoreDestination.Attributes(target) != null)
                    {
                        Fail(job, new DrToolsException(BackupErrorIds.FileExists, DrErrorCategory.ResourceExists,
                            $"'{target}' already exists; it was not overwritten.", target,
                            "Restore into an empty folder, or add -Overwrite to replace existing files with the backed-up version."));
                        continue;
                    }
                    long offset = 0;
                    foreach (var chunk in file.Chunks)
                    {
                        if (!index.TryFind(chunk, out var location))
                        {
                            Fail(job, BackupErrors.ChunkMissing(chunk, file.Path));
                            break;
                        }
                        if (!users.TryGetValue(chunk, out var list)) users[chunk] = list = new List<(FileJob, long)>();
                        list.Add((job, offset));
                        offset += location.Entry.RawLength;
                    }
                }
                foreach (var job in jobs.Where(j => j.Failure == null && j.Remaining == 0)) await CompleteAsync(job, ct).ConfigureAwait(false);

                var needed = users.Where(kv => kv.Value.Any(u => u.Job.Failure == null)).Select(kv => kv.Key).ToList();
                // A chunk used only by files of several chunks is checked by those files' whole SHA-256 (a damaged
                // chunk fails the file all the same); hashing it on its own as well was a second pass over most bytes.
                var checkedByFile = new HashSet<string>(needed.Where(id => users[id].All(u => u.Job.File.Chunks.Count > 1)), StringComparer.Ordinal);
                await new BlobReader(_repo.Store, index).ReadAsync(needed, options.ConcurrentRequests, async (id, raw, token) =>
                {
                    foreach (var (job, offset) in users[id])
                    {
                        await job.Gate.WaitAsync(token).ConfigureAwait(false);
                        try
                        {
                            if (job.Failure != null || job.Done) continue;
                            var error = await WriteBlobAsync(job, offset, raw, token).ConfigureAwait(false);
                            if (error != null) { Fail(job, error); continue; }
                            HashInOrder(job, offset, raw);
                            Interlocked.Add(ref doneBytes, raw.Count);
                            if (--job.Remaining == 0) await CompleteAsync(job, token).ConfigureAwait(false);
                        }
                        finally
                        {
                            job.Gate.Release();
                        }
                    }
                    Report();
                }, (id, error) =>
                {
                    if (!users.TryGetValue(id, out var list)) return;
                    foreach (var (job, _) in list)
                    {
                        job.Gate.Wait();
                        try
                        {
                            Fail(job, error.ErrorId == BackupErrorIds.ChunkMissing
                                ? new DrToolsException(error.ErrorId, error.Category, $"{error.Message} '{job.File.Path}' needs it and was not restored.", job.File.Path, error.RecommendedAction ?? "")
                                : BackupErrors.Integrity($"'{job.File.Path}' was not restored: {error.Message}", job.File.Path, error));
                        }
                        finally
                        {
                            job.Gate.Release();
                        }
                    }
                }, ct, checkedByFile).ConfigureAwait(false);
                await WaitForCommitsAsync().ConfigureAwait(false);
                await CommitAsync(ct).ConfigureAwait(false);
                foreach (var job in jobs.Where(j => !j.Done && j.Failure == null))
                    Fail(job, BackupErrors.Integrity($"'{job.File.Path}' was not restored: not every chunk it needs was read.", job.File.Path));
            }
            catch (Exception ex) when (DiskSpace.IsDiskFull(ex) || ex is DrToolsException { ErrorId: BackupErrorIds.DiskFull })
            {
                var target = jobs.FirstOrDefault(j => !j.Done && j.Failure == null)?.Target ?? destination;
                throw new DrToolsException(BackupErrorIds.DiskFull, DrErrorCategory.WriteError,
                    $"The destination disk is full (restoring into '{destination}'). The restore stopped; partial files were removed, files already restored were kept.", target,
                    "Free space or choose another -Destination, then re-run; add -Overwrite or -Include to redo only what is missing.", ex);
            }
            finally
            {
                // Ctrl+C, a full disk or any other stop: no partial file stays behind (once no flush is renaming files).
                try { await WaitForCommitsAsync().ConfigureAwait(false); }
                catch (Exception) { /* already reported, or the restore is failing anyway */ }
                foreach (var job in jobs.Where(j => !j.Done)) TryDelete(job.Temp);
            }
            _reporter.Progress(new ProgressUpdate(ProgressId, $"Restoring backup set {manifest.Id}", "Done") { Completed = true });
            await DamageRecords.RecordNewAsync(_repo.Store, index, _reporter, ct).ConfigureAwait(false);
            return new RestoreResult
            {
                BackupSetId = manifest.Id,
                BackupTime = manifest.Time,
                Repository = _repo.Location,
                Destination = destination,
                FilesRestored = files,
                BytesRestored = bytes,
                Failures = failures.OrderBy(f => f.Path, StringComparer.Ordinal).ToArray(),
                Duration = clock.Elapsed,
                DamagedFolders = lostFolders.Select(d => d.Path).ToArray(),
            };
        }

        const long MaxEarlyBytes = 8L << 20;

        /// <summary>Feeds a multi-chunk file's SHA-256 with the blobs that continue it, holding early ones back.</summary>
        static void HashInOrder(FileJob job, long offset, ArraySegment<byte> raw)
        {
            if (job.File.Chunks.Count < 2) return;
            if (job.HashedTo == 0 && job.Hash == null && job.Early == null)
            {
                job.Hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                job.Early = new SortedDictionary<long, byte[]>();
            }
            if (job.Hash == null || job.Early == null) return; // fell back to re-reading
            if (offset != job.HashedTo)
            {
                if (offset < job.HashedTo || job.Early.ContainsKey(offset)) return; // the same chunk at a place already hashed
                if (job.EarlyBytes + raw.Count > MaxEarlyBytes)
                {
                    job.Hash.Dispose();
                    job.Hash = null;
                    job.Early = null;
                    return;
                }
                job.Early[offset] = raw.ToArray();
                job.EarlyBytes += raw.Count;
                return;
            }
            job.Hash.AppendData(raw.Array!, raw.Offset, raw.Count);
            job.HashedTo += raw.Count;
            while (job.Early.Count > 0 && job.Early.Keys.First() == job.HashedTo)
            {
                var next = job.Early[job.HashedTo];
                job.Early.Remove(job.HashedTo);
                job.EarlyBytes -= next.Length;
                job.Hash.AppendData(next);
                job.HashedTo += next.Length;
            }
        }

        // This restore's destination: its folders, prepared once each, never through a link.
        RestoreDestination _destination = null!;

        /// <summary>Writes one blob at its offset in the file's temporary copy; returns a per-file failure, throws on a full disk.</summary>
        async Task<DrToolsException?> WriteBlobAsync(FileJob job, long offset, ArraySegment<byte> raw, CancellationToken ct)
        {
            try
            {
                _destination.Ensure(Path.GetDirectoryName(job.Temp)!);
                using var output = OpenTemp(job.Temp);
                if (offset != 0) output.Seek(offset, SeekOrigin.Begin);
                await output.WriteAsync(raw.Array!, raw.Offset, raw.Count, ct).ConfigureAwait(false);
                job.Written += raw.Count;
                await output.FlushAsync(ct).ConfigureAwait(false);
                return null;
            }
            catch (Exception ex) when ((ex is IOException or UnauthorizedAccessException) && !DiskSpace.IsDiskFull(ex))
            {
                return WriteFailure(job, ex);
            }
            catch (DrToolsException ex) when (ex.ErrorId == BackupErrorIds.UnsafePath)
            {
                return ex;
            }
        }

        /// <summary>Checks the complete temporary file against the manifest and gives it its timestamp.</summary>
        async Task<DrToolsException?> VerifyFileAsync(FileJob job, CancellationToken ct)
        {
            var file = job.File;
            try
            {
                string actual;
                long size;
                if (file.Chunks.Count == 0)
                {
                    _destination.Ensure(Path.GetDirectoryName(job.Temp)!);
                    using (var empty = OpenTemp(job.Temp)) { }
                    actual = Json.Sha256Hex(Array.Empty<byte>(), 0);
                    size = 0;
                }
                else if (file.Chunks.Count == 1)
                {
                    // The one blob was checked against its name when it was read, and written whole.
                    actual = file.Chunks[0];
                    size = job.Written;
                }
                else if (job.Hash != null && job.HashedTo == job.Written)
                {
                    // Hashed in order as the blobs arrived (every blob was also checked against its name).
                    actual = Json.Hex(job.Hash.GetHashAndReset());
                    size = job.Written;
                    job.Hash.Dispose();
                    job.Hash = null;
                }
                else
                {
                    using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                    using var input = new FileStream(job.Temp, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
                    var buffer = LargeBuffers.Rent(1 << 20);
                    try
                    {
                        int n;
                        size = 0;
                        while ((n = await input.ReadAsync(buffer, 0, 1 << 20, ct).ConfigureAwait(false)) > 0)
                        {
                            hash.AppendData(buffer, 0, n);
                            size += n;
                        }
                    }
                    finally
                    {
                        LargeBuffers.Return(buffer);
                    }
                    actual = Json.Hex(hash.GetHashAndReset());
                }
                if (size != file.Size || !string.Equals(actual, file.Sha256, StringComparison.OrdinalIgnoreCase))
                {
                    TryDelete(job.Temp);
                    return BackupErrors.Integrity($"'{file.Path}' restored to {size} bytes with SHA-256 {actual}, but the backup recorded {file.Size} bytes with {file.Sha256}; it was not restored.", file.Path);
                }
                File.SetLastWriteTimeUtc(job.Temp, file.MTime);
                return null;
            }
            catch (Exception ex) when ((ex is IOException or UnauthorizedAccessException) && !DiskSpace.IsDiskFull(ex))
            {
                TryDelete(job.Temp);
                return WriteFailure(job, ex);
            }
            catch (DrToolsException ex) when (ex.ErrorId == BackupErrorIds.UnsafePath)
            {
                TryDelete(job.Temp);
                return ex;
            }
        }

        /// <summary>Gives a checked file, already flushed to disk, its final name.</summary>
        static DrToolsException? Commit(FileJob job, bool force)
        {
            try
            {
                var existing = force ? RestoreDestination.Attributes(job.Target) : null;
                if (existing is { } link && RestoreDestination.IsLink(link))
                {
                    // A link where the file goes: the link goes, its target is never written (a rename over a link would
                    // replace the link on Unix too, but Windows' ReplaceFile is not documented to).
                    RestoreDestination.RemoveLink(job.Target, link);
                    File.Move(job.Temp, job.Target);
                }
                else if (existing is { } file && (file & FileAttributes.Directory) == 0)
                    File.Replace(job.Temp, job.Target, null);
                else
                    File.Move(job.Temp, job.Target); // never replaces: a file that appeared meanwhile fails this one
                if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
                    File.SetAttributes(job.Target, (FileAttributes)job.File.Attributes & (FileAttributes.ReadOnly | FileAttributes.Hidden | FileAttributes.System | FileAttributes.Archive));
                return null;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                TryDelete(job.Temp);
                return WriteFailure(job, ex);
            }
        }

        static DrToolsException WriteFailure(FileJob job, Exception ex) =>
            new(ErrorIds.ServiceError, DrErrorCategory.WriteError, $"Could not write '{job.Target}': {ex.Message}", job.Target,
                "Check permissions and that no program holds the file open, then restore it again with -Include.", ex);

        /// <summary>
        /// Removes the temporary files an interrupted restore left in the folders this restore writes into (names that
        /// match <see cref="IsTemporaryName"/>, nothing else; folders reached through a link are left alone).
        /// </summary>
        void RemoveLeftoverTemporaries(string destination, IEnumerable<string> targets)
        {
            var links = new RestoreDestination(destination, replaceLinks: false, _reporter);
            int removed = 0;
            foreach (var folder in targets.Select(t => Path.GetDirectoryName(t)!).Distinct(StringComparer.Ordinal))
            {
                try
                {
                    if (!Directory.Exists(folder) || links.FindLink(folder) != null) continue; // never reach through a link
                    foreach (var file in Directory.EnumerateFiles(folder, RestoreTempName.Prefix + "*"))
                    {
                        // Old enough only: a restore running into the same folders renames its temporaries within seconds.
                        if (!IsTemporaryName(Path.GetFileName(file)) || DateTime.UtcNow - File.GetLastWriteTimeUtc(file) < BackupRepository.LockStaleAfter) continue;
                        File.Delete(file);
                        removed++;
                    }
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    _reporter.Verbose($"Could not remove temporary files in '{folder}': {ex.Message}");
                }
            }
            if (removed > 0) _reporter.Verbose($"Removed {removed} temporary file(s) an interrupted restore left in '{destination}'.");
        }

        static void TryDelete(string path)
        {
            try { if (File.Exists(path)) File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
