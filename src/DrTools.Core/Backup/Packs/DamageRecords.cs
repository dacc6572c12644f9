using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Backup.Storage;
using DrTools.Core.Diagnostics;

namespace DrTools.Core.Backup.Packs
{
    /// <summary>One stored copy of a blob that does not hash to its name (or does not decompress).</summary>
    public sealed class DamagedBlob
    {
        public string Blob { get; set; } = "";
        public string Pack { get; set; } = "";
        public string Reason { get; set; } = "";

        /// <summary>When the damage was found: a pack stored again after that (same name, new bytes) is no longer damaged.</summary>
        public DateTime Found { get; set; }
    }

    /// <summary>damaged/&lt;sha256&gt;: a list of damaged blob copies, written by whatever operation found them.</summary>
    internal sealed class DamageRecord
    {
        public DateTime Found { get; set; }
        public List<DamagedBlob> Blobs { get; set; } = new();
    }

    /// <summary>
    /// The repository's record of damaged blob copies (docs/repository-format.md, "Damaged blobs and repair"). Verify,
    /// restore, backup and repair add to it; every operation reads it with the index, so a backup stores a damaged
    /// blob again instead of reusing it, and readers prefer the new copy.
    /// </summary>
    internal static class DamageRecords
    {
        public static async Task<List<DamagedBlob>> ReadAsync(IRepositoryStore store, IOperationReporter reporter, CancellationToken ct)
        {
            var result = new List<DamagedBlob>();
            foreach (var o in await store.ListAsync(BackupRepository.DamagedPrefix, ct).ConfigureAwait(false))
            {
                var name = RepositoryIndex.PackIdOf(o.Key);
                if (name.Length == 0) continue;
                var bytes = await BackupRepository.ReadAllAsync(store, o.Key, ct).ConfigureAwait(false);
                if (bytes == null) continue; // replaced by a repair since the listing
                if (Json.Sha256Hex(bytes, bytes.Length) != name)
                {
                    reporter.Warning($"{o.Key} in {store.Location} is damaged itself (it does not hash to its name) and is ignored; Repair-DrBackup -ReadData finds the damaged blobs again.");
                    continue;
                }
                DamageRecord record;
                try { record = Json.Deserialize<DamageRecord>(bytes, o.Key); }
                catch (DrToolsException ex)
                {
                    reporter.Warning($"{ex.Message} It is ignored.");
                    continue;
                }
                foreach (var b in (record.Blobs ?? new List<DamagedBlob>()).Where(b => b != null && Json.IsBlobId(b.Blob) && Json.IsBlobId(b.Pack)))
                {
                    if (b.Found == default) b.Found = record.Found;
                    result.Add(b);
                }
            }
            return result;
        }

        /// <summary>Writes one record of <paramref name="blobs"/>; returns its key (null when there is nothing to record).</summary>
        public static async Task<string?> WriteAsync(IRepositoryStore store, IReadOnlyCollection<DamagedBlob> blobs, CancellationToken ct)
        {
            if (blobs.Count == 0) return null;
            var now = DateTime.UtcNow;
            foreach (var b in blobs.Where(b => b.Found == default)) b.Found = now;
            var bytes = Json.Serialize(new DamageRecord { Found = now, Blobs = blobs.OrderBy(b => b.Pack, StringComparer.Ordinal).ThenBy(b => b.Blob, StringComparer.Ordinal).ToList() });
            var sha = BackupRepository.Sha(bytes);
            var key = BackupRepository.DamagedPrefix + Json.Hex(sha);
            await store.PutAsync(key, bytes, bytes.Length, sha, ct).ConfigureAwait(false);
            return key;
        }

        /// <summary>
        /// Records the damage this run found (best effort: a reader may have read-only access). The next backup then
        /// stores those blobs again.
        /// </summary>
        public static async Task RecordNewAsync(IRepositoryStore store, RepositoryIndex index, IOperationReporter reporter, CancellationToken ct)
        {
            var found = index.NewlyDamaged;
            if (found.Count == 0) return;
            try
            {
                await WriteAsync(store, found, ct).ConfigureAwait(false);
                reporter.Verbose($"Recorded {found.Count} damaged blob(s) in {store.Location}; the next Invoke-DrBackup of the same data stores them again.");
            }
            catch (DrToolsException ex)
            {
                reporter.Warning($"Could not record the {found.Count} damaged blob(s) in {store.Location} ({ex.Message}); run Repair-DrBackup -ReadData with write access so the next backup stores them again.");
            }
        }
    }
}
