using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using Amazon.S3;
using Amazon.S3.Model;
using DrTools.Core.Aws.S3;
using DrTools.Core.Connection;
using DrTools.Core.Diagnostics;
using DrTools.TestSupport;
using Xunit;

namespace DrTools.LiveTests
{
    public class S3LiveTests
    {
        static readonly CancellationToken None = CancellationToken.None;

        static S3Service Service(string? region = null, bool checksumWhenRequired = false)
        {
            var connection = Live.Connection(region);
            if (checksumWhenRequired)
            {
                connection = new AwsConnection(connection.Region, connection.Credentials, connection.CredentialSource, connection.RegionSource, connection.EndpointUrl)
                {
                    S3ChecksumWhenRequired = true,
                };
            }
            return new S3Service(new AwsClientFactory(connection));
        }

        static string BucketName(string prefix) => Live.Name(prefix).ToLowerInvariant();

        /// <summary>Empties (every version, bypassing governance locks) and deletes the bucket; never throws.</summary>
        static async Task DestroyAsync(string bucket, string region)
        {
            try
            {
                using var s3 = new AwsClientFactory(Live.Connection(region)).S3(region);
                var versions = await s3.ListVersionsAsync(new ListVersionsRequest { BucketName = bucket });
                foreach (var v in versions.Versions ?? new List<S3ObjectVersion>())
                    await s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = bucket, Key = v.Key, VersionId = v.VersionId, BypassGovernanceRetention = true });
                var uploads = await s3.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = bucket });
                foreach (var u in uploads.MultipartUploads ?? new List<MultipartUpload>())
                    await s3.AbortMultipartUploadAsync(bucket, u.Key, u.UploadId);
                await s3.DeleteBucketAsync(new DeleteBucketRequest { BucketName = bucket });
            }
            catch (Exception) { /* best effort */ }
        }

        static byte[] Random(int size)
        {
            var data = new byte[size];
            new System.Random(size).NextBytes(data);
            return data;
        }

        static async Task<byte[]> ReadAllAsync(S3ObjectContent content)
        {
            using var ms = new MemoryStream();
            await content.Stream.CopyToAsync(ms);
            return ms.ToArray();
        }

        [LiveFact]
        public async Task Buckets_report_their_region_versioning_and_object_lock_and_a_wrong_region_is_a_clear_error()
        {
            var home = BucketName("s3b");
            var dr = BucketName("s3dr");
            using var s3 = Service(Live.Region);
            using var s3dr = Service(Live.DrRegion);
            try
            {
                await s3.CreateBucketAsync(home, new S3CreateBucketOptions { EnableVersioning = true }, None);
                await s3dr.CreateBucketAsync(dr, new S3CreateBucketOptions { ObjectLockEnabled = true }, None);

                var info = await s3.GetBucketAsync(home, None);
                Assert.NotNull(info);
                Assert.Equal(Live.Region, info!.Region);
                Assert.Equal(S3VersioningState.Enabled, info.Versioning);
                Assert.False(info.ObjectLock.Enabled);

                // Asked from the home region, the DR bucket is found and reported in its own region.
                var drInfo = await s3.GetBucketAsync(dr, None);
                Assert.Equal(Live.DrRegion, drInfo!.Region);
                Assert.True(drInfo.ObjectLock.Enabled);
                Assert.Equal(Live.DrRegion, await s3.GetBucketRegionAsync(dr, None));

                var wrong = await Assert.ThrowsAsync<DrToolsException>(() => s3.EnsureBucketInRegionAsync(dr, None));
                Assert.Equal(ErrorIds.InvalidRegion, wrong.ErrorId);
                Assert.Contains(Live.DrRegion, wrong.Message);
                Assert.Contains("-Region " + Live.DrRegion, wrong.RecommendedAction);
                await s3dr.EnsureBucketInRegionAsync(dr, None);

                await s3.SetVersioningAsync(home, false, None);
                Assert.Equal(S3VersioningState.Suspended, await s3.GetVersioningAsync(home, None));

                Assert.Null(await s3.GetBucketAsync(BucketName("s3none"), None));
                var missing = await Assert.ThrowsAsync<DrToolsException>(() => s3.GetBucketRegionAsync(BucketName("s3none"), None));
                Assert.Equal(ErrorIds.NotFound, missing.ErrorId);
                Assert.Equal("NoSuchBucket", missing.AwsErrorCode);

                // Outside us-east-1 (where S3 answers 200 for a bucket you already own) a second create is refused.
                var exists = await Assert.ThrowsAsync<DrToolsException>(() => s3dr.CreateBucketAsync(dr, null, None));
                Assert.Equal(ErrorIds.AlreadyExists, exists.ErrorId);
            }
            finally
            {
                await DestroyAsync(home, Live.Region);
                await DestroyAsync(dr, Live.DrRegion);
            }
        }

        [LiveFact]
        public async Task Objects_put_head_get_range_tags_list_copy_and_delete_end_to_end()
        {
            var bucket = BucketName("s3o");
            var drBucket = BucketName("s3oc");
            using var s3 = Service(Live.Region);
            using var s3dr = Service(Live.DrRegion);
            try
            {
                await s3.CreateBucketAsync(bucket, null, None);
                await s3dr.CreateBucketAsync(drBucket, null, None);
                var data = Random(100_000);
                var put = new S3PutRequest(bucket, "backups/db.bak")
                {
                    ContentType = "application/octet-stream",
                    StorageClass = "STANDARD_IA",
                    Tags = { ["DrGroup"] = "orders" },
                    Metadata = { ["source-host"] = "db01" },
                    OnlyIfAbsent = true,
                };
                var result = await s3.PutObjectAsync(put, new MemoryStream(data), data.Length, None);
                Assert.Equal(Convert.ToBase64String(SHA256.HashData(data)), result.ChecksumSha256);
                Assert.Equal(1, result.Parts);

                // Conditional create refuses to overwrite.
                var again = await Assert.ThrowsAsync<DrToolsException>(() => s3.PutObjectAsync(put, new MemoryStream(data), data.Length, None));
                Assert.Equal(ErrorIds.AlreadyExists, again.ErrorId);

                var head = await s3.HeadObjectAsync(bucket, "backups/db.bak", None);
                Assert.NotNull(head);
                Assert.Equal(data.Length, head!.Size);
                Assert.Equal("STANDARD_IA", head.StorageClass);
                Assert.Equal("AES256", head.ServerSideEncryption);
                Assert.Equal("db01", head.Metadata["source-host"]);
                Assert.Equal(result.ChecksumSha256, head.ChecksumSha256);
                Assert.Null(await s3.HeadObjectAsync(bucket, "backups/none", None));

                using (var all = await s3.GetObjectAsync(bucket, "backups/db.bak", null, null, None))
                    Assert.Equal(data, await ReadAllAsync(all));
                using (var range = await s3.GetObjectAsync(bucket, "backups/db.bak", 10, 19, None))
                {
                    Assert.Equal(10, range.Length);
                    Assert.Equal(data.Skip(10).Take(10).ToArray(), await ReadAllAsync(range));
                }
                var noKey = await Assert.ThrowsAsync<DrToolsException>(() => s3.GetObjectAsync(bucket, "backups/none", null, null, None));
                Assert.Equal(ErrorIds.NotFound, noKey.ErrorId);
                Assert.Equal("NoSuchKey", noKey.AwsErrorCode);

                Assert.Equal("orders", (await s3.GetObjectTagsAsync(bucket, "backups/db.bak", None))["DrGroup"]);
                await s3.PutObjectTagsAsync(bucket, "backups/db.bak", new Dictionary<string, string> { ["Tier"] = "1" }, None);
                var tags = await s3.GetObjectTagsAsync(bucket, "backups/db.bak", None);
                Assert.Equal("1", tags["Tier"]);
                Assert.False(tags.ContainsKey("DrGroup"));

                // Paging: 5 more small objects, 2 a page.
                for (var i = 0; i < 5; i++)
                    await s3.PutObjectAsync(new S3PutRequest(bucket, $"logs/{i}.txt"), new MemoryStream(new byte[] { (byte)i }), 1, None);
                var page1 = await s3.ListObjectsPageAsync(bucket, "logs/", null, null, 2, None);
                Assert.Equal(2, page1.Objects.Count);
                Assert.NotNull(page1.NextContinuationToken);
                var listed = (await s3.ListObjectsAsync(bucket, "logs/", None)).Select(o => o.Key).ToList();
                Assert.Equal(Enumerable.Range(0, 5).Select(i => $"logs/{i}.txt"), listed);
                var folders = await s3.ListObjectsPageAsync(bucket, null, "/", null, null, None);
                Assert.Equal(new[] { "backups/", "logs/" }, folders.CommonPrefixes.OrderBy(p => p));
                Assert.Empty(folders.Objects);

                // Copy within the region and to the DR region's bucket.
                var local = await s3.CopyObjectAsync(new S3CopyRequest(bucket, "backups/db.bak", bucket, "backups/db-copy.bak"), None);
                Assert.Equal(Live.Region, local.Region);
                var remote = await s3.CopyObjectAsync(new S3CopyRequest(bucket, "backups/db.bak", drBucket, "db.bak")
                {
                    DestinationRegion = Live.DrRegion, Tags = new Dictionary<string, string> { ["Copy"] = "dr" },
                }, None);
                Assert.Equal(Live.DrRegion, remote.Region);
                using (var copied = await s3dr.GetObjectAsync(drBucket, "db.bak", null, null, None))
                    Assert.Equal(data, await ReadAllAsync(copied));
                Assert.Equal("dr", (await s3dr.GetObjectTagsAsync(drBucket, "db.bak", None))["Copy"]);
                var missingSource = await Assert.ThrowsAsync<DrToolsException>(() => s3.CopyObjectAsync(new S3CopyRequest(bucket, "nope", bucket, "x"), None));
                Assert.Equal(ErrorIds.NotFound, missingSource.ErrorId);

                await s3.DeleteObjectAsync(bucket, "backups/db-copy.bak", null, None);
                Assert.Null(await s3.HeadObjectAsync(bucket, "backups/db-copy.bak", None));
                var deleted = await s3.DeleteObjectsAsync(bucket, listed.Append("backups/db.bak"), None);
                Assert.Equal(6, deleted.Deleted);
                Assert.Empty(deleted.Failures);
                Assert.Empty((await s3.ListObjectsPageAsync(bucket, null, null, null, null, None)).Objects);
            }
            finally
            {
                await DestroyAsync(bucket, Live.Region);
                await DestroyAsync(drBucket, Live.DrRegion);
            }
        }

        [LiveFact]
        public async Task A_12_MiB_multipart_upload_round_trips_with_its_checksum_verified()
        {
            var bucket = BucketName("s3mp");
            using var s3 = Service(Live.Region);
            try
            {
                await s3.CreateBucketAsync(bucket, null, None);
                var data = Random(12 * 1024 * 1024);
                // A non-seekable source, to prove the upload reads it once, front to back.
                var result = await s3.UploadAsync(new S3PutRequest(bucket, "big.bin") { Tags = { ["k"] = "v" } }, new ForwardOnlyStream(data), data.Length,
                    new S3UploadOptions { MultipartThreshold = 5 * 1024 * 1024, PartSize = 5 * 1024 * 1024, Concurrency = 3 }, None);
                Assert.Equal(3, result.Parts);
                Assert.EndsWith("-3", result.ChecksumSha256);

                var head = await s3.HeadObjectAsync(bucket, "big.bin", None);
                Assert.Equal(data.Length, head!.Size);
                // S3 reports the composite as "<base64>-3"; moto leaves out the suffix.
                if (head.ChecksumSha256 != null) Assert.Equal(result.ChecksumSha256.Split('-')[0], head.ChecksumSha256.Split('-')[0]);
                using var content = await s3.GetObjectAsync(bucket, "big.bin", null, null, None);
                Assert.Equal(SHA256.HashData(data), SHA256.HashData(await ReadAllAsync(content)));
                Assert.Equal("v", (await s3.GetObjectTagsAsync(bucket, "big.bin", None))["k"]);
            }
            finally { await DestroyAsync(bucket, Live.Region); }
        }

        [LiveFact]
        public async Task A_cancelled_multipart_upload_is_aborted_and_leaves_no_parts()
        {
            var bucket = BucketName("s3ab");
            using var s3 = Service(Live.Region);
            try
            {
                await s3.CreateBucketAsync(bucket, null, None);
                var data = Random(15 * 1024 * 1024);
                using var cts = new CancellationTokenSource();
                // Cancel once the second part has been read from the source.
                var source = new ForwardOnlyStream(data) { OnRead = total => { if (total > 6 * 1024 * 1024) cts.Cancel(); } };
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => s3.UploadAsync(new S3PutRequest(bucket, "cancelled.bin"), source, data.Length,
                    new S3UploadOptions { MultipartThreshold = 5 * 1024 * 1024, PartSize = 5 * 1024 * 1024, Concurrency = 1 }, cts.Token));

                using var raw = new AwsClientFactory(Live.Connection()).S3();
                var uploads = await raw.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = bucket });
                Assert.Empty(uploads.MultipartUploads ?? new List<MultipartUpload>());
                Assert.Null(await s3.HeadObjectAsync(bucket, "cancelled.bin", None));
            }
            finally { await DestroyAsync(bucket, Live.Region); }
        }

        [LiveFact]
        public async Task Puts_work_with_S3ChecksumWhenRequired_as_used_for_S3_compatible_servers()
        {
            var bucket = BucketName("s3wr");
            using var s3 = Service(Live.Region, checksumWhenRequired: true);
            try
            {
                await s3.CreateBucketAsync(bucket, null, None);
                var small = Random(1000);
                await s3.PutObjectAsync(new S3PutRequest(bucket, "small"), new MemoryStream(small), small.Length, None);
                var big = Random(11 * 1024 * 1024);
                var r = await s3.UploadAsync(new S3PutRequest(bucket, "big"), new MemoryStream(big), big.Length,
                    new S3UploadOptions { MultipartThreshold = 5 * 1024 * 1024, PartSize = 5 * 1024 * 1024 }, None);
                Assert.Equal(3, r.Parts);
                using (var c = await s3.GetObjectAsync(bucket, "small", null, null, None)) Assert.Equal(small, await ReadAllAsync(c));
                using (var c = await s3.GetObjectAsync(bucket, "big", null, null, None)) Assert.Equal(SHA256.HashData(big), SHA256.HashData(await ReadAllAsync(c)));
            }
            finally { await DestroyAsync(bucket, Live.Region); }
        }

        [LiveFact]
        public async Task Object_Lock_retention_is_applied_to_objects_in_a_locked_bucket()
        {
            var bucket = BucketName("s3lk");
            using var s3 = Service(Live.Region);
            try
            {
                await s3.CreateBucketAsync(bucket, new S3CreateBucketOptions { ObjectLockEnabled = true }, None);
                var until = DateTime.UtcNow.AddMinutes(5);
                var data = Random(2048);
                await s3.PutObjectAsync(new S3PutRequest(bucket, "locked") { ObjectLockMode = "GOVERNANCE", RetainUntil = until }, new MemoryStream(data), data.Length, None);
                var head = await s3.HeadObjectAsync(bucket, "locked", None);
                Assert.Equal("GOVERNANCE", head!.ObjectLockMode);
                Assert.True(Math.Abs((head.RetainUntil!.Value.ToUniversalTime() - until).TotalSeconds) < 2);
                var lockInfo = await s3.GetObjectLockAsync(bucket, None);
                Assert.True(lockInfo.Enabled);
                Assert.Equal(S3VersioningState.Enabled, await s3.GetVersioningAsync(bucket, None));
            }
            finally { await DestroyAsync(bucket, Live.Region); }
        }

        /// <summary>A stream that can only be read forward, as a pipe or network source.</summary>
        sealed class ForwardOnlyStream : Stream
        {
            readonly byte[] _data;
            int _pos;
            public ForwardOnlyStream(byte[] data) => _data = data;
            public Action<long>? OnRead { get; set; }
            public override bool CanRead => true;
            public override bool CanSeek => false;
            public override bool CanWrite => false;
            public override long Length => throw new NotSupportedException();
            public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
            public override int Read(byte[] buffer, int offset, int count)
            {
                var n = Math.Min(count, _data.Length - _pos);
                Array.Copy(_data, _pos, buffer, offset, n);
                _pos += n;
                OnRead?.Invoke(_pos);
                return n;
            }
            public override void Flush() { }
            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
            public override void SetLength(long value) => throw new NotSupportedException();
            public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        }
    }
}
