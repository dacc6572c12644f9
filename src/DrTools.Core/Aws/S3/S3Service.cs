using System;
using System.Buffers;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using Amazon.S3;
using Amazon.S3.Model;
using DrTools.Core.Connection;
using DrTools.Core.Diagnostics;

namespace DrTools.Core.Aws.S3
{
    /// <summary>
    /// <see cref="IS3Service"/> over the SDK's S3 client.
    /// Checksums: every PUT and part carries a SHA-256 computed from the source bytes before sending, as the
    /// x-amz-checksum-sha256 header (not a trailer), so S3 verifies what we read and S3-compatible servers that reject
    /// trailers (Ceph RGW) still work; with S3ChecksumWhenRequired the body is also sent unchunked (RGW, Swift, s3rver).
    /// Multipart: our own, not TransferUtility, because TransferUtility cannot send a precomputed checksum per part or
    /// switch off aws-chunked per part, and we want the composite checksum verified and an abort on every failure.
    /// </summary>
    public sealed class S3Service : IS3Service
    {
        public const long MaxSinglePut = 5L * 1024 * 1024 * 1024;
        const long MinPartSize = 5L * 1024 * 1024;
        const int MaxParts = 10000;
        const int DeleteBatch = 1000;

        readonly IAwsClientFactory _clients;
        readonly IOperationReporter _reporter;
        readonly Dictionary<string, IAmazonS3> _byRegion = new(StringComparer.Ordinal);

        public S3Service(IAwsClientFactory clients, string? region = null, IOperationReporter? reporter = null)
        {
            _clients = clients;
            Region = region ?? clients.Connection.Region;
            _reporter = reporter ?? NullReporter.Instance;
        }

        public string Region { get; }
        AwsConnection Connection => _clients.Connection;

        IAmazonS3 Client(string? region = null)
        {
            region ??= Region;
            lock (_byRegion)
            {
                if (!_byRegion.TryGetValue(region, out var c)) _byRegion[region] = c = _clients.S3(region);
                return c;
            }
        }

        public void Dispose()
        {
            lock (_byRegion)
            {
                foreach (var c in _byRegion.Values) c.Dispose();
                _byRegion.Clear();
            }
        }

        // ---------------------------------------------------------------- buckets

        public async Task<S3BucketInfo?> GetBucketAsync(string bucket, CancellationToken cancellationToken)
        {
            string region;
            try { region = await GetBucketRegionAsync(bucket, cancellationToken).ConfigureAwait(false); }
            catch (DrToolsException ex) when (ex.ErrorId == ErrorIds.NotFound) { return null; }
            var versioning = await GetVersioningCoreAsync(bucket, region, cancellationToken).ConfigureAwait(false);
            var objectLock = await GetObjectLockCoreAsync(bucket, region, cancellationToken).ConfigureAwait(false);
            return new S3BucketInfo(bucket, region, versioning, objectLock);
        }

        public async Task<string> GetBucketRegionAsync(string bucket, CancellationToken cancellationToken)
        {
            GetBucketLocationResponse r;
            try
            {
                r = await Client().GetBucketLocationAsync(new GetBucketLocationRequest { BucketName = bucket }, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (!AwsErrorMapper.IsCancellation(ex, cancellationToken))
            {
                var mapped = Map(ex, "GetBucketLocation", bucket);
                if (mapped.ErrorId != ErrorIds.InvalidRegion || Region == "us-east-1") throw mapped;
                // Regional endpoints may redirect; the us-east-1 endpoint answers GetBucketLocation for every bucket.
                try
                {
                    r = await Client("us-east-1").GetBucketLocationAsync(new GetBucketLocationRequest { BucketName = bucket }, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex2) when (!AwsErrorMapper.IsCancellation(ex2, cancellationToken)) { throw Map(ex2, "GetBucketLocation", bucket, "us-east-1"); }
            }
            return RegionFromLocation(r.Location?.Value);
        }

        /// <summary>GetBucketLocation says "" for us-east-1 and "EU" for the oldest eu-west-1 buckets.</summary>
        internal static string RegionFromLocation(string? location) => location switch
        {
            null or "" or "US" => "us-east-1",
            "EU" => "eu-west-1",
            _ => location,
        };

        public async Task EnsureBucketInRegionAsync(string bucket, CancellationToken cancellationToken)
        {
            var region = await GetBucketRegionAsync(bucket, cancellationToken).ConfigureAwait(false);
            if (!string.Equals(region, Region, StringComparison.Ordinal)) throw WrongRegion(bucket, region, null);
        }

        DrToolsException WrongRegion(string bucket, string actual, DrToolsException? inner) =>
            new(ErrorIds.InvalidRegion, DrErrorCategory.InvalidArgument,
                $"S3 bucket '{bucket}' is in region {actual}, not {Region}.", bucket,
                $"Pass -Region {actual} (or the DR-region parameter) so DrTools talks to the bucket's own region.", inner)
            {
                AwsErrorCode = inner?.AwsErrorCode, RequestId = inner?.RequestId, Service = "S3",
            };

        public async Task CreateBucketAsync(string bucket, S3CreateBucketOptions? options, CancellationToken cancellationToken)
        {
            options ??= new S3CreateBucketOptions();
            var request = new PutBucketRequest { BucketName = bucket, UseClientRegion = false };
            // us-east-1 takes no location constraint; every other region needs its own name in it.
            if (Region != "us-east-1") request.BucketRegionName = Region;
            if (options.ObjectLockEnabled) request.ObjectLockEnabledForBucket = true;
            await Call("CreateBucket", bucket, s3 => s3.PutBucketAsync(request, cancellationToken), cancellationToken).ConfigureAwait(false);
            _reporter.Verbose($"Created S3 bucket '{bucket}' in {Region}.");
            if (options.EnableVersioning && !options.ObjectLockEnabled) await SetVersioningAsync(bucket, true, cancellationToken).ConfigureAwait(false);
        }

        public Task DeleteBucketAsync(string bucket, CancellationToken cancellationToken) =>
            Call("DeleteBucket", bucket, s3 => s3.DeleteBucketAsync(new DeleteBucketRequest { BucketName = bucket }, cancellationToken), cancellationToken);

        public Task<S3VersioningState> GetVersioningAsync(string bucket, CancellationToken cancellationToken) =>
            GetVersioningCoreAsync(bucket, null, cancellationToken);

        async Task<S3VersioningState> GetVersioningCoreAsync(string bucket, string? region, CancellationToken cancellationToken)
        {
            var r = await Call("GetBucketVersioning", bucket,
                s3 => s3.GetBucketVersioningAsync(new GetBucketVersioningRequest { BucketName = bucket }, cancellationToken), cancellationToken, region).ConfigureAwait(false);
            var status = r.VersioningConfig?.Status?.Value;
            return status == "Enabled" ? S3VersioningState.Enabled : status == "Suspended" ? S3VersioningState.Suspended : S3VersioningState.Off;
        }

        public Task SetVersioningAsync(string bucket, bool enabled, CancellationToken cancellationToken) =>
            Call("PutBucketVersioning", bucket, s3 => s3.PutBucketVersioningAsync(new PutBucketVersioningRequest
            {
                BucketName = bucket,
                VersioningConfig = new S3BucketVersioningConfig { Status = enabled ? VersionStatus.Enabled : VersionStatus.Suspended },
            }, cancellationToken), cancellationToken);

        public Task<S3ObjectLockInfo> GetObjectLockAsync(string bucket, CancellationToken cancellationToken) =>
            GetObjectLockCoreAsync(bucket, null, cancellationToken);

        async Task<S3ObjectLockInfo> GetObjectLockCoreAsync(string bucket, string? region, CancellationToken cancellationToken)
        {
            GetObjectLockConfigurationResponse r;
            try
            {
                r = await Client(region).GetObjectLockConfigurationAsync(new GetObjectLockConfigurationRequest { BucketName = bucket }, cancellationToken).ConfigureAwait(false);
            }
            catch (AmazonS3Exception ex) when (ex.ErrorCode == "ObjectLockConfigurationNotFoundError")
            {
                return S3ObjectLockInfo.Disabled; // the normal answer for a bucket without Object Lock
            }
            catch (Exception ex) when (!AwsErrorMapper.IsCancellation(ex, cancellationToken))
            {
                throw await MapBucketAsync(ex, "GetObjectLockConfiguration", bucket, bucket, region, cancellationToken).ConfigureAwait(false);
            }
            var config = r.ObjectLockConfiguration;
            if (config?.ObjectLockEnabled?.Value != "Enabled") return S3ObjectLockInfo.Disabled;
            var retention = config.Rule?.DefaultRetention;
            return new S3ObjectLockInfo(true, retention?.Mode?.Value, retention?.Days, retention?.Years);
        }

        // ---------------------------------------------------------------- put / upload

        public async Task<S3PutResult> PutObjectAsync(S3PutRequest request, Stream content, long length, CancellationToken cancellationToken)
        {
            Validate(request, length);
            if (length > MaxSinglePut)
                throw Invalid($"{length} bytes is more than one PUT can take (5 GiB); use a multipart upload.", request);
            if (!content.CanSeek)
            {
                // Hashing first needs a second read; a non-seekable stream goes through UploadAsync's buffered path.
                return await UploadAsync(request, content, length, new S3UploadOptions { MultipartThreshold = Math.Min(length, MaxSinglePut) }, cancellationToken).ConfigureAwait(false);
            }
            var start = content.Position;
            if (content.Length - start < length)
                throw Invalid($"The stream has {content.Length - start} bytes left, fewer than the {length} to upload.", request);
            var view = new StreamSlice(content, start, length);
            var sha = request.Sha256 ?? await Sha256Async(view, cancellationToken).ConfigureAwait(false);
            view.Position = 0;
            return await PutCoreAsync(request, view, length, sha, cancellationToken).ConfigureAwait(false);
        }

        async Task<S3PutResult> PutCoreAsync(S3PutRequest request, Stream body, long length, byte[] sha, CancellationToken cancellationToken)
        {
            var checksum = Convert.ToBase64String(sha);
            var put = new PutObjectRequest
            {
                BucketName = request.Bucket,
                Key = request.Key,
                InputStream = body,
                AutoCloseStream = false,
                AutoResetStreamPosition = false,
                // The algorithm header too: S3 wants it (or Content-MD5) for Object Lock writes.
                ChecksumAlgorithm = ChecksumAlgorithm.SHA256,
                ChecksumSHA256 = checksum,
                UseChunkEncoding = !Connection.S3ChecksumWhenRequired,
                ContentType = request.ContentType,
            };
            put.Headers.ContentLength = length;
            ApplyEncryption(request.Encryption, m => put.ServerSideEncryptionMethod = m, k => put.ServerSideEncryptionKeyManagementServiceKeyId = k);
            if (request.StorageClass != null) put.StorageClass = S3StorageClass.FindValue(request.StorageClass);
            if (request.Tags.Count > 0) put.TagSet = ToTags(request.Tags);
            foreach (var kv in request.Metadata) put.Metadata[kv.Key] = kv.Value;
            if (request.ObjectLockMode != null)
            {
                put.ObjectLockMode = ObjectLockMode.FindValue(request.ObjectLockMode);
                put.ObjectLockRetainUntilDate = request.RetainUntil!.Value.ToUniversalTime();
            }
            if (request.OnlyIfAbsent) put.IfNoneMatch = "*";
            var r = await PutCall("PutObject", request, s3 => s3.PutObjectAsync(put, cancellationToken), cancellationToken).ConfigureAwait(false);
            _reporter.Verbose($"Put s3://{request.Bucket}/{request.Key} ({length} bytes, SHA-256 {checksum}).");
            return new S3PutResult(request.Bucket, request.Key, r.ETag, r.VersionId, checksum, length, 1);
        }

        public async Task<S3PutResult> UploadAsync(S3PutRequest request, Stream content, long length, S3UploadOptions? options, CancellationToken cancellationToken)
        {
            options ??= new S3UploadOptions();
            Validate(request, length);
            if (length <= options.MultipartThreshold && length <= MaxSinglePut)
            {
                if (content.CanSeek) return await PutObjectAsync(request, content, length, cancellationToken).ConfigureAwait(false);
                var buffer = new byte[length];
                await ReadFullAsync(content, buffer, (int)length, request, cancellationToken).ConfigureAwait(false);
                var sha = Sha256(buffer, (int)length);
                using var ms = new MemoryStream(buffer, 0, (int)length, false);
                return await PutCoreAsync(request, ms, length, sha, cancellationToken).ConfigureAwait(false);
            }
            return await MultipartAsync(request, content, length, options, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>Size of each part: the requested size, raised when needed to stay within 10,000 parts.</summary>
        internal static long PartSizeFor(long length, long requested)
        {
            var size = Math.Max(MinPartSize, requested);
            var minForCount = (length + MaxParts - 1) / MaxParts;
            if (size < minForCount) size = (minForCount + MinPartSize - 1) / MinPartSize * MinPartSize;
            if (size > int.MaxValue) throw new ArgumentOutOfRangeException(nameof(requested), "Part size over 2 GiB.");
            return size;
        }

        async Task<S3PutResult> MultipartAsync(S3PutRequest request, Stream content, long length, S3UploadOptions options, CancellationToken cancellationToken)
        {
            var partSize = PartSizeFor(length, options.PartSize);
            var partCount = (int)((length + partSize - 1) / partSize);
            var concurrency = Math.Max(1, options.Concurrency);
            var what = $"s3://{request.Bucket}/{request.Key}";

            var init = new InitiateMultipartUploadRequest
            {
                BucketName = request.Bucket, Key = request.Key, ContentType = request.ContentType, ChecksumAlgorithm = ChecksumAlgorithm.SHA256,
            };
            ApplyEncryption(request.Encryption, m => init.ServerSideEncryptionMethod = m, k => init.ServerSideEncryptionKeyManagementServiceKeyId = k);
            if (request.StorageClass != null) init.StorageClass = S3StorageClass.FindValue(request.StorageClass);
            if (request.Tags.Count > 0) init.TagSet = ToTags(request.Tags);
            foreach (var kv in request.Metadata) init.Metadata[kv.Key] = kv.Value;
            if (request.ObjectLockMode != null)
            {
                init.ObjectLockMode = ObjectLockMode.FindValue(request.ObjectLockMode);
                init.ObjectLockRetainUntilDate = request.RetainUntil!.Value.ToUniversalTime();
            }
            var uploadId = (await PutCall("CreateMultipartUpload", request, s3 => s3.InitiateMultipartUploadAsync(init, cancellationToken), cancellationToken)
                .ConfigureAwait(false)).UploadId;
            _reporter.Verbose($"Started multipart upload of {what}: {length} bytes in {partCount} parts of {partSize} bytes, {concurrency} at a time (upload id {uploadId}).");

            var parts = new PartETag[partCount];
            var digests = new byte[partCount][];
            Exception? failure = null;
            var completed = false;
            long sent = 0;
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            using var slots = new SemaphoreSlim(concurrency);
            var running = new List<Task>();
            try
            {
                try
                {
                    for (var i = 0; i < partCount; i++)
                    {
                        await slots.WaitAsync(linked.Token).ConfigureAwait(false);
                        var size = (int)Math.Min(partSize, length - i * partSize);
                        var buffer = ArrayPool<byte>.Shared.Rent(size);
                        try { await ReadFullAsync(content, buffer, size, request, linked.Token).ConfigureAwait(false); }
                        catch
                        {
                            ArrayPool<byte>.Shared.Return(buffer);
                            slots.Release();
                            throw;
                        }
                        var number = i + 1;
                        running.Add(Task.Run(async () =>
                        {
                            try
                            {
                                var sha = Sha256(buffer, size);
                                digests[number - 1] = sha;
                                var checksum = Convert.ToBase64String(sha);
                                using var body = new MemoryStream(buffer, 0, size, false);
                                var r = await PutCall("UploadPart", request, s3 => s3.UploadPartAsync(new UploadPartRequest
                                {
                                    BucketName = request.Bucket, Key = request.Key, UploadId = uploadId, PartNumber = number, PartSize = size,
                                    InputStream = body, ChecksumAlgorithm = ChecksumAlgorithm.SHA256, ChecksumSHA256 = checksum, UseChunkEncoding = !Connection.S3ChecksumWhenRequired,
                                    IsLastPart = number == partCount,
                                }, linked.Token), linked.Token, $" part {number} of {partCount}").ConfigureAwait(false);
                                parts[number - 1] = new PartETag { PartNumber = number, ETag = r.ETag, ChecksumSHA256 = checksum };
                                var done = Interlocked.Add(ref sent, size);
                                _reporter.Progress(new ProgressUpdate(91, $"Uploading {what}", $"{done / 1048576} of {length / 1048576} MiB")
                                {
                                    PercentComplete = (int)(100 * done / length),
                                });
                            }
                            catch (Exception ex)
                            {
                                // Parts cancelled because another failed are not the cause; record only the first real failure.
                                if (!(ex is OperationCanceledException && linked.IsCancellationRequested))
                                {
                                    Interlocked.CompareExchange(ref failure, ex, null);
                                    linked.Cancel(); // stop reading and sending the other parts
                                }
                            }
                            finally
                            {
                                ArrayPool<byte>.Shared.Return(buffer);
                                slots.Release();
                            }
                        }, CancellationToken.None));
                    }
                }
                catch (Exception ex) when (!(ex is OperationCanceledException && linked.IsCancellationRequested))
                {
                    Interlocked.CompareExchange(ref failure, ex, null);
                    linked.Cancel();
                }
                catch (OperationCanceledException) { /* a part failed or the caller cancelled; handled below */ }
                await Task.WhenAll(running).ConfigureAwait(false); // part tasks never throw: they record the failure
                if (failure != null) throw failure;
                cancellationToken.ThrowIfCancellationRequested();

                var complete = new CompleteMultipartUploadRequest
                {
                    BucketName = request.Bucket, Key = request.Key, UploadId = uploadId, PartETags = parts.ToList(),
                };
                if (request.OnlyIfAbsent) complete.IfNoneMatch = "*";
                var done = await PutCall("CompleteMultipartUpload", request, s3 => s3.CompleteMultipartUploadAsync(complete, cancellationToken), cancellationToken).ConfigureAwait(false);
                completed = true;

                var composite = CompositeChecksum(digests);
                // S3 checks each part; the composite it returns must match the one built from the digests we sent.
                // (SHA-256 multipart checksums are always composite; some servers leave out the "-N" suffix.)
                if (!string.IsNullOrEmpty(done.ChecksumSHA256) && StripPartCount(done.ChecksumSHA256!) != StripPartCount(composite))
                    throw new DrToolsException(ErrorIds.ServiceError, DrErrorCategory.InvalidData,
                        $"S3 reported checksum {done.ChecksumSHA256} for {what}, but the parts sent add up to {composite}. The object may be corrupt.",
                        what, "Delete the object and upload it again.") { Service = "S3" };
                _reporter.Verbose($"Completed multipart upload of {what} ({partCount} parts, checksum {composite}).");
                return new S3PutResult(request.Bucket, request.Key, done.ETag, done.VersionId, composite, length, partCount);
            }
            catch (Exception ex)
            {
                if (!completed) await AbortAsync(request, uploadId, what).ConfigureAwait(false);
                if (AwsErrorMapper.IsCancellation(ex, cancellationToken)) throw;
                throw ex is DrToolsException dr ? dr : Map(ex, "UploadPart", what);
            }
            finally
            {
                _reporter.Progress(new ProgressUpdate(91, $"Uploading {what}", "done") { Completed = true });
            }
        }

        async Task AbortAsync(S3PutRequest request, string uploadId, string what)
        {
            // Not the caller's token: the abort must still go out when the upload was cancelled, or the parts keep costing money.
            using var abortTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            try
            {
                await Client().AbortMultipartUploadAsync(new AbortMultipartUploadRequest
                {
                    BucketName = request.Bucket, Key = request.Key, UploadId = uploadId,
                }, abortTimeout.Token).ConfigureAwait(false);
                _reporter.Verbose($"Aborted multipart upload {uploadId} of {what}; no parts are left behind.");
            }
            catch (Exception ex)
            {
                _reporter.Warning($"Could not abort multipart upload {uploadId} of {what} ({ex.Message}). Its parts are still stored and billed: " +
                                  "abort it with the AWS CLI (aws s3api abort-multipart-upload) or add a lifecycle rule that aborts incomplete uploads.");
            }
        }

        internal static string StripPartCount(string checksum) => checksum.Split('-')[0];

        /// <summary>The S3 composite checksum of a multipart upload: SHA-256 of the concatenated part digests, then "-partCount".</summary>
        internal static string CompositeChecksum(IReadOnlyList<byte[]> partDigests)
        {
            using var sha = SHA256.Create();
            var all = partDigests.SelectMany(d => d).ToArray();
            return Convert.ToBase64String(sha.ComputeHash(all)) + "-" + partDigests.Count;
        }

        // ---------------------------------------------------------------- get / head / delete / list

        public async Task<S3ObjectContent> GetObjectAsync(string bucket, string key, long? rangeStart, long? rangeEnd, CancellationToken cancellationToken)
        {
            var request = new GetObjectRequest { BucketName = bucket, Key = key };
            // Inclusive byte positions, as in the HTTP Range header; an open end reads to the end of the object.
            if (rangeEnd != null) request.ByteRange = new ByteRange(rangeStart ?? 0, rangeEnd.Value);
            else if (rangeStart != null) request.ByteRange = new ByteRange($"bytes={rangeStart}-");
            var r = await Call("GetObject", $"s3://{bucket}/{key}", s3 => s3.GetObjectAsync(request, cancellationToken), cancellationToken, bucket: bucket).ConfigureAwait(false);
            return new S3ObjectContent(r.ResponseStream, r.Headers.ContentLength, r.ETag, r.ContentRange, NullIfEmpty(r.ChecksumSHA256), r);
        }

        public async Task<S3ObjectInfo?> HeadObjectAsync(string bucket, string key, CancellationToken cancellationToken)
        {
            GetObjectMetadataResponse r;
            try
            {
                r = await Call("HeadObject", $"s3://{bucket}/{key}", s3 => s3.GetObjectMetadataAsync(new GetObjectMetadataRequest
                {
                    BucketName = bucket, Key = key, ChecksumMode = ChecksumMode.ENABLED,
                }, cancellationToken), cancellationToken, bucket: bucket).ConfigureAwait(false);
            }
            catch (DrToolsException ex) when (ex.ErrorId == ErrorIds.NotFound && ex.AwsErrorCode is "NotFound" or "NoSuchKey" or "404")
            {
                return null; // a missing bucket is still an error (its code is NoSuchBucket)
            }
            var metadata = r.Metadata.Keys.ToDictionary(k => k.StartsWith("x-amz-meta-", StringComparison.OrdinalIgnoreCase) ? k.Substring(11) : k, k => r.Metadata[k]);
            return new S3ObjectInfo(bucket, key, r.Headers.ContentLength, r.ETag, NullIfEmpty(r.VersionId), r.LastModified, r.StorageClass?.Value,
                NullIfEmpty(r.ChecksumSHA256), r.ServerSideEncryptionMethod?.Value, NullIfEmpty(r.ServerSideEncryptionKeyManagementServiceKeyId),
                r.ObjectLockMode?.Value, r.ObjectLockRetainUntilDate, metadata);
        }

        public Task DeleteObjectAsync(string bucket, string key, string? versionId, CancellationToken cancellationToken) =>
            Call("DeleteObject", $"s3://{bucket}/{key}", s3 => s3.DeleteObjectAsync(new DeleteObjectRequest
            {
                BucketName = bucket, Key = key, VersionId = versionId,
            }, cancellationToken), cancellationToken, bucket: bucket);

        public async Task<S3DeleteResult> DeleteObjectsAsync(string bucket, IEnumerable<string> keys, CancellationToken cancellationToken)
        {
            var deleted = 0;
            var failures = new List<S3DeleteFailure>();
            foreach (var batch in keys.Distinct(StringComparer.Ordinal).Select((k, i) => (k, i)).GroupBy(x => x.i / DeleteBatch, x => x.k))
            {
                var chunk = batch.ToList();
                var r = await Call("DeleteObjects", $"{chunk.Count} objects in bucket '{bucket}'", async s3 =>
                {
                    try
                    {
                        return await s3.DeleteObjectsAsync(new DeleteObjectsRequest
                        {
                            BucketName = bucket, Quiet = true, Objects = chunk.Select(k => new KeyVersion { Key = k }).ToList(),
                        }, cancellationToken).ConfigureAwait(false);
                    }
                    // The SDK throws when some keys were refused; the answer (with the refused keys) is inside.
                    catch (DeleteObjectsException ex) when (ex.Response != null) { return ex.Response; }
                }, cancellationToken, bucket: bucket).ConfigureAwait(false);
                var errors = r.DeleteErrors ?? new List<DeleteError>();
                failures.AddRange(errors.Select(e => new S3DeleteFailure(e.Key, e.Code, e.Message)));
                deleted += chunk.Count - errors.Count;
            }
            foreach (var f in failures) _reporter.Warning($"Could not delete s3://{bucket}/{f.Key}: {f.Code} {f.Message}");
            return new S3DeleteResult(deleted, failures);
        }

        public async Task<S3ListPage> ListObjectsPageAsync(string bucket, string? prefix, string? delimiter, string? continuationToken, int? maxKeys,
            CancellationToken cancellationToken)
        {
            var request = new ListObjectsV2Request
            {
                BucketName = bucket, Prefix = prefix, Delimiter = delimiter, ContinuationToken = continuationToken,
            };
            if (maxKeys != null) request.MaxKeys = maxKeys;
            var r = await Call("ListObjectsV2", $"bucket '{bucket}'", s3 => s3.ListObjectsV2Async(request, cancellationToken), cancellationToken, bucket: bucket)
                .ConfigureAwait(false);
            var objects = (r.S3Objects ?? new List<S3Object>())
                .Select(o => new S3ObjectSummary(o.Key, o.Size ?? 0, o.ETag, o.LastModified, o.StorageClass?.Value)).ToList();
            var prefixes = r.CommonPrefixes ?? new List<string>();
            return new S3ListPage(objects, prefixes, r.IsTruncated == true ? NullIfEmpty(r.NextContinuationToken) : null);
        }

        public async Task ForEachPageAsync(string bucket, string? prefix, Func<S3ListPage, Task> onPage, CancellationToken cancellationToken)
        {
            string? token = null;
            do
            {
                var page = await ListObjectsPageAsync(bucket, prefix, null, token, null, cancellationToken).ConfigureAwait(false);
                await onPage(page).ConfigureAwait(false);
                token = page.NextContinuationToken;
            } while (token != null);
        }

        public async Task<IReadOnlyList<S3ObjectSummary>> ListObjectsAsync(string bucket, string? prefix, CancellationToken cancellationToken)
        {
            var all = new List<S3ObjectSummary>();
            await ForEachPageAsync(bucket, prefix, page => { all.AddRange(page.Objects); return Task.CompletedTask; }, cancellationToken).ConfigureAwait(false);
            return all;
        }

        // ---------------------------------------------------------------- copy / tags

        public async Task<S3CopyResult> CopyObjectAsync(S3CopyRequest request, CancellationToken cancellationToken)
        {
            var source = await HeadObjectAsync(request.SourceBucket, request.SourceKey, cancellationToken).ConfigureAwait(false)
                         ?? throw new DrToolsException(ErrorIds.NotFound, DrErrorCategory.ObjectNotFound,
                             $"The copy source s3://{request.SourceBucket}/{request.SourceKey} does not exist.", $"s3://{request.SourceBucket}/{request.SourceKey}",
                             "Check the bucket and key (keys are case-sensitive).") { Service = "S3" };
            if (source.Size > MaxSinglePut)
                throw Invalid($"s3://{request.SourceBucket}/{request.SourceKey} is {source.Size} bytes; DrTools copies objects up to 5 GiB server-side " +
                              "(multipart copy is not implemented). Copy it with the AWS CLI (aws s3 cp), which copies in parts.", null);
            var region = request.DestinationRegion ?? Region;
            var copy = new CopyObjectRequest
            {
                SourceBucket = request.SourceBucket, SourceKey = request.SourceKey, SourceVersionId = request.SourceVersionId,
                DestinationBucket = request.DestinationBucket, DestinationKey = request.DestinationKey,
            };
            ApplyEncryption(request.Encryption, m => copy.ServerSideEncryptionMethod = m, k => copy.ServerSideEncryptionKeyManagementServiceKeyId = k);
            if (request.StorageClass != null) copy.StorageClass = S3StorageClass.FindValue(request.StorageClass);
            if (request.Tags != null)
            {
                copy.TaggingDirective = TaggingDirective.REPLACE;
                copy.TagSet = ToTags(request.Tags);
            }
            var target = $"s3://{request.DestinationBucket}/{request.DestinationKey}";
            // The copy is called in the destination's region: S3 pulls from the source bucket wherever it is.
            var r = await Call("CopyObject", target, s3 => s3.CopyObjectAsync(copy, cancellationToken), cancellationToken, region, request.DestinationBucket).ConfigureAwait(false);
            _reporter.Verbose($"Copied s3://{request.SourceBucket}/{request.SourceKey} ({Region}) to {target} ({region}).");
            return new S3CopyResult(request.DestinationBucket, request.DestinationKey, region, r.ETag, NullIfEmpty(r.VersionId));
        }

        public async Task<IReadOnlyDictionary<string, string>> GetObjectTagsAsync(string bucket, string key, CancellationToken cancellationToken)
        {
            var r = await Call("GetObjectTagging", $"s3://{bucket}/{key}", s3 => s3.GetObjectTaggingAsync(new GetObjectTaggingRequest
            {
                BucketName = bucket, Key = key,
            }, cancellationToken), cancellationToken, bucket: bucket).ConfigureAwait(false);
            return (r.Tagging ?? new List<Tag>()).ToDictionary(t => t.Key, t => t.Value ?? "", StringComparer.Ordinal);
        }

        public Task PutObjectTagsAsync(string bucket, string key, IDictionary<string, string> tags, CancellationToken cancellationToken) =>
            Call("PutObjectTagging", $"s3://{bucket}/{key}", s3 => s3.PutObjectTaggingAsync(new PutObjectTaggingRequest
            {
                BucketName = bucket, Key = key, Tagging = new Tagging { TagSet = ToTags(tags) },
            }, cancellationToken), cancellationToken, bucket: bucket);

        // ---------------------------------------------------------------- helpers

        static List<Tag> ToTags(IDictionary<string, string> tags) => tags.Select(kv => new Tag { Key = kv.Key, Value = kv.Value }).ToList();

        static void ApplyEncryption(S3Encryption e, Action<ServerSideEncryptionMethod> method, Action<string> key)
        {
            if (e.Method.Length == 0) return; // BucketDefault: send no header
            method(ServerSideEncryptionMethod.FindValue(e.Method));
            if (e.KmsKeyId != null) key(e.KmsKeyId);
        }

        void Validate(S3PutRequest r, long length)
        {
            if (length < 0) throw Invalid("The length cannot be negative.", r);
            if (r.ObjectLockMode != null && r.RetainUntil == null || r.ObjectLockMode == null && r.RetainUntil != null)
                throw Invalid("Object Lock needs both a mode (GOVERNANCE or COMPLIANCE) and a retain-until date.", r);
            if (r.ObjectLockMode != null && r.ObjectLockMode != "GOVERNANCE" && r.ObjectLockMode != "COMPLIANCE")
                throw Invalid($"Object Lock mode '{r.ObjectLockMode}' is not GOVERNANCE or COMPLIANCE.", r);
            if (r.Encryption.Method is not ("" or "AES256" or "aws:kms" or "aws:kms:dsse"))
                throw Invalid($"Server-side encryption '{r.Encryption.Method}' is not AES256 or aws:kms.", r);
        }

        static DrToolsException Invalid(string message, S3PutRequest? r) =>
            new(ErrorIds.InvalidParameter, DrErrorCategory.InvalidArgument, message, r == null ? null : $"s3://{r.Bucket}/{r.Key}",
                "Fix the value and re-run.") { Service = "S3" };

        static async Task ReadFullAsync(Stream s, byte[] buffer, int count, S3PutRequest r, CancellationToken ct)
        {
            var read = 0;
            while (read < count)
            {
                var n = await s.ReadAsync(buffer, read, count - read, ct).ConfigureAwait(false);
                if (n == 0)
                    throw new DrToolsException(ErrorIds.InvalidParameter, DrErrorCategory.ReadError,
                        $"The source ended early while uploading s3://{r.Bucket}/{r.Key}: it had fewer bytes than the length given.",
                        $"s3://{r.Bucket}/{r.Key}", "Check that the source file was not truncated or changed during the upload.") { Service = "S3" };
                read += n;
            }
        }

        static byte[] Sha256(byte[] buffer, int count)
        {
            using var sha = SHA256.Create();
            return sha.ComputeHash(buffer, 0, count);
        }

        static async Task<byte[]> Sha256Async(Stream s, CancellationToken ct)
        {
            using var sha = SHA256.Create();
            var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
            try
            {
                int n;
                while ((n = await s.ReadAsync(buffer, 0, buffer.Length, ct).ConfigureAwait(false)) > 0) sha.TransformBlock(buffer, 0, n, null, 0);
                sha.TransformFinalBlock(buffer, 0, 0);
                return sha.Hash!;
            }
            finally { ArrayPool<byte>.Shared.Return(buffer); }
        }

        static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;

        /// <summary>Writes: a failed If-None-Match:* is "already exists", not a bad parameter.</summary>
        async Task<T> PutCall<T>(string operation, S3PutRequest r, Func<IAmazonS3, Task<T>> call, CancellationToken ct, string? part = null)
        {
            var target = $"s3://{r.Bucket}/{r.Key}";
            try { return await Call(operation, target + part, call, ct, bucket: r.Bucket).ConfigureAwait(false); }
            catch (DrToolsException ex) when (r.OnlyIfAbsent && ex.AwsErrorCode is "PreconditionFailed" or "412" or "ConditionalRequestConflict")
            {
                throw new DrToolsException(ErrorIds.AlreadyExists, DrErrorCategory.ResourceExists,
                    $"{target} already exists (or is being written by someone else), and the upload was asked not to overwrite it.", target,
                    "Use another key, or remove the existing object first.", ex)
                {
                    AwsErrorCode = ex.AwsErrorCode, RequestId = ex.RequestId, Service = "S3",
                };
            }
        }

        async Task Call(string operation, string resource, Func<IAmazonS3, Task> call, CancellationToken ct, string? region = null, string? bucket = null) =>
            await Call<bool>(operation, resource, async s3 => { await call(s3).ConfigureAwait(false); return true; }, ct, region, bucket ?? resource).ConfigureAwait(false);

        async Task<T> Call<T>(string operation, string resource, Func<IAmazonS3, Task<T>> call, CancellationToken ct, string? region = null, string? bucket = null)
        {
            try { return await call(Client(region)).ConfigureAwait(false); }
            catch (Exception ex) when (!AwsErrorMapper.IsCancellation(ex, ct))
            {
                throw await MapBucketAsync(ex, operation, resource, bucket, region, ct).ConfigureAwait(false);
            }
        }

        /// <summary>Maps the failure; when S3 says the bucket is elsewhere, finds out where, so the message names the region to use.</summary>
        async Task<DrToolsException> MapBucketAsync(Exception ex, string operation, string resource, string? bucket, string? region, CancellationToken ct)
        {
            var mapped = Map(ex, operation, resource, region);
            if (mapped.ErrorId != ErrorIds.InvalidRegion || bucket == null) return mapped;
            try
            {
                var actual = await GetBucketRegionAsync(bucket, ct).ConfigureAwait(false);
                if (actual != (region ?? Region)) return WrongRegion(bucket, actual, mapped);
            }
            catch (DrToolsException) { /* keep the original error */ }
            return mapped;
        }

        DrToolsException Map(Exception ex, string operation, string resource, string? region = null)
        {
            var connection = region == null || region == Connection.Region ? Connection : Connection.ForRegion(region);
            if (region == null && Region != Connection.Region) connection = Connection.ForRegion(Region);
            return AwsErrorMapper.Map(ex, "S3", operation, resource.StartsWith("s3://", StringComparison.Ordinal) || resource.Contains(" ") ? resource : $"S3 bucket '{resource}'",
                resource, connection);
        }
    }
}
