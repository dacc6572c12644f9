using System;
using System.Collections.Generic;
using System.IO;

namespace DrTools.Core.Aws.S3
{
    /// <summary>A bucket as DR sees it: where it lives and whether it keeps old versions / locks objects.</summary>
    public sealed record S3BucketInfo(string Name, string Region, S3VersioningState Versioning, S3ObjectLockInfo ObjectLock);

    public enum S3VersioningState { Off, Enabled, Suspended }

    /// <summary>Object Lock on a bucket. DefaultMode is GOVERNANCE or COMPLIANCE when a default retention is set.</summary>
    public sealed record S3ObjectLockInfo(bool Enabled, string? DefaultMode = null, int? DefaultDays = null, int? DefaultYears = null)
    {
        public static readonly S3ObjectLockInfo Disabled = new(false);
    }

    public sealed class S3CreateBucketOptions
    {
        /// <summary>Object Lock can only be switched on when the bucket is created (it also turns versioning on).</summary>
        public bool ObjectLockEnabled { get; set; }
        public bool EnableVersioning { get; set; }
    }

    /// <summary>Server-side encryption for objects DrTools writes. AES256 (SSE-S3) unless a KMS key is named.</summary>
    public sealed record S3Encryption(string Method, string? KmsKeyId = null)
    {
        public static readonly S3Encryption Aes256 = new("AES256");
        /// <summary>No encryption header: the bucket's or server's own default applies (S3-compatible servers lack SSE-S3).</summary>
        public static readonly S3Encryption BucketDefault = new("");
        public static S3Encryption Kms(string? keyId = null) => new("aws:kms", keyId);
    }

    /// <summary>What to write and how; the content is passed separately.</summary>
    public sealed class S3PutRequest
    {
        public S3PutRequest(string bucket, string key) { Bucket = bucket; Key = key; }
        public string Bucket { get; }
        public string Key { get; }
        public string? ContentType { get; set; }
        public S3Encryption Encryption { get; set; } = S3Encryption.Aes256;
        /// <summary>STANDARD, STANDARD_IA, GLACIER_IR, DEEP_ARCHIVE...; the bucket default when null.</summary>
        public string? StorageClass { get; set; }
        public IDictionary<string, string> Tags { get; set; } = new Dictionary<string, string>();
        public IDictionary<string, string> Metadata { get; set; } = new Dictionary<string, string>();
        /// <summary>GOVERNANCE or COMPLIANCE; needs <see cref="RetainUntil"/> and a bucket with Object Lock.</summary>
        public string? ObjectLockMode { get; set; }
        public DateTime? RetainUntil { get; set; }
        /// <summary>Fail with DrTools.AlreadyExists instead of overwriting (If-None-Match: *).</summary>
        public bool OnlyIfAbsent { get; set; }
        /// <summary>The content's SHA-256 when the caller already computed it: sent as the checksum without hashing again.</summary>
        public byte[]? Sha256 { get; set; }
    }

    /// <summary>Tuning for <see cref="IS3Service.UploadAsync"/>.</summary>
    public sealed class S3UploadOptions
    {
        /// <summary>Objects larger than this go up in parts.</summary>
        public long MultipartThreshold { get; set; } = 16L * 1024 * 1024;
        public long PartSize { get; set; } = 16L * 1024 * 1024;
        /// <summary>Parts in flight at once; memory use is about (Concurrency + 1) x PartSize.</summary>
        public int Concurrency { get; set; } = 4;
    }

    public sealed record S3PutResult(string Bucket, string Key, string? ETag, string? VersionId, string ChecksumSha256, long Size, int Parts);

    /// <summary>Head of an object. ChecksumSha256 is the stored one (for multipart uploads a composite ending in -N).</summary>
    public sealed record S3ObjectInfo(string Bucket, string Key, long Size, string? ETag, string? VersionId, DateTime? LastModified,
        string? StorageClass, string? ChecksumSha256, string? ServerSideEncryption, string? KmsKeyId, string? ObjectLockMode,
        DateTime? RetainUntil, IReadOnlyDictionary<string, string> Metadata);

    public sealed record S3ObjectSummary(string Key, long Size, string? ETag, DateTime? LastModified, string? StorageClass);

    /// <summary>One ListObjectsV2 page: objects, folder-like prefixes (with a delimiter) and the token for the next page.</summary>
    public sealed record S3ListPage(IReadOnlyList<S3ObjectSummary> Objects, IReadOnlyList<string> CommonPrefixes, string? NextContinuationToken);

    /// <summary>An object being read. Dispose it to release the connection.</summary>
    public sealed class S3ObjectContent : IDisposable
    {
        readonly IDisposable _owner;
        internal S3ObjectContent(Stream stream, long length, string? eTag, string? contentRange, string? checksumSha256, IDisposable owner)
        {
            Stream = stream; Length = length; ETag = eTag; ContentRange = contentRange; ChecksumSha256 = checksumSha256; _owner = owner;
        }
        public Stream Stream { get; }
        /// <summary>Bytes in this response (the range length for a range read).</summary>
        public long Length { get; }
        public string? ETag { get; }
        public string? ContentRange { get; }
        public string? ChecksumSha256 { get; }
        public void Dispose() => _owner.Dispose();
    }

    public sealed record S3DeleteFailure(string Key, string Code, string Message);

    public sealed record S3DeleteResult(int Deleted, IReadOnlyList<S3DeleteFailure> Failures);

    public sealed class S3CopyRequest
    {
        public S3CopyRequest(string sourceBucket, string sourceKey, string destinationBucket, string destinationKey)
        {
            SourceBucket = sourceBucket; SourceKey = sourceKey; DestinationBucket = destinationBucket; DestinationKey = destinationKey;
        }
        public string SourceBucket { get; }
        public string SourceKey { get; }
        public string? SourceVersionId { get; set; }
        public string DestinationBucket { get; }
        public string DestinationKey { get; }
        /// <summary>The destination bucket's region when it is not the service's region (cross-region copy).</summary>
        public string? DestinationRegion { get; set; }
        public S3Encryption Encryption { get; set; } = S3Encryption.Aes256;
        public string? StorageClass { get; set; }
        /// <summary>Replaces the source's tags when set; otherwise they are copied.</summary>
        public IDictionary<string, string>? Tags { get; set; }
    }

    public sealed record S3CopyResult(string Bucket, string Key, string Region, string? ETag, string? VersionId);
}
