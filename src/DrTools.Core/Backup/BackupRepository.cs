using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Backup.Chunking;
using DrTools.Core.Backup.Packs;
using DrTools.Core.Backup.Storage;
using DrTools.Core.Diagnostics;

namespace DrTools.Core.Backup
{
    /// <summary>
    /// A backup repository over a store (layout in docs/repository-format.md): config.json, packs in data/xx/&lt;sha256&gt;,
    /// index/&lt;sha256&gt;, snapshots/&lt;id&gt;.json and locks/&lt;id&gt;.json.
    /// </summary>
    public sealed class BackupRepository
    {
        public const string ConfigKey = "config.json";
        public const string DataPrefix = "data/";
        public const string IndexPrefix = "index/";
        public const string SnapshotPrefix = "snapshots/";
        public const string LockPrefix = "locks/";
        public const string DamagedPrefix = "damaged/";

        /// <summary>A lock not refreshed for this long belongs to a crashed run and is ignored.</summary>
        public static readonly TimeSpan LockStaleAfter = TimeSpan.FromMinutes(30);
        public static readonly TimeSpan LockRefreshEvery = TimeSpan.FromMinutes(5);

        BackupRepository(IRepositoryStore store, RepositoryConfig config)
        {
            Store = store;
            Config = config;
            Chunker = new Chunker(config.Chunker);
        }

        public IRepositoryStore Store { get; }
        public RepositoryConfig Config { get; }
        public Chunker Chunker { get; }
        public string Location => Store.Location;

        public static string ManifestKey(string id) => $"{SnapshotPrefix}{id}.json";

        /// <summary>Opens an existing repository; DrTools.RepositoryNotFound / DrTools.NotARepository otherwise.</summary>
        public static async Task<BackupRepository> OpenAsync(IRepositoryStore store, CancellationToken ct)
        {
            RepositoryConfig? config;
            try
            {
                config = await TryReadConfigAsync(store, ct).ConfigureAwait(false);
            }
            catch (DrToolsException ex) when (ex.AwsErrorCode == "NoSuchBucket")
            {
                throw new DrToolsException(BackupErrorIds.RepositoryNotFound, DrErrorCategory.ObjectNotFound,
                    $"The backup repository {store.Location} does not exist: {ex.Message}", store.Location,
                    "Check the bucket name in -Repository and -Region; Invoke-DrBackup creates a repository in an existing bucket.", ex)
                { AwsErrorCode = ex.AwsErrorCode, RequestId = ex.RequestId, Service = ex.Service };
            }
            if (config != null) return new BackupRepository(store, config);
            if (!await store.LocationExistsAsync(ct).ConfigureAwait(false))
                throw new DrToolsException(BackupErrorIds.RepositoryNotFound, DrErrorCategory.ObjectNotFound,
                    $"The backup repository {store.Location} does not exist.", store.Location,
                    "Check the -Repository value. Invoke-DrBackup creates a repository at a new or empty location.");
            throw NotARepository(store);
        }

        /// <summary>Opens the repository, or creates one when the location is new or empty (first backup).</summary>
        public static async Task<BackupRepository> OpenOrCreateAsync(IRepositoryStore store, IOperationReporter reporter, CancellationToken ct, ChunkerParameters? chunker = null)
        {
            var config = await TryReadConfigAsync(store, ct).ConfigureAwait(false);
            if (config != null) return new BackupRepository(store, config);
            if (await store.LocationExistsAsync(ct).ConfigureAwait(false))
            {
                var existing = await store.ListAsync("", ct).ConfigureAwait(false);
                if (existing.Count > 0) throw NotARepository(store);
            }
            else if (store is FolderStore folder)
            {
                folder.CreateRoot();
            }
            config = new RepositoryConfig { Id = Guid.NewGuid().ToString("N"), Created = DateTime.UtcNow, Chunker = chunker ?? ChunkerParameters.Default };
            var bytes = Json.Serialize(config);
            await store.PutAsync(ConfigKey, bytes, bytes.Length, Sha(bytes), ct).ConfigureAwait(false);
            reporter.Verbose($"Created a new backup repository at {store.Location} (id {config.Id}).");
            return new BackupRepository(store, config);
        }

        static DrToolsException NotARepository(IRepositoryStore store) =>
            new(BackupErrorIds.NotARepository, DrErrorCategory.InvalidData,
                $"{store.Location} exists but is not a DrTools backup repository (it has no config.json).", store.Location,
                "Point -Repository at the repository root, or at a new or empty folder/prefix to create one.");

        static async Task<RepositoryConfig?> TryReadConfigAsync(IRepositoryStore store, CancellationToken ct)
        {
            var bytes = await ReadAllAsync(store, ConfigKey, ct).ConfigureAwait(false);
            if (bytes == null) return null;
            var config = Json.Deserialize<RepositoryConfig>(bytes, $"{store.Location}/{ConfigKey}");
            if (config.FormatVersion > RepositoryConfig.CurrentFormat)
                throw new DrToolsException(BackupErrorIds.NotARepository, DrErrorCategory.NotEnabled,
                    $"{store.Location} uses repository format {config.FormatVersion}; this DrTools reads format {RepositoryConfig.CurrentFormat}.",
                    store.Location, "Update the DrTools module.");
            if (config.FormatVersion < RepositoryConfig.CurrentFormat)
                throw new DrToolsException(BackupErrorIds.NotARepository, DrErrorCategory.NotEnabled,
                    $"{store.Location} uses repository format {config.FormatVersion} (one object per chunk, written by a DrTools 0.1 preview); this DrTools reads format {RepositoryConfig.CurrentFormat}.",
                    store.Location, "Restore from it with the DrTools version that wrote it, and back up into a new repository (a new folder or prefix) with this one.");
            var chunker = config.Chunker;
            if (chunker != null && chunker.Algorithm != ChunkerParameters.FastCdc)
                throw new DrToolsException(BackupErrorIds.NotARepository, DrErrorCategory.NotEnabled,
                    $"{store.Location}/{ConfigKey} names the chunking algorithm '{chunker.Algorithm}', which this DrTools does not know (it knows '{ChunkerParameters.FastCdc}').",
                    store.Location, "Update the DrTools module; if the repository was written by this version, config.json was modified: restore it from a copy of the repository.");
            var invalid = chunker == null ? "it has no chunker parameters"
                : chunker.MinSize < 64 || chunker.AvgSize <= chunker.MinSize || chunker.MaxSize <= chunker.AvgSize || (chunker.AvgSize & (chunker.AvgSize - 1)) != 0 || chunker.MaxSize > ChunkerParameters.MaxMaxSize
                    ? $"its chunker sizes (min {chunker.MinSize}, avg {chunker.AvgSize}, max {chunker.MaxSize}) are not 64 <= min < avg < max <= {ChunkerParameters.MaxMaxSize} with avg a power of two"
                    : string.IsNullOrWhiteSpace(config.Id) ? "it has no repository id" : null;
            if (invalid != null)
                throw BackupErrors.Integrity($"{store.Location}/{ConfigKey} is damaged: {invalid}.", store.Location, null,
                    "config.json was modified or damaged. Restore it from a copy of the repository (Copy-DrBackup writes the same chunker parameters to its destination); backups cannot be read or written until then.");
            return config;
        }

        internal static byte[] Sha(byte[] data, int? length = null)
        {
            using var sha = System.Security.Cryptography.SHA256.Create();
            return sha.ComputeHash(data, 0, length ?? data.Length);
        }

        internal static async Task<byte[]?> ReadAllAsync(IRepositoryStore store, string key, CancellationToken ct)
        {
            using var stream = await store.OpenReadAsync(key, ct).ConfigureAwait(false);
            if (stream == null) return null;
            long length = -1;
            try { length = stream.Length; }
            catch (NotSupportedException) { }
            if (length >= 0 && length <= int.MaxValue)
            {
                // Known length (Content-Length, file size): read straight into the result instead of growing a
                // MemoryStream and copying it again; that was several large-object arrays per 1 MiB chunk.
                var data = new byte[length];
                var filled = await StreamReads.FillAsync(stream, data, data.Length, ct).ConfigureAwait(false);
                if (filled < data.Length) return SubArray(data, filled); // shorter than announced: the callers' hash checks decide
                var probe = new byte[1];
                if (await stream.ReadAsync(probe, 0, 1, ct).ConfigureAwait(false) == 0) return data;
                // Longer than announced: keep everything, as the plain copy below would.
                using var more = new MemoryStream();
                more.Write(data, 0, data.Length);
                more.Write(probe, 0, 1);
                await stream.CopyToAsync(more, 81920, ct).ConfigureAwait(false);
                return more.ToArray();
            }
            using var ms = new MemoryStream();
            await stream.CopyToAsync(ms, 81920, ct).ConfigureAwait(false);
            return ms.ToArray();
        }

        internal static byte[] SubArray(byte[] data, int length)
        {
            var result = new byte[length];
            Buffer.BlockCopy(data, 0, result, 0, length);
            return result;
        }

        /// <summary>Reads the index (index files, plus the headers of packs no index lists yet).</summary>
        public Task<RepositoryIndex> LoadIndexAsync(IOperationReporter reporter, CancellationToken ct) => RepositoryIndex.LoadAsync(Store, reporter, ct);

        /// <summary>Writes one index file listing <paramref name="packs"/>, named by its SHA-256; returns its key and size (null, 0 when there is nothing to list).</summary>
        public async Task<(string? Key, long Size)> WriteIndexAsync(IReadOnlyCollection<PackContents> packs, CancellationToken ct)
        {
            if (packs.Count == 0) return (null, 0);
            var bytes = PackFormat.SerializeIndex(packs.OrderBy(p => p.PackId, StringComparer.Ordinal));
            var sha = Sha(bytes);
            var key = IndexPrefix + Json.Hex(sha);
            await Store.PutAsync(key, bytes, bytes.Length, sha, ct).ConfigureAwait(false);
            return (key, bytes.Length);
        }

        /// <summary>
        /// Reads the set's tree blobs into <see cref="BackupManifest.Files"/> (sorted by path). A tree that is missing,
        /// damaged or not a valid file list loses only its folder: the folder goes to
        /// <see cref="BackupManifest.DamagedFolders"/> (with a DrTools.IntegrityError or DrTools.ChunkMissing naming it)
        /// and every other folder is still read.
        /// </summary>
        public async Task LoadFilesAsync(BackupManifest manifest, RepositoryIndex index, CancellationToken ct)
        {
            if (manifest.FilesLoaded) return;
            var trees = new Dictionary<string, List<TreeEntry>>(StringComparer.Ordinal);
            var failures = new Dictionary<string, DrToolsException>(StringComparer.Ordinal);
            await new BlobReader(Store, index).ReadAsync(manifest.Trees.Select(t => t.Tree), 4, (id, raw, _) =>
            {
                List<TreeEntry>? entries = null;
                DrToolsException? error = null;
                try { entries = Json.Deserialize<List<TreeEntry>>(raw.ToArray(), $"Tree {id} of backup set '{manifest.Id}'"); }
                catch (DrToolsException ex) { error = ex; }
                var invalid = error == null ? Json.InvalidTree(entries) : null;
                if (invalid != null) error = BackupErrors.Integrity($"Tree {id} of backup set '{manifest.Id}' is not a valid file list: {invalid}.", id);
                lock (trees)
                {
                    if (error != null) failures[id] = error;
                    else trees[id] = entries!;
                }
                return Task.CompletedTask;
            }, (id, error) => { lock (trees) failures[id] = error; }, ct).ConfigureAwait(false);
            var files = new List<ManifestFile>((int)Math.Min(Math.Max(0, manifest.FileCount), 10_000_000));
            manifest.DamagedFolders.Clear();
            foreach (var t in manifest.Trees)
            {
                if (!trees.TryGetValue(t.Tree, out var entries))
                {
                    var cause = failures.TryGetValue(t.Tree, out var f) ? f : BackupErrors.Integrity($"Tree {t.Tree} was not read.", t.Tree);
                    var folder = t.Path.Length == 0 ? "the single files" : $"folder '{t.Path}'";
                    manifest.DamagedFolders.Add(new DamagedFolder(t.Path, t.Tree, new DrToolsException(cause.ErrorId, cause.Category,
                        $"Backup set '{manifest.Id}': the file list of {folder} (tree {t.Tree}) cannot be read, so its files cannot be restored: {cause.Message}",
                        t.Path.Length == 0 ? manifest.Id : t.Path, BackupErrors.IntegrityAction, cause)));
                    continue;
                }
                foreach (var e in entries)
                {
                    files.Add(new ManifestFile
                    {
                        Path = t.Path.Length == 0 ? e.Name : t.Path + "/" + e.Name,
                        Size = e.Size,
                        MTime = e.MTime,
                        Attributes = e.Attributes,
                        Sha256 = e.Sha256,
                        Chunks = e.Chunks ?? new List<string> { e.Sha256 },
                    });
                }
            }
            files.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
            manifest.Files = files;
        }

        /// <summary>DrTools.IntegrityError when part of the set's file list could not be read (for operations that need all of it, such as a copy).</summary>
        public static void ThrowIfDamaged(BackupManifest manifest)
        {
            if (manifest.DamagedFolders.Count == 0) return;
            var first = manifest.DamagedFolders[0];
            throw BackupErrors.Integrity(manifest.DamagedFolders.Count == 1 ? first.Error.Message
                : $"{first.Error.Message} ({manifest.DamagedFolders.Count - 1} more folder(s) of the set are damaged too)", manifest.Id, first.Error);
        }

        /// <summary>
        /// The tree blobs for a file list: one per folder, entries sorted by name, so an unchanged folder gives the same
        /// blob. Made one folder at a time as the caller enumerates (a set of 500 000 files would otherwise hold a tree
        /// entry and the JSON of every file at once).
        /// </summary>
        internal static IEnumerable<(string Path, string Id, byte[] Raw)> BuildTrees(IReadOnlyList<ManifestFile> files)
        {
            var byFolder = new SortedDictionary<string, List<int>>(StringComparer.Ordinal);
            for (int i = 0; i < files.Count; i++)
            {
                var slash = files[i].Path.LastIndexOf('/');
                var folder = slash < 0 ? "" : files[i].Path.Substring(0, slash);
                if (!byFolder.TryGetValue(folder, out var list)) byFolder[folder] = list = new List<int>();
                list.Add(i);
            }
            foreach (var kv in byFolder)
            {
                var entries = new List<TreeEntry>(kv.Value.Count);
                foreach (var i in kv.Value)
                {
                    var f = files[i];
                    entries.Add(new TreeEntry
                    {
                        Name = f.Path.Substring(f.Path.LastIndexOf('/') + 1),
                        Size = f.Size,
                        MTime = f.MTime,
                        Attributes = f.Attributes,
                        Sha256 = f.Sha256,
                        Chunks = f.Chunks.Count == 1 && f.Chunks[0] == f.Sha256 ? null : f.Chunks,
                    });
                }
                entries.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
                var raw = Json.Serialize(entries);
                yield return (kv.Key, Json.Sha256Hex(raw, raw.Length), raw);
            }
        }

        public Task<IReadOnlyList<string>> ListSetIdsAsync(CancellationToken ct) => ListSetIdsAsync(Store, ct);

        /// <summary>The backup set ids in a store, without opening it as a repository (empty when there is none yet).</summary>
        public static async Task<IReadOnlyList<string>> ListSetIdsAsync(IRepositoryStore store, CancellationToken ct)
        {
            var list = await store.ListAsync(SnapshotPrefix, ct).ConfigureAwait(false);
            return list.Where(o => o.Key.EndsWith(".json", StringComparison.Ordinal))
                .Select(o => o.Key.Substring(SnapshotPrefix.Length, o.Key.Length - SnapshotPrefix.Length - 5))
                .Where(id => id.IndexOf('/') < 0).OrderBy(id => id, StringComparer.Ordinal).ToList();
        }

        /// <summary>Reads one manifest with its file list (index and trees); DrTools.BackupSetNotFound when it does not exist.</summary>
        public async Task<BackupManifest> ReadManifestAsync(string id, CancellationToken ct)
        {
            var manifest = await ReadManifestHeaderAsync(id, ct).ConfigureAwait(false);
            await LoadFilesAsync(manifest, await LoadIndexAsync(NullReporter.Instance, ct).ConfigureAwait(false), ct).ConfigureAwait(false);
            return manifest;
        }

        /// <summary>Reads and checks one manifest without its file list (enough to list, select and count); DrTools.BackupSetNotFound when it does not exist.</summary>
        public async Task<BackupManifest> ReadManifestHeaderAsync(string id, CancellationToken ct)
        {
            if (string.IsNullOrWhiteSpace(id) || id.IndexOfAny(new[] { '/', '\\' }) >= 0 || id.Contains(".."))
                throw BackupErrors.SetNotFound(id, Location);
            var bytes = await ReadAllAsync(Store, ManifestKey(id), ct).ConfigureAwait(false);
            if (bytes == null) throw BackupErrors.SetNotFound(id, Location);
            return Json.OpenManifest(bytes, id);
        }

        /// <summary>
        /// Every manifest, oldest first, split into the readable ones and the damaged ones (each with its
        /// DrTools.IntegrityError): a caller that picks the newest set must not pass over a damaged one silently.
        /// </summary>
        public async Task<BackupCatalog> ReadCatalogAsync(CancellationToken ct)
        {
            var catalog = new BackupCatalog();
            foreach (var id in await ListSetIdsAsync(ct).ConfigureAwait(false))
            {
                try { catalog.Sets.Add(await ReadManifestHeaderAsync(id, ct).ConfigureAwait(false)); }
                catch (DrToolsException ex) when (ex.ErrorId == BackupErrorIds.IntegrityError)
                {
                    catalog.Damaged.Add(new DamagedSet(id, TimeOfSetId(id), DamagedSetError(id, ex, Location)));
                }
            }
            catalog.Sets.Sort((a, b) => a.Time != b.Time ? a.Time.CompareTo(b.Time) : string.CompareOrdinal(a.Id, b.Id));
            return catalog;
        }

        /// <summary>The error for a set whose manifest cannot be read: names the set and says what to do instead.</summary>
        public static DrToolsException DamagedSetError(string id, DrToolsException cause, string location) =>
            BackupErrors.Integrity($"Backup set '{id}' in {location} is damaged and cannot be used: {cause.Message}", id, cause,
                $"Pick another set explicitly (Get-DrBackup -Repository {location} lists the readable ones; pass its -Id), or restore the set from a copy of the repository (Copy-DrBackup). Remove-DrBackup -Id {id} removes the damaged set.");

        /// <summary>The time a set id starts with (yyyyMMddTHHmmssfffZ), or null when it does not.</summary>
        public static DateTime? TimeOfSetId(string id) =>
            id.Length >= 19 && DateTime.TryParseExact(id.Substring(0, 19), "yyyyMMdd'T'HHmmssfff'Z'", System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal, out var t) ? t : null;

        /// <summary>
        /// Publishes a backup set: stores the tree blobs the repository lacks, writes one index file for them and for
        /// <paramref name="newPacks"/> (already stored), and only then the manifest, so a visible set is complete.
        /// </summary>
        public async Task WriteManifestAsync(BackupManifest manifest, IReadOnlyCollection<PackContents> newPacks, RepositoryIndex index, CancellationToken ct)
        {
            // Binary keys: the blobs of a first backup's new packs as strings were about 150 bytes each.
            var pending = new HashSet<BlobKey>();
            foreach (var p in newPacks) CompactBlobList.AddKeys(p.Blobs, pending);
            var treeRefs = new List<TreeRef>();
            var writer = new PackWriter(Store, BlobKind.Tree, 2, ct);
            try
            {
                foreach (var (path, id, raw) in BuildTrees(manifest.Files))
                {
                    treeRefs.Add(new TreeRef { Path = path, Tree = id });
                    if (!index.Contains(id) && pending.Add(BlobKey.FromBytes(Json.FromHex(id), 0))) await writer.AddAsync(id, raw, raw.Length, ct).ConfigureAwait(false);
                }
                var treePacks = await writer.FinishAsync(ct).ConfigureAwait(false);
                var all = newPacks.Concat(treePacks).ToList();
                var (_, indexBytes) = await WriteIndexAsync(all, ct).ConfigureAwait(false);
                foreach (var p in all) index.Add(p);
                manifest.UploadedBytes += writer.UploadedBytes + indexBytes;
            }
            finally
            {
                await writer.DrainAsync().ConfigureAwait(false);
            }
            manifest.Trees = treeRefs;
            var bytes = Json.SealManifest(manifest);
            await Store.PutAsync(ManifestKey(manifest.Id), bytes, bytes.Length, Sha(bytes), ct).ConfigureAwait(false);
        }

        /// <summary>Same, for a set whose blobs are all stored already (tests, and repairs).</summary>
        public async Task WriteManifestAsync(BackupManifest manifest, CancellationToken ct) =>
            await WriteManifestAsync(manifest, Array.Empty<PackContents>(), await LoadIndexAsync(NullReporter.Instance, ct).ConfigureAwait(false), ct).ConfigureAwait(false);

        /// <summary>Writes raw, already sealed manifest bytes (copy between repositories keeps the checksum).</summary>
        internal Task WriteManifestBytesAsync(string id, byte[] bytes, CancellationToken ct) =>
            Store.PutAsync(ManifestKey(id), bytes, bytes.Length, Sha(bytes), ct);

        internal async Task<byte[]> ReadManifestBytesAsync(string id, CancellationToken ct) =>
            await ReadAllAsync(Store, ManifestKey(id), ct).ConfigureAwait(false) ?? throw BackupErrors.SetNotFound(id, Location);

        /// <summary>
        /// Time to the millisecond, then randomness: ids sort in the order sets were taken (two sets in one second
        /// must not swap, or -Latest and the incremental base would pick the older one).
        /// </summary>
        public static string NewSetId(DateTime utc) => $"{utc:yyyyMMdd'T'HHmmssfff'Z'}-{Guid.NewGuid().ToString("N").Substring(0, 8)}";

        /// <summary>Waits while a live prune lock exists (see the lock rules in docs/repository-format.md).</summary>
        public async Task WaitForPruneAsync(TimeSpan timeout, IOperationReporter _reporter, CancellationToken ct, string waiter = "backup")
        {
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (true)
            {
                var prunes = await LiveLocksAsync(PruneLockKind, null, _reporter, ct).ConfigureAwait(false);
                if (prunes.Count == 0) return;
                if (waited.Elapsed > timeout)
                    throw new DrToolsException(BackupErrorIds.RepositoryLocked, DrErrorCategory.ResourceUnavailable,
                        $"Remove-DrBackup is pruning {Location} (lock {prunes[0].Id} of process {prunes[0].ProcessId} on {prunes[0].Host}); the {waiter} waited {timeout.TotalMinutes:0} minutes.", Location,
                        $"Re-run when the prune has finished. A lock whose process is no longer running is taken over at once on the computer that wrote it; " +
                        $"from another computer it is ignored once it has not been refreshed for {LockStaleAfter.TotalMinutes:0} minutes " +
                        $"(or delete {LockPrefix}{prunes[0].Id}.json in the repository if you know that run is gone).");
                _reporter.Progress(new ProgressUpdate(41, "Backup repository", $"Waiting for prune {prunes[0].Id} on {prunes[0].Host} to finish"));
                await Task.Delay(TimeSpan.FromSeconds(2), ct).ConfigureAwait(false);
            }
        }

        // ---- locks ----

        /// <summary>Lock kinds: backups and copies into the repository (shared), readers (shared), prune (exclusive).</summary>
        public const string BackupLockKind = "backup";
        public const string ReadLockKind = "read";
        public const string PruneLockKind = "prune";

        /// <summary>How long a reader or a prune waits for a running prune by default.</summary>
        public static readonly TimeSpan LockWaitDefault = TimeSpan.FromMinutes(10);

        /// <summary>
        /// Process start times are compared with this much slack: Linux derives them from the boot time, which each
        /// process computes anew (microseconds apart) and which moves with the clock. A process id reused by another
        /// process started this close to the dead one is missed, and its lock then goes stale as before.
        /// </summary>
        static readonly TimeSpan StartTimeSlack = TimeSpan.FromMinutes(1);

        /// <summary>
        /// This computer in a lock, for taking over the locks of its dead processes: the full host name
        /// (Environment.MachineName is the NetBIOS name on Windows, cut to 15 characters, which two servers can share)
        /// and, where there is one, /etc/machine-id (cloned VMs and containers that share a host name differ there).
        /// </summary>
        internal static readonly string LocalHostId = ComputeHostId();

        static string ComputeHostId()
        {
            string name;
            try { name = System.Net.Dns.GetHostName(); }
            catch (System.Net.Sockets.SocketException) { name = Environment.MachineName; }
            string? machineId = null;
            try { if (File.Exists("/etc/machine-id")) machineId = File.ReadAllText("/etc/machine-id").Trim(); }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { }
            return string.IsNullOrEmpty(machineId) ? name : name + "/" + machineId;
        }

        static readonly Lazy<DateTime?> CurrentProcessStart = new(() =>
        {
            try
            {
                using var me = System.Diagnostics.Process.GetCurrentProcess();
                return me.StartTime.ToUniversalTime();
            }
            catch (Exception ex) when (ex is InvalidOperationException or NotSupportedException or System.ComponentModel.Win32Exception)
            {
                return null; // then this run's locks fall back to staleness
            }
        });

        public async Task<RepositoryLock> AcquireLockAsync(string kind, CancellationToken ct)
        {
            var now = DateTime.UtcNow;
            using var me = System.Diagnostics.Process.GetCurrentProcess();
            var l = new RepositoryLock
            {
                // To the millisecond: two prunes that see each other's locks compare ids (the smaller one goes first).
                Id = $"{kind}-{now:yyyyMMdd'T'HHmmssfff'Z'}-{Guid.NewGuid().ToString("N").Substring(0, 8)}",
                Kind = kind,
                Host = Environment.MachineName,
                HostId = LocalHostId,
                ProcessId = me.Id,
                ProcessStart = CurrentProcessStart.Value,
                Created = now,
                Refreshed = now,
            };
            await WriteLockAsync(l, ct).ConfigureAwait(false);
            return l;
        }

        /// <summary>
        /// A reader's lock (restore, verify, the source of a copy, a prune's plan): written, then the reader waits while
        /// a live prune lock exists, so no prune deletes or rewrites a pack while it reads. A repository the reader
        /// cannot write to (read-only credentials or share) is read without a lock, with a warning.
        /// </summary>
        public async Task<RepositoryLockHandle> AcquireReadLockAsync(IOperationReporter reporter, CancellationToken ct, TimeSpan? timeout = null, string reader = "restore")
        {
            RepositoryLock? l = null;
            try { l = await AcquireLockAsync(ReadLockKind, ct).ConfigureAwait(false); }
            catch (DrToolsException ex)
            {
                reporter.Warning($"Could not write a read lock in {Location} ({ex.Message}); reading without one. A Remove-DrBackup that starts while this {reader} runs could make it report chunks as missing: if it does, re-run it.");
            }
            var handle = new RepositoryLockHandle(this, l);
            try
            {
                await WaitForPruneAsync(timeout ?? LockWaitDefault, reporter, ct, reader).ConfigureAwait(false);
            }
            catch
            {
                await handle.ReleaseAsync().ConfigureAwait(false);
                throw;
            }
            return handle;
        }

        /// <summary>
        /// The prune lock, held by one prune at a time. Checked under the lock: a prune writes its lock, then lists the
        /// prune locks. It goes ahead only when it sees no other live one (whichever prune writes second sees the first).
        /// When it sees others, the one with the smallest id keeps its lock and waits for the others to go; the others
        /// remove theirs and wait for it. DrTools.RepositoryLocked after <paramref name="timeout"/>; nothing is changed
        /// before the lock is held.
        /// </summary>
        public async Task<RepositoryLockHandle> AcquirePruneLockAsync(TimeSpan timeout, IOperationReporter reporter, CancellationToken ct)
        {
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (true)
            {
                var mine = await AcquireLockAsync(PruneLockKind, ct).ConfigureAwait(false);
                try
                {
                    var others = await LiveLocksAsync(PruneLockKind, mine.Id, reporter, ct).ConfigureAwait(false);
                    while (others.Count > 0 && others.All(o => string.CompareOrdinal(mine.Id, o.Id) < 0))
                    {
                        // Ours is the oldest: newer prunes back off; wait for their locks to go (or for one that ran already to finish).
                        if (waited.Elapsed > timeout) throw PruneLocked(others[0], timeout);
                        reporter.Progress(new ProgressUpdate(41, "Backup repository", $"Waiting for prune {others[0].Id} on {others[0].Host} to finish"));
                        await Task.Delay(TimeSpan.FromSeconds(2), ct).ConfigureAwait(false);
                        others = await LiveLocksAsync(PruneLockKind, mine.Id, reporter, ct).ConfigureAwait(false);
                    }
                    if (others.Count == 0) return new RepositoryLockHandle(this, mine);
                }
                catch
                {
                    await ReleaseLockAsync(mine).ConfigureAwait(false);
                    throw;
                }
                // An older prune lock: back off, wait until no prune lock is left, and try again.
                await ReleaseLockAsync(mine).ConfigureAwait(false);
                var left = timeout - waited.Elapsed;
                await WaitForPruneAsync(left < TimeSpan.Zero ? TimeSpan.Zero : left, reporter, ct, "prune").ConfigureAwait(false);
            }
        }

        DrToolsException PruneLocked(RepositoryLock other, TimeSpan timeout) =>
            new(BackupErrorIds.RepositoryLocked, DrErrorCategory.ResourceUnavailable,
                $"Another Remove-DrBackup is pruning {Location} (lock {other.Id} of process {other.ProcessId} on {other.Host}); this prune waited {timeout.TotalMinutes:0} minutes and changed nothing.", Location,
                $"Re-run when the other prune has finished. A lock whose process is no longer running is taken over at once on the computer that wrote it; " +
                $"from another computer it is ignored once it has not been refreshed for {LockStaleAfter.TotalMinutes:0} minutes.");

        public Task WriteLockAsync(RepositoryLock l, CancellationToken ct)
        {
            var bytes = Json.Serialize(l);
            return Store.PutAsync(LockPrefix + l.Id + ".json", bytes, bytes.Length, Sha(bytes), ct);
        }

        public async Task ReleaseLockAsync(RepositoryLock l)
        {
            // Released also after cancellation: a lock left behind would hold off prune until it goes stale.
            try { await Store.DeleteAsync(new[] { LockPrefix + l.Id + ".json" }, CancellationToken.None).ConfigureAwait(false); }
            catch (DrToolsException) { /* it goes stale */ }
        }

        /// <summary>
        /// Locks of other runs that are still live: refreshed within <see cref="LockStaleAfter"/>, and, for a lock written
        /// on this computer with its process start time, whose process still runs. A lock whose process is gone is
        /// taken over: deleted, with a warning that names it.
        /// </summary>
        public async Task<List<RepositoryLock>> LiveLocksAsync(string kind, string? exceptId, IOperationReporter reporter, CancellationToken ct)
        {
            var result = new List<RepositoryLock>();
            foreach (var o in await Store.ListAsync(LockPrefix, ct).ConfigureAwait(false))
            {
                var bytes = await ReadAllAsync(Store, o.Key, ct).ConfigureAwait(false);
                if (bytes == null) continue;
                RepositoryLock l;
                try { l = Json.Deserialize<RepositoryLock>(bytes, o.Key); }
                catch (DrToolsException) { continue; }
                if (l.Kind != kind || l.Id == exceptId) continue;
                var seen = new[] { l.Refreshed, o.LastModifiedUtc }.Max();
                if (DateTime.UtcNow - seen > LockStaleAfter)
                {
                    reporter.Verbose($"Ignoring stale {l.Kind} lock {l.Id} from {l.Host} (last refreshed {seen:u}).");
                    continue;
                }
                if (OwnerIsGone(l))
                {
                    try { await Store.DeleteAsync(new[] { o.Key }, ct).ConfigureAwait(false); }
                    catch (DrToolsException) { /* read-only here: ignored all the same */ }
                    reporter.Warning($"Took over the {l.Kind} lock {l.Id}: its process {l.ProcessId} on this computer ({l.Host}, started {l.ProcessStart:u}) is no longer running. " +
                        "An interrupted run leaves the repository consistent (an interrupted backup leaves no backup set; run it again).");
                    continue;
                }
                result.Add(l);
            }
            return result;
        }

        /// <summary>
        /// True only when the lock was written on this computer (its <see cref="RepositoryLock.HostId"/> is ours), records
        /// its process's start time, and no process with that id and start time runs here. Anything unknown (another computer, an older lock, a process this account
        /// may not inspect) is false: such a lock goes stale instead.
        /// </summary>
        internal static bool OwnerIsGone(RepositoryLock l)
        {
            if (l.ProcessStart is not { } started || l.ProcessId <= 0 || !string.Equals(l.HostId, LocalHostId, StringComparison.OrdinalIgnoreCase)) return false;
            try
            {
                using var p = System.Diagnostics.Process.GetProcessById(l.ProcessId);
                var actual = p.StartTime.ToUniversalTime();
                return (actual - started.ToUniversalTime()).Duration() > StartTimeSlack;
            }
            catch (ArgumentException)
            {
                return true; // no process with that id runs here
            }
            catch (Exception ex) when (ex is InvalidOperationException or NotSupportedException or System.ComponentModel.Win32Exception or UnauthorizedAccessException)
            {
                return false;
            }
        }

        /// <summary>
        /// Removes the temporary files (<c>.drtmp-*</c>) that killed runs left in a folder repository, among those its
        /// listings met: in locks/, and wherever another backup or prune holds a live lock, those older than
        /// <see cref="LockStaleAfter"/>; when no other backup or prune runs, every one older than a few minutes (the margin
        /// covers a put that starts meanwhile on a computer whose clock differs a little).
        /// </summary>
        internal async Task RemoveLeftoverTemporariesAsync(RepositoryLock? mine, IOperationReporter reporter, CancellationToken ct)
        {
            if (Store is not FolderStore folder || !folder.HasTemporaries) return;
            var now = DateTime.UtcNow;
            var writers = (await LiveLocksAsync(BackupLockKind, mine?.Id, reporter, ct).ConfigureAwait(false)).Count
                + (await LiveLocksAsync(PruneLockKind, mine?.Id, reporter, ct).ConfigureAwait(false)).Count;
            var stale = now - LockStaleAfter;
            var leftover = writers == 0 ? now - TimeSpan.FromMinutes(5) : stale;
            var removed = folder.RemoveTemporaries(key => key.StartsWith(LockPrefix, StringComparison.Ordinal) ? stale : leftover);
            if (removed > 0) reporter.Verbose($"Removed {removed} temporary file(s) that interrupted runs left in {Location}.");
        }

        /// <summary>Refreshes a lock in the background until the returned handle is disposed.</summary>
        public IDisposable KeepLockAlive(RepositoryLock l)
        {
            var cts = new CancellationTokenSource();
            var loop = Task.Run(async () =>
            {
                while (!cts.IsCancellationRequested)
                {
                    try
                    {
                        await Task.Delay(LockRefreshEvery, cts.Token).ConfigureAwait(false);
                        l.Refreshed = DateTime.UtcNow;
                        await WriteLockAsync(l, cts.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) { return; }
                    catch (DrToolsException) { /* retried at the next tick */ }
                }
            });
            return new Releaser(cts, loop);
        }

        sealed class Releaser : IDisposable
        {
            readonly CancellationTokenSource _cts;
            readonly Task _loop;
            public Releaser(CancellationTokenSource cts, Task loop) { _cts = cts; _loop = loop; }

            public void Dispose()
            {
                _cts.Cancel();
                // A refresh still being written would bring the lock back after its release: let it end first (it was cancelled).
                try { _loop.Wait(TimeSpan.FromSeconds(10)); }
                catch (AggregateException) { }
                _cts.Dispose();
            }
        }
    }

    /// <summary>A lock a run holds, refreshed in the background until <see cref="ReleaseAsync"/>; <see cref="Lock"/> is null when it could not be written.</summary>
    public sealed class RepositoryLockHandle
    {
        readonly BackupRepository _repo;
        readonly IDisposable? _keepAlive;

        internal RepositoryLockHandle(BackupRepository repo, RepositoryLock? l)
        {
            _repo = repo;
            Lock = l;
            if (l != null) _keepAlive = repo.KeepLockAlive(l);
        }

        public RepositoryLock? Lock { get; }

        int _released;

        public async Task ReleaseAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) != 0) return;
            _keepAlive?.Dispose();
            if (Lock != null) await _repo.ReleaseLockAsync(Lock).ConfigureAwait(false);
        }
    }
}
