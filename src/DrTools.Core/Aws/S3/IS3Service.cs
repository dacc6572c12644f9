using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace DrTools.Core.Aws.S3
{
    /// <summary>
    /// The S3 calls DR needs (backups to buckets, copies to the DR region), bound to one region. Every AWS failure
    /// surfaces as a DrToolsException; a bucket that lives in another region gives DrTools.InvalidRegion naming that region.
    /// </summary>
    public interface IS3Service : IDisposable
    {
        string Region { get; }

        // Buckets
        /// <summary>The bucket's region, versioning and Object Lock state; null when the bucket does not exist.</summary>
        Task<S3BucketInfo?> GetBucketAsync(string bucket, CancellationToken cancellationToken);
        /// <summary>The region the bucket lives in (GetBucketLocation); DrTools.NotFound when it does not exist.</summary>
        Task<string> GetBucketRegionAsync(string bucket, CancellationToken cancellationToken);
        /// <summary>Throws DrTools.InvalidRegion (naming the bucket's region) unless the bucket is in <see cref="Region"/>.</summary>
        Task EnsureBucketInRegionAsync(string bucket, CancellationToken cancellationToken);
        /// <summary>Creates the bucket in <see cref="Region"/> (with that location constraint outside us-east-1).</summary>
        Task CreateBucketAsync(string bucket, S3CreateBucketOptions? options, CancellationToken cancellationToken);
        /// <summary>Deletes an empty bucket.</summary>
        Task DeleteBucketAsync(string bucket, CancellationToken cancellationToken);
        Task<S3VersioningState> GetVersioningAsync(string bucket, CancellationToken cancellationToken);
        Task SetVersioningAsync(string bucket, bool enabled, CancellationToken cancellationToken);
        Task<S3ObjectLockInfo> GetObjectLockAsync(string bucket, CancellationToken cancellationToken);

        // Objects
        /// <summary>
        /// One PUT of <paramref name="length"/> bytes from <paramref name="content"/> (read from its current position) with its
        /// SHA-256 computed first and sent as x-amz-checksum-sha256, so S3 rejects a body that does not match. Up to 5 GiB.
        /// </summary>
        Task<S3PutResult> PutObjectAsync(S3PutRequest request, Stream content, long length, CancellationToken cancellationToken);
        /// <summary>
        /// Uploads any size: one PUT up to the threshold, otherwise a multipart upload with a SHA-256 per part and parts in
        /// parallel. The stream is read once, front to back (it need not be seekable). A failed or cancelled upload is aborted.
        /// </summary>
        Task<S3PutResult> UploadAsync(S3PutRequest request, Stream content, long length, S3UploadOptions? options, CancellationToken cancellationToken);
        /// <summary>Reads an object, or the bytes [<paramref name="rangeStart"/>, <paramref name="rangeEnd"/>] (inclusive) of it.</summary>
        Task<S3ObjectContent> GetObjectAsync(string bucket, string key, long? rangeStart, long? rangeEnd, CancellationToken cancellationToken);
        /// <summary>Size, ETag, metadata and checksum of an object; null when there is no such key.</summary>
        Task<S3ObjectInfo?> HeadObjectAsync(string bucket, string key, CancellationToken cancellationToken);
        Task DeleteObjectAsync(string bucket, string key, string? versionId, CancellationToken cancellationToken);
        /// <summary>Deletes keys with DeleteObjects, 1000 per request; keys S3 refused are returned, not thrown.</summary>
        Task<S3DeleteResult> DeleteObjectsAsync(string bucket, IEnumerable<string> keys, CancellationToken cancellationToken);
        /// <summary>One ListObjectsV2 page; pass the returned token back for the next one.</summary>
        Task<S3ListPage> ListObjectsPageAsync(string bucket, string? prefix, string? delimiter, string? continuationToken, int? maxKeys,
            CancellationToken cancellationToken);
        /// <summary>
        /// Calls <paramref name="onPage"/> for each page of objects under <paramref name="prefix"/>, following continuation
        /// tokens, so callers can stream huge buckets. (Not IAsyncEnumerable: on netstandard2.0 that type comes from
        /// Microsoft.Bcl.AsyncInterfaces, which would have to ship with the module and clash with the runtime's on PowerShell 7.)
        /// </summary>
        Task ForEachPageAsync(string bucket, string? prefix, Func<S3ListPage, Task> onPage, CancellationToken cancellationToken);
        /// <summary>Every object under <paramref name="prefix"/> (all pages), in key order.</summary>
        Task<IReadOnlyList<S3ObjectSummary>> ListObjectsAsync(string bucket, string? prefix, CancellationToken cancellationToken);
        /// <summary>
        /// Server-side copy, also to a bucket in another region (the call goes to the destination region). Objects over
        /// 5 GiB are refused with DrTools.InvalidParameter (multipart copy is not implemented).
        /// </summary>
        Task<S3CopyResult> CopyObjectAsync(S3CopyRequest request, CancellationToken cancellationToken);
        Task<IReadOnlyDictionary<string, string>> GetObjectTagsAsync(string bucket, string key, CancellationToken cancellationToken);
        /// <summary>Replaces the object's tag set.</summary>
        Task PutObjectTagsAsync(string bucket, string key, IDictionary<string, string> tags, CancellationToken cancellationToken);
    }
}
