using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Aws.S3;
using DrTools.Core.Diagnostics;

namespace DrTools.Core.Backup.Storage
{
    /// <summary>How objects are stored in an S3 repository.</summary>
    public sealed class S3StoreOptions
    {
        /// <summary>SSE-KMS with this key (id, alias or ARN); SSE-S3 (AES256) when null.</summary>
        public string? KmsKeyId { get; set; }

        /// <summary>S3 storage class for chunks and manifests (STANDARD when null).</summary>
        public string? StorageClass { get; set; }

        /// <summary>Object Lock mode (GOVERNANCE or COMPLIANCE) applied with <see cref="RetainUntil"/>.</summary>
        public string? RetentionMode { get; set; }

        public DateTime? RetainUntil { get; set; }

        /// <summary>Servers without server-side encryption support (some S3-compatible ones): send no SSE header.</summary>
        public bool NoServerSideEncryption { get; set; }
    }

    /// <summary>
    /// A repository under s3://bucket/prefix. Each put sends its SHA-256 as x-amz-checksum-sha256 so S3 rejects a
    /// body that was damaged on the way; objects are encrypted at rest (SSE-S3 or SSE-KMS).
    /// </summary>
    /// <summary>
    /// A repository in s3://bucket/prefix, over the shared S3 service (checksummed puts, paging, batched deletes,
    /// wrong-region detection and error mapping all live there).
    /// </summary>
    public sealed class S3Store : IRepositoryStore
    {
        readonly IS3Service _s3;
        readonly string _bucket;
        readonly string _prefix;
        readonly S3StoreOptions _options;

        public S3Store(IS3Service s3, string bucket, string prefix, S3StoreOptions? options = null)
        {
            _s3 = s3;
            _bucket = bucket;
            _prefix = prefix;
            _options = options ?? new S3StoreOptions();
        }

        public string Location => $"s3://{_bucket}/{_prefix}".TrimEnd('/');

        public async Task PutAsync(string key, byte[] content, int length, byte[] sha256, CancellationToken ct)
        {
            var request = new S3PutRequest(_bucket, _prefix + key)
            {
                Sha256 = sha256,
                Encryption = _options.NoServerSideEncryption ? S3Encryption.BucketDefault
                    : _options.KmsKeyId != null ? S3Encryption.Kms(_options.KmsKeyId) : S3Encryption.Aes256,
                StorageClass = _options.StorageClass,
                ObjectLockMode = _options.RetainUntil != null ? _options.RetentionMode ?? "GOVERNANCE" : null,
                RetainUntil = _options.RetainUntil?.ToUniversalTime(),
            };
            try
            {
                using var body = new MemoryStream(content, 0, length, writable: false);
                await _s3.PutObjectAsync(request, body, length, ct).ConfigureAwait(false);
            }
            catch (DrToolsException ex) when (ex.AwsErrorCode is "BadDigest" or "XAmzContentSHA256Mismatch" or "InvalidDigest")
            {
                throw BackupErrors.Integrity($"S3 rejected {key}: the bytes it received do not match their SHA-256 (damaged on the way).", key, ex);
            }
        }

        public Task<Stream?> OpenReadAsync(string key, CancellationToken ct) => OpenAsync(key, 0, null, ct);

        public Task<Stream?> OpenRangeAsync(string key, long offset, long length, CancellationToken ct) =>
            length <= 0 ? Task.FromResult<Stream?>(new MemoryStream(Array.Empty<byte>())) : OpenAsync(key, offset, offset + length - 1, ct);

        /// <summary>
        /// Bytes [<paramref name="first"/>, <paramref name="last"/>] of an object (to its end when <paramref name="last"/> is
        /// null) as a stream that re-requests the rest when the download breaks off (<see cref="ResumingReadStream"/>).
        /// </summary>
        async Task<Stream?> OpenAsync(string key, long first, long? last, CancellationToken ct)
        {
            async Task<(Stream, long)?> Get(long position, CancellationToken token)
            {
                try
                {
                    var start = first + position;
                    // Resuming a whole-object read past its start asks for the rest as an open range.
                    var content = await _s3.GetObjectAsync(_bucket, _prefix + key, last != null || start > 0 ? start : null, last, token).ConfigureAwait(false);
                    return (new ContentStream(content), content.Length);
                }
                catch (DrToolsException ex) when (ex.AwsErrorCode == "NoSuchKey")
                {
                    return null;
                }
            }
            var opened = await Get(0, ct).ConfigureAwait(false);
            if (opened is not { } body) return null;
            return new ResumingReadStream(body.Item1, body.Item2, (p, t) => Get(p, t), $"s3://{_bucket}/{_prefix}{key}");
        }

        public async Task<bool> ExistsAsync(string key, CancellationToken ct) =>
            await _s3.HeadObjectAsync(_bucket, _prefix + key, ct).ConfigureAwait(false) != null;

        public async Task<IReadOnlyList<StoredObject>> ListAsync(string prefix, CancellationToken ct)
        {
            var objects = await _s3.ListObjectsAsync(_bucket, _prefix + prefix, ct).ConfigureAwait(false);
            return objects.Select(o => new StoredObject(o.Key.Substring(_prefix.Length), o.Size, (o.LastModified ?? DateTime.UtcNow).ToUniversalTime())).ToList();
        }

        public async Task DeleteAsync(IReadOnlyList<string> keys, CancellationToken ct)
        {
            var result = await _s3.DeleteObjectsAsync(_bucket, keys.Select(k => _prefix + k), ct).ConfigureAwait(false);
            var failed = result.Failures.Where(f => f.Code != "NoSuchKey").ToList();
            if (failed.Count == 0) return;
            var first = failed[0];
            throw new DrToolsException(first.Code == "AccessDenied" ? ErrorIds.AccessDenied : ErrorIds.ServiceError,
                first.Code == "AccessDenied" ? DrErrorCategory.PermissionDenied : DrErrorCategory.WriteError,
                $"S3 DeleteObjects could not delete {failed.Count} object(s), e.g. {first.Key}: {first.Message} (AWS error {first.Code}).",
                $"s3://{_bucket}/{first.Key}",
                "Objects under Object Lock retention cannot be deleted before their retain-until date; otherwise check s3:DeleteObject permission and re-run.")
            { AwsErrorCode = first.Code, Service = "S3" };
        }

        public async Task<bool> LocationExistsAsync(CancellationToken ct)
        {
            try
            {
                // A one-key listing: needs only s3:ListBucket, which every repository user has anyway.
                await _s3.ListObjectsPageAsync(_bucket, _prefix, null, null, 1, ct).ConfigureAwait(false);
                return true;
            }
            catch (DrToolsException ex) when (ex.AwsErrorCode == "NoSuchBucket")
            {
                return false;
            }
        }

        /// <summary>The object's body; disposing it releases the response.</summary>
        sealed class ContentStream : Stream
        {
            readonly S3ObjectContent _content;
            public ContentStream(S3ObjectContent content) => _content = content;
            public override bool CanRead => true;
            public override bool CanSeek => false;
            public override bool CanWrite => false;
            public override long Length => _content.Length;
            public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
            public override void Flush() { }
            public override int Read(byte[] buffer, int offset, int count) => _content.Stream.Read(buffer, offset, count);
            public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) => _content.Stream.ReadAsync(buffer, offset, count, ct);
            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
            public override void SetLength(long value) => throw new NotSupportedException();
            public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
            protected override void Dispose(bool disposing)
            {
                if (disposing) _content.Dispose();
                base.Dispose(disposing);
            }
        }
    }
}
