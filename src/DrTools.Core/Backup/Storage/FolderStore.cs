using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Diagnostics;

namespace DrTools.Core.Backup.Storage
{
    /// <summary>
    /// A repository in a local or UNC folder. Every put writes a temporary file next to its final name, flushes it
    /// to disk, re-reads and hashes it, and only then renames it into place, so a crash never leaves a partial object.
    /// </summary>
    public sealed class FolderStore : IRepositoryStore
    {
        internal const string TempMarker = ".drtmp-";
        readonly string _root;

        // Temporary files of puts met while listing (full path -> key): the repository decides which are leftovers.
        readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _temporaries = new(StringComparer.Ordinal);

        public FolderStore(string root) => _root = root;

        public string Location => _root;

        string PathOf(string key) => Path.Combine(_root, key.Replace('/', Path.DirectorySeparatorChar));

        public async Task PutAsync(string key, byte[] content, int length, byte[] sha256, CancellationToken ct)
        {
            var final = PathOf(key);
            var dir = Path.GetDirectoryName(final)!;
            var temp = Path.Combine(dir, TempMarker + Guid.NewGuid().ToString("N"));
            try
            {
                Directory.CreateDirectory(dir);
                using (var fs = new FileStream(temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 81920, FileOptions.Asynchronous))
                {
                    await fs.WriteAsync(content, 0, length, ct).ConfigureAwait(false);
                    fs.Flush(true);
                    fs.Position = 0;
                    using var sha = SHA256.Create();
                    var actual = sha.ComputeHash(fs);
                    if (!actual.AsSpan().SequenceEqual(sha256))
                        throw BackupErrors.Integrity($"Writing {key} to {_root} stored different bytes than were sent (disk or network share fault).", final);
                }
                if (File.Exists(final))
                    File.Replace(temp, final, null);
                else
                    File.Move(temp, final);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                TryDelete(temp);
                throw WriteError(ex, final);
            }
            catch
            {
                TryDelete(temp);
                throw;
            }
        }

        internal static DrToolsException WriteError(Exception ex, string path)
        {
            if (DiskSpace.IsDiskFull(ex))
                return new DrToolsException(BackupErrorIds.DiskFull, DrErrorCategory.WriteError,
                    $"The disk holding '{path}' is full.", path, "Free space on that disk or choose another location, then re-run; nothing partial was kept.", ex);
            if (ex is UnauthorizedAccessException)
                return new DrToolsException(ErrorIds.AccessDenied, DrErrorCategory.PermissionDenied,
                    $"Access to '{path}' was denied: {ex.Message}", path, "Run as an account that can write there, or choose another location.", ex);
            return new DrToolsException(ErrorIds.ServiceError, DrErrorCategory.WriteError, $"Could not write '{path}': {ex.Message}", path,
                "Check the disk or network share and re-run.", ex);
        }

        static void TryDelete(string path)
        {
            try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }

        public async Task<Stream?> OpenRangeAsync(string key, long offset, long length, CancellationToken ct)
        {
            var stream = await OpenReadAsync(key, ct).ConfigureAwait(false);
            if (stream == null) return null;
            try
            {
                // A window over the file: callers read exactly the blob bytes, as from an S3 ranged GET.
                stream.Seek(Math.Min(offset, stream.Length), SeekOrigin.Begin);
                return new WindowStream(stream, Math.Max(0, Math.Min(length, stream.Length - offset)));
            }
            catch
            {
                stream.Dispose();
                throw;
            }
        }

        public Task<Stream?> OpenReadAsync(string key, CancellationToken ct)
        {
            var path = PathOf(key);
            try
            {
                return Task.FromResult<Stream?>(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 81920, FileOptions.Asynchronous | FileOptions.SequentialScan));
            }
            catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
            {
                return Task.FromResult<Stream?>(null);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new DrToolsException(ErrorIds.ServiceError, DrErrorCategory.ReadError, $"Could not read '{path}': {ex.Message}", path,
                    "Check the disk or network share and permissions, then re-run.", ex);
            }
        }

        public Task<bool> ExistsAsync(string key, CancellationToken ct) => Task.FromResult(File.Exists(PathOf(key)));

        public Task<IReadOnlyList<StoredObject>> ListAsync(string prefix, CancellationToken ct)
        {
            // List the deepest folder the prefix names, then filter by the rest of the prefix.
            var slash = prefix.LastIndexOf('/');
            var dir = slash < 0 ? _root : PathOf(prefix.Substring(0, slash));
            var result = new List<StoredObject>();
            if (!Directory.Exists(dir)) return Task.FromResult<IReadOnlyList<StoredObject>>(result);
            try
            {
                foreach (var file in new DirectoryInfo(dir).EnumerateFiles("*", SearchOption.AllDirectories))
                {
                    ct.ThrowIfCancellationRequested();
                    var key = file.FullName.Substring(_root.Length).TrimStart(Path.DirectorySeparatorChar).Replace(Path.DirectorySeparatorChar, '/');
                    if (file.Name.StartsWith(TempMarker, StringComparison.Ordinal))
                    {
                        _temporaries[file.FullName] = key;
                        continue;
                    }
                    if (key.StartsWith(prefix, StringComparison.Ordinal))
                        result.Add(new StoredObject(key, file.Length, file.LastWriteTimeUtc));
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new DrToolsException(ErrorIds.ServiceError, DrErrorCategory.ReadError, $"Could not list '{dir}': {ex.Message}", dir,
                    "Check the disk or network share and permissions, then re-run.", ex);
            }
            return Task.FromResult<IReadOnlyList<StoredObject>>(result);
        }

        public Task DeleteAsync(IReadOnlyList<string> keys, CancellationToken ct)
        {
            foreach (var key in keys)
            {
                ct.ThrowIfCancellationRequested();
                var path = PathOf(key);
                try { File.Delete(path); }
                catch (DirectoryNotFoundException) { }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    throw new DrToolsException(ErrorIds.ServiceError, DrErrorCategory.WriteError, $"Could not delete '{path}': {ex.Message}", path,
                        "Check permissions on the repository folder and re-run; the repository stays consistent.", ex);
                }
            }
            return Task.CompletedTask;
        }

        public Task<bool> LocationExistsAsync(CancellationToken ct) => Task.FromResult(Directory.Exists(_root));

        /// <summary>True when listings have met temporary files (of this or earlier runs' puts).</summary>
        internal bool HasTemporaries => !_temporaries.IsEmpty;

        /// <summary>Deletes the temporary files met while listing that were last written before the cutoff given for their key; returns how many went.</summary>
        internal int RemoveTemporaries(Func<string, DateTime> cutoffForKey)
        {
            int removed = 0;
            foreach (var kv in _temporaries.ToArray())
            {
                try
                {
                    var info = new FileInfo(kv.Key);
                    if (info.Exists && info.LastWriteTimeUtc < cutoffForKey(kv.Value))
                    {
                        info.Delete();
                        removed++;
                    }
                    if (!File.Exists(kv.Key)) _temporaries.TryRemove(kv.Key, out _);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // In use or not ours to delete: left for a later run.
                }
            }
            return removed;
        }

        /// <summary>Creates the root folder (a new repository).</summary>
        internal void CreateRoot() => Directory.CreateDirectory(_root);
    }

    internal static class DiskSpace
    {
        /// <summary>ERROR_DISK_FULL / ERROR_HANDLE_DISK_FULL on Windows, ENOSPC (28) on Unix.</summary>
        public static bool IsDiskFull(Exception ex)
        {
            for (var e = ex; e != null; e = e.InnerException)
            {
                if (e is not IOException) continue;
                if (e.HResult is unchecked((int)0x80070070) or unchecked((int)0x80070027) || e.HResult == 28) return true;
                if (e.Message.IndexOf("No space left", StringComparison.OrdinalIgnoreCase) >= 0 ||
                    e.Message.IndexOf("not enough space", StringComparison.OrdinalIgnoreCase) >= 0) return true;
            }
            return false;
        }
    }

    /// <summary>Reads at most a given number of bytes from an inner stream, then reports the end.</summary>
    internal sealed class WindowStream : Stream
    {
        readonly Stream _inner;
        long _left;
        readonly long _length;

        public WindowStream(Stream inner, long length)
        {
            _inner = inner;
            _left = _length = length;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => _length;
        public override long Position { get => _length - _left; set => throw new NotSupportedException(); }
        public override void Flush() { }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_left <= 0) return 0;
            var n = _inner.Read(buffer, offset, (int)Math.Min(count, _left));
            _left -= n;
            return n;
        }

        public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct)
        {
            if (_left <= 0) return 0;
            var n = await _inner.ReadAsync(buffer, offset, (int)Math.Min(count, _left), ct).ConfigureAwait(false);
            _left -= n;
            return n;
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) _inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
