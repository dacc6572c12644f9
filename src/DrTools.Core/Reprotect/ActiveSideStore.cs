using System;
using System.IO;
using System.Security.Cryptography;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Backup.Storage;
using DrTools.Core.Diagnostics;
using DrTools.Core.Recovery.Engine;

namespace DrTools.Core.Reprotect
{
    /// <summary>
    /// The active side of each plan, beside the recovery journals (the same folder or S3 prefix): key
    /// active/&lt;plan&gt;.json, written atomically like a journal. A missing record means the primary side is active.
    /// </summary>
    public sealed class ActiveSideStore
    {
        readonly IRepositoryStore _store;

        public ActiveSideStore(IRepositoryStore store) => _store = store ?? throw new ArgumentNullException(nameof(store));

        public ActiveSideStore(RecoveryJournalStore journals) : this((journals ?? throw new ArgumentNullException(nameof(journals))).Store) { }

        static string KeyOf(string plan) => "active/" + RecoveryJournalStore.SafeName(plan) + ".json";

        /// <summary>Where the record of the plan is, as users see it.</summary>
        public string PathOf(string plan) => _store is FolderStore
            ? Path.Combine(_store.Location, KeyOf(plan).Replace('/', Path.DirectorySeparatorChar))
            : _store.Location.TrimEnd('/') + "/" + KeyOf(plan);

        /// <summary>The plan's record; null when the plan has never failed over.</summary>
        /// <exception cref="DrToolsException">DrTools.JournalError when the record cannot be read or is damaged.</exception>
        public async Task<ActiveSide?> LoadAsync(string plan, CancellationToken cancellationToken)
        {
            var path = PathOf(plan);
            try
            {
                using var stream = await _store.OpenReadAsync(KeyOf(plan), cancellationToken).ConfigureAwait(false);
                if (stream == null) return null;
                using var buffer = new MemoryStream();
                await stream.CopyToAsync(buffer, 81920, cancellationToken).ConfigureAwait(false);
                var side = JsonSerializer.Deserialize<ActiveSide>(buffer.ToArray(), RecoveryJournalStore.Json)
                           ?? throw new JsonException("the file is empty (null)");
                if (side.FormatVersion > ActiveSide.CurrentFormatVersion)
                    throw new JsonException($"format version {side.FormatVersion} is newer than this DrTools understands ({ActiveSide.CurrentFormatVersion})");
                if (!string.Equals(side.Plan, plan, StringComparison.Ordinal))
                    throw new JsonException($"it belongs to plan '{side.Plan}'");
                return side;
            }
            catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException or NotSupportedException
                                           || ex is DrToolsException)
            {
                throw new DrToolsException(ErrorIds.JournalError, DrErrorCategory.ReadError,
                    $"Could not read which side of plan '{plan}' is active from '{path}': {ex.Message}", path,
                    "Check -JournalPath and access to it. If the record is damaged, restore it from the journal location's backup " +
                    "(the last failover, re-protect or failback run's result says which side is active).", ex);
            }
        }

        /// <summary>Writes the record atomically (a folder store renames a flushed temporary file over it).</summary>
        /// <exception cref="DrToolsException">DrTools.JournalError when it cannot be written.</exception>
        public async Task<string> SaveAsync(ActiveSide side, CancellationToken cancellationToken)
        {
            if (side == null) throw new ArgumentNullException(nameof(side));
            var path = PathOf(side.Plan);
            var bytes = JsonSerializer.SerializeToUtf8Bytes(side, RecoveryJournalStore.Json);
            byte[] sha256;
            using (var sha = SHA256.Create()) sha256 = sha.ComputeHash(bytes);
            try
            {
                await _store.PutAsync(KeyOf(side.Plan), bytes, bytes.Length, sha256, cancellationToken).ConfigureAwait(false);
                return path;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException
                                           || ex is DrToolsException)
            {
                throw new DrToolsException(ErrorIds.JournalError, DrErrorCategory.WriteError,
                    $"Could not record which side of plan '{side.Plan}' is active in '{path}': {ex.Message}", path,
                    "Check that the journal location (folder or S3 prefix) is writable, then run the same command again with -Resume.", ex);
            }
        }
    }
}
