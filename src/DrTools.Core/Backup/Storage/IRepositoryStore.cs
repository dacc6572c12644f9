using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace DrTools.Core.Backup.Storage
{
    /// <summary>One object in a repository store: key relative to the repository root ('/' separated).</summary>
    public sealed record StoredObject(string Key, long Size, DateTime LastModifiedUtc);

    /// <summary>
    /// The few object operations a backup repository needs, over a folder or an S3 prefix. Keys are relative to
    /// the repository root and '/' separated. Implementations are safe for concurrent use.
    /// </summary>
    public interface IRepositoryStore
    {
        /// <summary>The repository location as users see it.</summary>
        string Location { get; }

        /// <summary>
        /// Stores <paramref name="length"/> bytes under <paramref name="key"/> atomically (readers never see a partial
        /// object) and verifies that what was stored hashes to <paramref name="sha256"/>; replaces an existing object.
        /// </summary>
        Task PutAsync(string key, byte[] content, int length, byte[] sha256, CancellationToken ct);

        /// <summary>Opens an object for reading; null when it does not exist.</summary>
        Task<Stream?> OpenReadAsync(string key, CancellationToken ct);

        /// <summary>
        /// Opens <paramref name="length"/> bytes of an object from <paramref name="offset"/> (a blob inside a pack); null
        /// when the object does not exist. A range past the end returns what there is; the caller's hash checks decide.
        /// </summary>
        Task<Stream?> OpenRangeAsync(string key, long offset, long length, CancellationToken ct);

        Task<bool> ExistsAsync(string key, CancellationToken ct);

        /// <summary>Every object whose key starts with <paramref name="prefix"/> (all pages).</summary>
        Task<IReadOnlyList<StoredObject>> ListAsync(string prefix, CancellationToken ct);

        /// <summary>Deletes the objects; keys that do not exist are ignored.</summary>
        Task DeleteAsync(IReadOnlyList<string> keys, CancellationToken ct);

        /// <summary>True when the location exists (folder present / bucket reachable), even if it holds no repository.</summary>
        Task<bool> LocationExistsAsync(CancellationToken ct);
    }
}
