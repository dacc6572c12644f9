using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using Amazon.S3;
using Amazon.S3.Model;
using DrTools.Core.Connection;
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
    public sealed class S3Store : IRepositoryStore
    {
        readonly IAmazonS3 _s3;
        readonly string _bucket;
        readonly string _prefix;
        readonly S3StoreOptions _options;
        readonly AwsConnection? _connection;

        public S3Store(IAmazonS3 s3, string bucket, string prefix, S3StoreOptions? options = null, AwsConnection? connection = null)
        {
            _s3 = s3;
            _bucket = bucket;
            _prefix = prefix;
            _options = options ?? new S3StoreOptions();
            _connection = connection;
        }

        public string Location => $"s3://{_bucket}/{_prefix}".TrimEnd('/');

        DrToolsException Map(Exception ex, string operation, string? key) =>
            AwsErrorMapper.Map(ex, "S3", operation, key == null ? $"bucket '{_bucket}'" : $"s3://{_bucket}/{_prefix}{key}",
                key == null ? Location : $"s3://{_bucket}/{_prefix}{key}", _connection);

        public async Task PutAsync(string key, byte[] content, int length, byte[] sha256, CancellationToken ct)
        {
            var request = new PutObjectRequest
            {
                BucketName = _bucket,
                Key = _prefix + key,
                InputStream = new MemoryStream(content, 0, length, writable: false),
                AutoCloseStream = true,
                ChecksumSHA256 = Convert.ToBase64String(sha256),
                // A plain signed body: S3-compatible servers (Ceph RGW, Swift) reject or mangle aws-chunked uploads.
                UseChunkEncoding = false,
            };
            request.Headers.ContentLength = length;
            if (!_options.NoServerSideEncryption)
            {
                if (_options.KmsKeyId != null)
                {
                    request.ServerSideEncryptionMethod = ServerSideEncryptionMethod.AWSKMS;
                    request.ServerSideEncryptionKeyManagementServiceKeyId = _options.KmsKeyId;
                }
                else
                {
                    request.ServerSideEncryptionMethod = ServerSideEncryptionMethod.AES256;
                }
            }
            if (_options.StorageClass != null) request.StorageClass = S3StorageClass.FindValue(_options.StorageClass);
            if (_options.RetainUntil is { } until)
            {
                request.ObjectLockMode = ObjectLockMode.FindValue(_options.RetentionMode ?? "GOVERNANCE");
                request.ObjectLockRetainUntilDate = until.ToUniversalTime();
            }
            try
            {
                await _s3.PutObjectAsync(request, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (!AwsErrorMapper.IsCancellation(ex, ct))
            {
                if (ex is AmazonS3Exception { ErrorCode: "BadDigest" or "XAmzContentSHA256Mismatch" or "InvalidDigest" })
                    throw BackupErrors.Integrity($"S3 rejected {key}: the bytes it received do not match their SHA-256 (damaged on the way).", key, ex);
                throw Map(ex, "PutObject", key);
            }
        }

        public async Task<Stream?> OpenReadAsync(string key, CancellationToken ct)
        {
            try
            {
                var response = await _s3.GetObjectAsync(new GetObjectRequest { BucketName = _bucket, Key = _prefix + key }, ct).ConfigureAwait(false);
                return new ResponseStream(response);
            }
            catch (AmazonS3Exception ex) when (ex.ErrorCode == "NoSuchKey" || ex.StatusCode == HttpStatusCode.NotFound && ex.ErrorCode != "NoSuchBucket")
            {
                return null;
            }
            catch (Exception ex) when (!AwsErrorMapper.IsCancellation(ex, ct))
            {
                throw Map(ex, "GetObject", key);
            }
        }

        public async Task<bool> ExistsAsync(string key, CancellationToken ct)
        {
            try
            {
                await _s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = _bucket, Key = _prefix + key }, ct).ConfigureAwait(false);
                return true;
            }
            catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound && ex.ErrorCode != "NoSuchBucket")
            {
                // HEAD has no body, so a missing bucket also looks like a plain 404: ask the bucket.
                if (!await LocationExistsAsync(ct).ConfigureAwait(false))
                    throw Map(new AmazonS3Exception("The specified bucket does not exist", ex) { ErrorCode = "NoSuchBucket", StatusCode = HttpStatusCode.NotFound }, "HeadObject", null);
                return false;
            }
            catch (Exception ex) when (!AwsErrorMapper.IsCancellation(ex, ct))
            {
                throw Map(ex, "HeadObject", key);
            }
        }

        public async Task<IReadOnlyList<StoredObject>> ListAsync(string prefix, CancellationToken ct)
        {
            var result = new List<StoredObject>();
            string? token = null;
            do
            {
                ListObjectsV2Response page;
                try
                {
                    page = await _s3.ListObjectsV2Async(new ListObjectsV2Request
                    {
                        BucketName = _bucket,
                        Prefix = _prefix + prefix,
                        ContinuationToken = token,
                    }, ct).ConfigureAwait(false);
                }
                catch (Exception ex) when (!AwsErrorMapper.IsCancellation(ex, ct))
                {
                    throw Map(ex, "ListObjectsV2", null);
                }
                foreach (var o in page.S3Objects ?? new List<S3Object>())
                    result.Add(new StoredObject(o.Key.Substring(_prefix.Length), o.Size ?? 0, (o.LastModified ?? DateTime.UtcNow).ToUniversalTime()));
                token = page.IsTruncated == true ? page.NextContinuationToken : null;
            } while (token != null);
            return result;
        }

        public async Task DeleteAsync(IReadOnlyList<string> keys, CancellationToken ct)
        {
            // DeleteObjects takes at most 1000 keys per request.
            for (int i = 0; i < keys.Count; i += 1000)
            {
                var batch = keys.Skip(i).Take(1000).Select(k => new KeyVersion { Key = _prefix + k }).ToList();
                DeleteObjectsResponse response;
                try
                {
                    response = await _s3.DeleteObjectsAsync(new DeleteObjectsRequest { BucketName = _bucket, Objects = batch, Quiet = true }, ct).ConfigureAwait(false);
                }
                catch (Exception ex) when (!AwsErrorMapper.IsCancellation(ex, ct))
                {
                    throw Map(ex, "DeleteObjects", null);
                }
                var failed = response.DeleteErrors?.Where(e => e.Code != "NoSuchKey").ToList();
                if (failed is { Count: > 0 })
                {
                    var first = failed[0];
                    throw new DrToolsException(first.Code == "AccessDenied" ? ErrorIds.AccessDenied : ErrorIds.ServiceError,
                        first.Code == "AccessDenied" ? DrErrorCategory.PermissionDenied : DrErrorCategory.WriteError,
                        $"S3 DeleteObjects could not delete {failed.Count} object(s), e.g. {first.Key}: {first.Message} (AWS error {first.Code}).",
                        $"s3://{_bucket}/{first.Key}",
                        "Objects under Object Lock retention cannot be deleted before their retain-until date; otherwise check s3:DeleteObject permission and re-run.")
                    { AwsErrorCode = first.Code, Service = "S3" };
                }
            }
        }

        public async Task<bool> LocationExistsAsync(CancellationToken ct)
        {
            try
            {
                await _s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = _bucket, Prefix = _prefix, MaxKeys = 1 }, ct).ConfigureAwait(false);
                return true;
            }
            catch (AmazonS3Exception ex) when (ex.ErrorCode == "NoSuchBucket")
            {
                return false;
            }
            catch (Exception ex) when (!AwsErrorMapper.IsCancellation(ex, ct))
            {
                throw Map(ex, "ListObjectsV2", null);
            }
        }

        /// <summary>Disposes the GetObject response with its body.</summary>
        sealed class ResponseStream : Stream
        {
            readonly GetObjectResponse _response;
            readonly Stream _inner;
            public ResponseStream(GetObjectResponse response) { _response = response; _inner = response.ResponseStream; }
            public override bool CanRead => true;
            public override bool CanSeek => false;
            public override bool CanWrite => false;
            public override long Length => _response.ContentLength;
            public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
            public override void Flush() { }
            public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);
            public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) => _inner.ReadAsync(buffer, offset, count, ct);
            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
            public override void SetLength(long value) => throw new NotSupportedException();
            public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
            protected override void Dispose(bool disposing)
            {
                if (disposing) _response.Dispose();
                base.Dispose(disposing);
            }
        }
    }
}
