using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Backup.Packs;
using DrTools.Core.Diagnostics;

namespace DrTools.Core.Backup
{
    /// <summary>The outcome of Test-DrRestore: a timed restore into a scratch folder, or a read-all-data check.</summary>
    public sealed class RestoreTestResult
    {
        /// <summary>Every file verified and, when an RTO target was given, the restore finished within it.</summary>
        public bool Passed { get; init; }
        public string BackupSetId { get; init; } = "";
        public DateTime BackupTime { get; init; }
        public string Repository { get; init; } = "";

        /// <summary>Restore (files written to a scratch folder and verified) or VerifyOnly (chunks read and hashed).</summary>
        public string Mode { get; init; } = "Restore";
        public long FilesChecked { get; init; }
        public long BytesChecked { get; init; }
        public TimeSpan Duration { get; init; }
        public TimeSpan? RtoTarget { get; init; }
        public bool? RtoMet { get; init; }
        public RestoreFailure[] Failures { get; init; } = Array.Empty<RestoreFailure>();

        /// <summary>The scratch folder, when it was kept (-Keep).</summary>
        public string? ScratchPath { get; init; }

        /// <summary>A failed result for a set whose manifest cannot be read (the test could not even start).</summary>
        public static RestoreTestResult ForDamagedSet(string setId, string repository, string mode, DrToolsException error) => new()
        {
            Passed = false,
            BackupSetId = setId,
            BackupTime = BackupRepository.TimeOfSetId(setId) ?? default,
            Repository = repository,
            Mode = mode,
            Failures = new[] { new RestoreFailure(setId, error) },
        };

        /// <summary>For a recovery-point drill (Mode "Drill"): Snapshot, Image or DBSnapshot; null for file backups.</summary>
        public string? Kind { get; init; }

        /// <summary>For a drill: the scratch volume, instance or DB instance that was restored (deleted unless -Keep).</summary>
        public string? RestoredId { get; init; }
    }

    public sealed class RestoreTestOptions
    {
        /// <summary>Where the scratch folder is created; the system temp folder when null.</summary>
        public string? ScratchRoot { get; set; }
        public bool Keep { get; set; }
        public TimeSpan? RtoTarget { get; set; }
        public int ConcurrentRequests { get; set; } = 4;
    }

    /// <summary>Proves backups come back: restore tests with timing, and integrity checks that read every chunk.</summary>
    public sealed class VerifyEngine
    {
        const int ProgressId = 43;
        readonly BackupRepository _repo;
        readonly IOperationReporter _reporter;

        /// <summary>Apply Windows' name rules, as a restore on this computer would; tests set it to check them on any OS.</summary>
        internal bool WindowsNames { get; set; } = PathSafety.WindowsNames;

        public VerifyEngine(BackupRepository repo, IOperationReporter reporter)
        {
            _repo = repo;
            _reporter = reporter;
        }

        /// <summary>Picks the set to test: by id, the latest, or a random one from the last <paramref name="withinDays"/> days (header only).</summary>
        public static async Task<BackupManifest> SelectAsync(BackupRepository repo, string? id, bool random, double? withinDays, IOperationReporter reporter, CancellationToken ct)
        {
            if (!string.IsNullOrEmpty(id)) return await repo.ReadManifestHeaderAsync(id!, ct).ConfigureAwait(false);
            var catalog = await repo.ReadCatalogAsync(ct).ConfigureAwait(false);
            var all = catalog.Sets;
            DateTime? since = withinDays is { } d ? DateTime.UtcNow.AddDays(-d) : null;
            if (since != null) all = all.Where(m => m.Time >= since).ToList();
            // The newest set is damaged: that is the finding, not a reason to test the one before it.
            if (!random && catalog.DamagedNewerThan(all.LastOrDefault(), notBefore: since) is { } damaged) throw damaged.Error;
            foreach (var bad in catalog.Damaged) reporter.Warning(bad.Error.Message);
            if (all.Count == 0)
                throw new DrToolsException(BackupErrorIds.BackupSetNotFound, DrErrorCategory.ObjectNotFound,
                    $"Repository {repo.Location} has no backup set" + (withinDays != null ? $" from the last {withinDays} day(s)." : "."), repo.Location,
                    "Run Invoke-DrBackup first, or widen -Within.");
            if (!random) return all[all.Count - 1];
            return all[new Random().Next(all.Count)];
        }

        /// <summary>
        /// Reads every chunk the set references (pack by pack) and checks it hashes to its name; lists each damaged
        /// file. The set's trees were checked the same way when its file list was read. Paths a restore on this
        /// computer would refuse (traversal, or names this OS cannot hold) fail here the same way.
        /// </summary>
        public async Task<RestoreTestResult> VerifyAsync(BackupManifest manifest, int concurrency, CancellationToken ct)
        {
            // A read lock: no prune deletes or rewrites a pack while the chunks are read (no false "missing").
            var readLock = await _repo.AcquireReadLockAsync(_reporter, ct, reader: "verify").ConfigureAwait(false);
            try { return await VerifyUnderLockAsync(manifest, concurrency, ct).ConfigureAwait(false); }
            finally { await readLock.ReleaseAsync().ConfigureAwait(false); }
        }

        async Task<RestoreTestResult> VerifyUnderLockAsync(BackupManifest manifest, int concurrency, CancellationToken ct)
        {
            var clock = Stopwatch.StartNew();
            var index = await _repo.LoadIndexAsync(_reporter, ct).ConfigureAwait(false);
            await _repo.LoadFilesAsync(manifest, index, ct).ConfigureAwait(false);
            var chunks = manifest.Files.SelectMany(f => f.Chunks).Distinct(StringComparer.Ordinal).ToList();
            var bad = new ConcurrentDictionary<string, DrToolsException>(StringComparer.Ordinal);
            long bytes = 0, done = 0;
            void Count()
            {
                var d = Interlocked.Increment(ref done);
                if (d % 50 == 0)
                    _reporter.Progress(new ProgressUpdate(ProgressId, $"Verifying backup set {manifest.Id}", $"{d}/{chunks.Count} chunks, {Units.Bytes(Interlocked.Read(ref bytes))}")
                    { PercentComplete = (int)(d * 100 / chunks.Count) });
            }
            await new BlobReader(_repo.Store, index).ReadAsync(chunks, concurrency, (name, raw, _) =>
            {
                Interlocked.Add(ref bytes, raw.Count);
                Count();
                return Task.CompletedTask;
            }, (name, error) =>
            {
                bad[name] = error;
                Count();
            }, ct).ConfigureAwait(false);
            _reporter.Progress(new ProgressUpdate(ProgressId, $"Verifying backup set {manifest.Id}", "Done") { Completed = true });

            var failures = new List<RestoreFailure>();
            // Folders whose file list cannot be read: every file in them is lost from this set.
            foreach (var folder in manifest.DamagedFolders) failures.Add(new RestoreFailure(folder.Path, folder.Error));
            foreach (var file in manifest.Files)
            {
                if (PathSafety.Problem(file.Path) is { } unsafePath)
                {
                    failures.Add(new RestoreFailure(file.Path, new DrToolsException(BackupErrorIds.UnsafePath, DrErrorCategory.InvalidData,
                        $"Backup set '{manifest.Id}' contains the path '{file.Path}', which DrTools refuses to restore: {unsafePath}. A restore of this set restores nothing.",
                        file.Path, "The manifest was crafted or damaged. Restore another backup set.")));
                    continue;
                }
                if (PathSafety.NameProblem(file.Path, WindowsNames) is { } nameProblem)
                {
                    failures.Add(new RestoreFailure(file.Path, PathSafety.NameRefused(file.Path, nameProblem)));
                    continue;
                }
                var broken = file.Chunks.FirstOrDefault(bad.ContainsKey);
                if (broken == null) continue;
                var cause = bad[broken];
                var error = cause.ErrorId == BackupErrorIds.ChunkMissing
                    ? BackupErrors.ChunkMissing(broken, file.Path)
                    : BackupErrors.Integrity($"'{file.Path}' cannot be restored: chunk {broken} is corrupt.", file.Path, cause);
                failures.Add(new RestoreFailure(file.Path, error));
            }
            failures.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
            foreach (var f in failures) _reporter.Warning(f.Message);
            await DamageRecords.RecordNewAsync(_repo.Store, index, _reporter, ct).ConfigureAwait(false);
            return new RestoreTestResult
            {
                Passed = failures.Count == 0,
                BackupSetId = manifest.Id,
                BackupTime = manifest.Time,
                Repository = _repo.Location,
                Mode = "VerifyOnly",
                FilesChecked = manifest.Files.Count,
                BytesChecked = bytes,
                Duration = clock.Elapsed,
                Failures = failures.ToArray(),
            };
        }

        /// <summary>Restores the set into a fresh scratch folder, verifying every file, and times it; removes the folder unless Keep, also on failure or cancellation.</summary>
        public async Task<RestoreTestResult> TestRestoreAsync(BackupManifest manifest, RestoreTestOptions options, CancellationToken ct)
        {
            var scratch = Path.Combine(options.ScratchRoot ?? Path.GetTempPath(), $"drtools-restoretest-{manifest.Id}-{Guid.NewGuid().ToString("N").Substring(0, 6)}");
            _reporter.Verbose($"Restoring backup set {manifest.Id} into scratch folder {scratch}.");
            var keep = false;
            try
            {
                var result = await new RestoreEngine(_repo, _reporter) { WindowsNames = WindowsNames }.RestoreAsync(manifest,
                    new RestoreOptions { Destination = scratch, ConcurrentRequests = options.ConcurrentRequests }, ct).ConfigureAwait(false);
                foreach (var f in result.Failures) _reporter.Warning(f.Message);
                bool? rtoMet = options.RtoTarget is { } target ? result.Duration <= target : null;
                if (rtoMet == false)
                    _reporter.Warning($"The restore took {result.Duration:g}, over the RTO target of {options.RtoTarget:g}.");
                keep = options.Keep;
                return new RestoreTestResult
                {
                    Passed = result.Succeeded && rtoMet != false,
                    BackupSetId = manifest.Id,
                    BackupTime = manifest.Time,
                    Repository = _repo.Location,
                    Mode = "Restore",
                    FilesChecked = result.FilesRestored + result.FilesFailed,
                    BytesChecked = result.BytesRestored,
                    Duration = result.Duration,
                    RtoTarget = options.RtoTarget,
                    RtoMet = rtoMet,
                    Failures = result.Failures,
                    ScratchPath = keep ? scratch : null,
                };
            }
            finally
            {
                if (!keep) DeleteScratch(scratch);
            }
        }

        void DeleteScratch(string scratch)
        {
            try
            {
                if (Directory.Exists(scratch)) Directory.Delete(scratch, recursive: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                _reporter.Warning($"Could not remove the scratch folder {scratch}: {ex.Message}. Delete it by hand.");
            }
        }
    }
}
