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
using DrTools.Core.Backup.Storage;
using DrTools.Core.Diagnostics;

namespace DrTools.Core.Backup
{
    public sealed class RestoreOptions
    {
        public string Destination { get; set; } = "";
        public IReadOnlyList<string> Include { get; set; } = Array.Empty<string>();

        /// <summary>Replace files that already exist at the destination.</summary>
        public bool Force { get; set; }

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
    }

    /// <summary>
    /// Restores a backup set: every file is written to a temporary name next to its destination, checked against
    /// the manifest's SHA-256 and size, given its timestamp, and only then renamed into place. A file that fails
    /// (corrupt or missing chunk, existing file without Force) leaves nothing behind and the others go on.
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

        /// <summary>Opens a temporary file for writing; tests substitute a failing stream (disk full).</summary>
        internal Func<string, Stream> OpenTemp { get; set; } =
            path => new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);

        internal const string TempMarker = ".drtmp-";

        /// <summary>The set with <paramref name="id"/>, or the newest set taken at or before <paramref name="pointInTime"/>.</summary>
        public static async Task<BackupManifest> SelectAsync(BackupRepository repo, string? id, DateTime? pointInTime, CancellationToken ct)
        {
            if (!string.IsNullOrEmpty(id)) return await repo.ReadManifestAsync(id!, ct).ConfigureAwait(false);
            var when = (pointInTime ?? DateTime.UtcNow).ToUniversalTime();
            var ids = await repo.ListSetIdsAsync(ct).ConfigureAwait(false);
            BackupManifest? best = null;
            foreach (var candidate in ids)
            {
                BackupManifest m;
                try { m = await repo.ReadManifestAsync(candidate, ct).ConfigureAwait(false); }
                catch (DrToolsException ex) when (ex.ErrorId == BackupErrorIds.IntegrityError) { continue; }
                if (m.Time <= when && (best == null || m.Time > best.Time)) best = m;
            }
            return best ?? throw new DrToolsException(BackupErrorIds.BackupSetNotFound, DrErrorCategory.ObjectNotFound,
                $"Repository {repo.Location} has no backup set taken at or before {when:u}.", when,
                "Run Get-DrBackup -Repository to see which backup sets exist.");
        }

        public async Task<RestoreResult> RestoreAsync(BackupManifest manifest, RestoreOptions options, CancellationToken ct)
        {
            var clock = Stopwatch.StartNew();
            if (string.IsNullOrWhiteSpace(options.Destination))
                throw BackupErrors.InvalidArgument("No restore destination was given.", null, "Pass -Destination with a folder.");
            var destination = Path.GetFullPath(options.Destination);
            var include = new GlobSet(options.Include);
            // Check every selected path before writing anything: a crafted manifest restores nothing.
            var work = manifest.Files.Where(f => include.IsEmpty || include.MatchesSelfOrParent(f.Path))
                .Select(f => (File: f, Target: PathSafety.Resolve(destination, f.Path, manifest.Id))).ToList();
            if (!include.IsEmpty && work.Count == 0)
                _reporter.Warning($"No file in backup set {manifest.Id} matches -Include {string.Join(", ", options.Include)}.");

            try { Directory.CreateDirectory(destination); }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw FolderStore.WriteError(ex, destination);
            }

            var failures = new ConcurrentQueue<RestoreFailure>();
            long files = 0, bytes = 0, doneBytes = 0, lastReport = -1000;
            var total = work.Sum(w => w.File.Size);
            await ParallelWork.ForEachAsync(work, options.ConcurrentRequests, async (item, token) =>
            {
                var (file, target) = item;
                var failure = await RestoreFileAsync(file, target, options.Force, n => Interlocked.Add(ref doneBytes, n), token).ConfigureAwait(false);
                if (failure != null)
                {
                    failures.Enqueue(new RestoreFailure(file.Path, failure));
                    _reporter.Verbose($"Not restored: {file.Path}: {failure.Message}");
                }
                else
                {
                    Interlocked.Increment(ref files);
                    Interlocked.Add(ref bytes, file.Size);
                }
                var now = clock.ElapsedMilliseconds;
                var last = Interlocked.Read(ref lastReport);
                if (now - last >= 500 && Interlocked.CompareExchange(ref lastReport, now, last) == last)
                {
                    var d = Interlocked.Read(ref doneBytes);
                    var rate = d / Math.Max(0.001, clock.Elapsed.TotalSeconds);
                    _reporter.Progress(new ProgressUpdate(ProgressId, $"Restoring backup set {manifest.Id}",
                        $"{Interlocked.Read(ref files)}/{work.Count} files, {Units.Bytes(d)}/{Units.Bytes(total)}, {Units.Bytes(rate)}/s")
                    {
                        PercentComplete = total == 0 ? 100 : (int)(d * 100 / total),
                        Remaining = rate > 0 ? TimeSpan.FromSeconds((total - d) / rate) : null,
                    });
                }
            }, ct).ConfigureAwait(false);
            _reporter.Progress(new ProgressUpdate(ProgressId, $"Restoring backup set {manifest.Id}", "Done") { Completed = true });
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
            };
        }

        /// <summary>Restores one file; returns the per-file failure, throws for failures that stop the whole restore.</summary>
        async Task<DrToolsException?> RestoreFileAsync(ManifestFile file, string target, bool force, Action<long> progress, CancellationToken ct)
        {
            if (!force && (File.Exists(target) || Directory.Exists(target)))
                return new DrToolsException(BackupErrorIds.FileExists, DrErrorCategory.ResourceExists,
                    $"'{target}' already exists; it was not overwritten.", target,
                    "Restore into an empty folder, or add -Force to replace existing files with the backed-up version.");
            var dir = Path.GetDirectoryName(target)!;
            var temp = Path.Combine(dir, TempMarker + Guid.NewGuid().ToString("N").Substring(0, 12) + "-" + Path.GetFileName(target));
            try
            {
                Directory.CreateDirectory(dir);
                using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                long written = 0;
                using (var output = OpenTemp(temp))
                {
                    foreach (var chunk in file.Chunks)
                    {
                        var data = await _repo.ReadChunkAsync(chunk, file.Path, ct).ConfigureAwait(false)
                                   ?? throw BackupErrors.ChunkMissing(chunk, file.Path);
                        hash.AppendData(data);
                        await output.WriteAsync(data, 0, data.Length, ct).ConfigureAwait(false);
                        written += data.Length;
                        progress(data.Length);
                    }
                    await output.FlushAsync(ct).ConfigureAwait(false);
                    if (output is FileStream fs) fs.Flush(true);
                }
                var actual = Json.Hex(hash.GetHashAndReset());
                if (written != file.Size || !string.Equals(actual, file.Sha256, StringComparison.OrdinalIgnoreCase))
                    throw BackupErrors.Integrity($"'{file.Path}' restored to {written} bytes with SHA-256 {actual}, but the backup recorded {file.Size} bytes with {file.Sha256}; it was not restored.", file.Path);
                File.SetLastWriteTimeUtc(temp, file.MTime);
                if (force && File.Exists(target))
                    File.Replace(temp, target, null);
                else
                    File.Move(temp, target);
                if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
                    File.SetAttributes(target, (FileAttributes)file.Attributes & (FileAttributes.ReadOnly | FileAttributes.Hidden | FileAttributes.System | FileAttributes.Archive));
                return null;
            }
            catch (DrToolsException ex) when (ex.ErrorId is BackupErrorIds.IntegrityError or BackupErrorIds.ChunkMissing)
            {
                TryDelete(temp);
                return ex;
            }
            catch (Exception ex) when ((ex is IOException or UnauthorizedAccessException) && !DiskSpace.IsDiskFull(ex))
            {
                TryDelete(temp);
                return new DrToolsException(ErrorIds.ServiceError, DrErrorCategory.WriteError, $"Could not write '{target}': {ex.Message}", target,
                    "Check permissions and that no program holds the file open, then restore it again with -Include.", ex);
            }
            catch (Exception ex)
            {
                TryDelete(temp);
                if (DiskSpace.IsDiskFull(ex))
                    throw new DrToolsException(BackupErrorIds.DiskFull, DrErrorCategory.WriteError,
                        $"The destination disk is full (writing '{target}'). The restore stopped; the partial file was removed, files already restored were kept.", target,
                        "Free space or choose another -Destination, then re-run; add -Force or -Include to redo only what is missing.", ex);
                throw;
            }
        }

        static void TryDelete(string path)
        {
            try { if (File.Exists(path)) File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
