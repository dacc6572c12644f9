using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Aws.S3;
using DrTools.Core.Diagnostics;
using DrTools.TestSupport;
using Xunit;

namespace DrTools.Core.Tests.Aws.S3
{
    public class S3ServiceTests
    {
        const string Ns = "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"";
        static readonly CancellationToken None = CancellationToken.None;

        static FakeResponse Xml(string body) => new(200, body, "application/xml");

        static FakeResponse S3Error(int status, string code, string message) =>
            new(status, $"<Error><Code>{code}</Code><Message>{message}</Message><RequestId>REQ-{code}</RequestId><HostId>host</HostId></Error>", "application/xml")
            {
                Headers = { ["x-amz-request-id"] = "REQ-" + code },
            };

        static string Sha(byte[] data) => Convert.ToBase64String(SHA256.HashData(data));

        /// <summary>ASCII bytes: the fake server reads bodies as text, so they come back byte for byte.</summary>
        static byte[] Ascii(int size) => Enumerable.Range(0, size).Select(i => (byte)('a' + i * 7 % 26)).ToArray();

        [Fact]
        public async Task PutObject_sends_the_SHA256_as_a_header_with_encryption_storage_class_tags_lock_and_conditional_create()
        {
            using var server = new FakeAwsServer(r => new FakeResponse(200, "") { Headers = { ["ETag"] = "\"e1\"" } });
            using var s3 = new S3Service(FakeConnections.For(server));
            var data = Ascii(1000);
            var until = new DateTime(2030, 1, 2, 3, 4, 5, DateTimeKind.Utc);
            var result = await s3.PutObjectAsync(new S3PutRequest("backups", "db/full.bak")
            {
                Encryption = S3Encryption.Kms("alias/dr"), StorageClass = "STANDARD_IA", Tags = { ["DrGroup"] = "orders" },
                ObjectLockMode = "COMPLIANCE", RetainUntil = until, OnlyIfAbsent = true,
            }, new MemoryStream(data), data.Length, None);

            var put = Assert.Single(server.Requests);
            Assert.Equal("PUT", put.Method);
            Assert.Equal("/backups/db/full.bak", put.Path);
            Assert.Equal(Sha(data), put.Headers["x-amz-checksum-sha256"]);
            Assert.Equal(Sha(data), result.ChecksumSha256);
            Assert.Equal("SHA256", put.Headers["x-amz-sdk-checksum-algorithm"]);
            Assert.False(put.Headers.ContainsKey("x-amz-trailer")); // a header computed up front, not a trailer
            Assert.Equal("aws:kms", put.Headers["x-amz-server-side-encryption"]);
            Assert.Equal("alias/dr", put.Headers["x-amz-server-side-encryption-aws-kms-key-id"]);
            Assert.Equal("STANDARD_IA", put.Headers["x-amz-storage-class"]);
            Assert.Equal("DrGroup=orders", put.Headers["x-amz-tagging"]);
            Assert.Equal("COMPLIANCE", put.Headers["x-amz-object-lock-mode"]);
            Assert.StartsWith("2030-01-02T03:04:05", put.Headers["x-amz-object-lock-retain-until-date"]);
            Assert.Equal("*", put.Headers["If-None-Match"]);
            Assert.Equal("\"e1\"", result.ETag);
        }

        [Fact]
        public async Task With_S3ChecksumWhenRequired_the_body_goes_unchunked_with_the_checksum_header()
        {
            using var server = new FakeAwsServer(r => new FakeResponse(200, "") { Headers = { ["ETag"] = "\"e1\"" } });
            using var s3 = new S3Service(FakeConnections.For(server, checksumWhenRequired: true));
            var data = Ascii(5000);
            // A longer stream: only the 4000 bytes after position 500 are sent, and hashed.
            var stream = new MemoryStream(data) { Position = 500 };
            await s3.PutObjectAsync(new S3PutRequest("b", "k"), stream, 4000, None);

            var put = Assert.Single(server.Requests);
            var sent = data.Skip(500).Take(4000).ToArray();
            Assert.Equal(Encoding.ASCII.GetString(sent), put.Body);
            Assert.Equal(Sha(sent), put.Headers["x-amz-checksum-sha256"]);
            Assert.False(put.Headers.TryGetValue("Content-Encoding", out var enc) && enc.Contains("aws-chunked"));
            Assert.Equal("AES256", put.Headers["x-amz-server-side-encryption"]);
        }

        [Fact]
        public async Task A_conditional_create_that_finds_the_object_is_DrTools_AlreadyExists()
        {
            using var server = new FakeAwsServer(r => S3Error(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold"));
            using var s3 = new S3Service(FakeConnections.For(server));
            var ex = await Assert.ThrowsAsync<DrToolsException>(() =>
                s3.PutObjectAsync(new S3PutRequest("b", "k") { OnlyIfAbsent = true }, new MemoryStream(new byte[10]), 10, None));
            Assert.Equal(ErrorIds.AlreadyExists, ex.ErrorId);
            Assert.Equal("PreconditionFailed", ex.AwsErrorCode);
            Assert.Contains("s3://b/k", ex.Message);
        }

        [Fact]
        public async Task Invalid_object_lock_settings_are_refused_before_any_request()
        {
            using var server = new FakeAwsServer(r => new FakeResponse(200, ""));
            using var s3 = new S3Service(FakeConnections.For(server));
            var ex = await Assert.ThrowsAsync<DrToolsException>(() =>
                s3.PutObjectAsync(new S3PutRequest("b", "k") { ObjectLockMode = "GOVERNANCE" }, new MemoryStream(new byte[1]), 1, None));
            Assert.Equal(ErrorIds.InvalidParameter, ex.ErrorId);
            Assert.Empty(server.Requests);
        }

        [Fact]
        public async Task Listing_follows_continuation_tokens_and_stops_at_the_last_page()
        {
            using var server = new FakeAwsServer(r => r.Query.Contains("continuation-token=tok-2")
                ? Xml($"<ListBucketResult {Ns}><Name>b</Name><Prefix>logs/</Prefix><KeyCount>1</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>" +
                      "<Contents><Key>logs/3</Key><LastModified>2024-01-01T00:00:00.000Z</LastModified><ETag>\"e3\"</ETag><Size>30</Size><StorageClass>STANDARD</StorageClass></Contents></ListBucketResult>")
                : Xml($"<ListBucketResult {Ns}><Name>b</Name><Prefix>logs/</Prefix><KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>true</IsTruncated><NextContinuationToken>tok-2</NextContinuationToken>" +
                      "<Contents><Key>logs/1</Key><LastModified>2024-01-01T00:00:00.000Z</LastModified><ETag>\"e1\"</ETag><Size>10</Size><StorageClass>STANDARD</StorageClass></Contents>" +
                      "<Contents><Key>logs/2</Key><LastModified>2024-01-01T00:00:00.000Z</LastModified><ETag>\"e2\"</ETag><Size>20</Size><StorageClass>GLACIER</StorageClass></Contents></ListBucketResult>"));
            using var s3 = new S3Service(FakeConnections.For(server));

            var all = await s3.ListObjectsAsync("b", "logs/", None);

            Assert.Equal(new[] { "logs/1", "logs/2", "logs/3" }, all.Select(o => o.Key));
            Assert.Equal(new long[] { 10, 20, 30 }, all.Select(o => o.Size));
            Assert.Equal("GLACIER", all[1].StorageClass);
            var requests = server.Requests.ToList();
            Assert.Equal(2, requests.Count);
            Assert.All(requests, r => Assert.Equal("2", r.Form["list-type"]));
            Assert.All(requests, r => Assert.Equal("logs/", r.Form["prefix"]));
            Assert.False(requests[0].Form.ContainsKey("continuation-token"));
            Assert.Equal("tok-2", requests[1].Form["continuation-token"]);
        }

        [Fact]
        public async Task An_empty_listing_page_is_an_empty_list()
        {
            using var server = new FakeAwsServer(r => Xml($"<ListBucketResult {Ns}><Name>b</Name><KeyCount>0</KeyCount><MaxKeys>5</MaxKeys><IsTruncated>false</IsTruncated></ListBucketResult>"));
            using var s3 = new S3Service(FakeConnections.For(server));
            var page = await s3.ListObjectsPageAsync("b", null, "/", null, 5, None);
            Assert.Empty(page.Objects);
            Assert.Empty(page.CommonPrefixes);
            Assert.Null(page.NextContinuationToken);
            var r = Assert.Single(server.Requests);
            Assert.Equal("5", r.Form["max-keys"]);
            Assert.Equal("/", r.Form["delimiter"]);
        }

        [Fact]
        public async Task DeleteObjects_sends_at_most_1000_keys_per_request_and_reports_refused_keys()
        {
            using var server = new FakeAwsServer(r => r.Body.Contains("<Key>k-1500</Key>")
                ? Xml($"<DeleteResult {Ns}><Error><Key>k-1500</Key><Code>AccessDenied</Code><Message>Access Denied</Message></Error></DeleteResult>")
                : Xml($"<DeleteResult {Ns}></DeleteResult>"));
            using var s3 = new S3Service(FakeConnections.For(server));

            var result = await s3.DeleteObjectsAsync("b", Enumerable.Range(0, 2500).Select(i => $"k-{i}"), None);

            var counts = server.Requests.Select(r => Regex.Matches(r.Body, "<Object>").Count).ToList();
            Assert.Equal(new[] { 1000, 1000, 500 }, counts);
            Assert.All(server.Requests, r => Assert.Equal("POST", r.Method));
            Assert.All(server.Requests, r => Assert.Contains("<Quiet>true</Quiet>", r.Body));
            Assert.Equal(2499, result.Deleted);
            var failure = Assert.Single(result.Failures);
            Assert.Equal("k-1500", failure.Key);
            Assert.Equal("AccessDenied", failure.Code);
        }

        [Theory]
        [InlineData(404, "NoSuchKey", "DrTools.NotFound")]
        [InlineData(404, "NoSuchBucket", "DrTools.NotFound")]
        [InlineData(403, "AccessDenied", "DrTools.AccessDenied")]
        [InlineData(503, "SlowDown", "DrTools.Throttled")]
        [InlineData(403, "InvalidAccessKeyId", "DrTools.InvalidCredentials")]
        public async Task S3_error_bodies_become_DrTools_errors_with_the_AWS_code_and_request_id(int status, string code, string errorId)
        {
            using var server = new FakeAwsServer(r => S3Error(status, code, "Something about " + code));
            using var s3 = new S3Service(FakeConnections.For(server));
            var ex = await Assert.ThrowsAsync<DrToolsException>(() => s3.GetObjectAsync("b", "k", null, null, None));
            Assert.Equal(errorId, ex.ErrorId);
            Assert.Equal(code, ex.AwsErrorCode);
            Assert.Equal("REQ-" + code, ex.RequestId);
            Assert.Equal("S3", ex.Service);
            Assert.Contains("s3://b/k", ex.Message);
        }

        [Theory]
        [InlineData(301, "PermanentRedirect")]
        [InlineData(400, "AuthorizationHeaderMalformed")]
        public async Task A_bucket_in_another_region_is_DrTools_InvalidRegion_naming_that_region(int status, string code)
        {
            using var server = new FakeAwsServer(r => r.Query.Contains("location")
                ? Xml($"<LocationConstraint {Ns}>us-west-2</LocationConstraint>")
                : S3Error(status, code, "The bucket is in another region."));
            using var s3 = new S3Service(FakeConnections.For(server));
            var ex = await Assert.ThrowsAsync<DrToolsException>(() => s3.GetObjectAsync("dr-bucket", "k", null, null, None));
            Assert.Equal(ErrorIds.InvalidRegion, ex.ErrorId);
            Assert.Contains("us-west-2", ex.Message);
            Assert.Contains("-Region us-west-2", ex.RecommendedAction);
            Assert.Equal(code, ex.AwsErrorCode);
        }

        [Theory]
        [InlineData(10L, 19L, "bytes=10-19")]
        [InlineData(100L, null, "bytes=100-")]
        public async Task Range_reads_send_the_range_header(long? start, long? end, string header)
        {
            using var server = new FakeAwsServer(r => new FakeResponse(206, "0123456789") { Headers = { ["Content-Range"] = "bytes 10-19/1000" } });
            using var s3 = new S3Service(FakeConnections.For(server));
            using var content = await s3.GetObjectAsync("b", "k", start, end, None);
            Assert.Equal(header, Assert.Single(server.Requests).Headers["Range"]);
            Assert.Equal(10, content.Length);
            Assert.Equal("bytes 10-19/1000", content.ContentRange);
        }

        [Fact]
        public async Task HeadObject_of_a_missing_key_is_null()
        {
            using var server = new FakeAwsServer(r => new FakeResponse(404, ""));
            using var s3 = new S3Service(FakeConnections.For(server));
            Assert.Null(await s3.HeadObjectAsync("b", "nope", None));
        }

        [Theory]
        [InlineData("", "us-east-1")]
        [InlineData("EU", "eu-west-1")]
        [InlineData("ap-southeast-2", "ap-southeast-2")]
        public async Task Bucket_region_comes_from_GetBucketLocation(string location, string region)
        {
            using var server = new FakeAwsServer(r => Xml($"<LocationConstraint {Ns}>{location}</LocationConstraint>"));
            using var s3 = new S3Service(FakeConnections.For(server));
            Assert.Equal(region, await s3.GetBucketRegionAsync("b", None));
        }

        [Fact]
        public async Task CreateBucket_outside_us_east_1_sends_the_location_constraint_and_object_lock()
        {
            using var server = new FakeAwsServer(r => new FakeResponse(200, ""));
            using var s3 = new S3Service(FakeConnections.For(server, "us-west-2"));
            await s3.CreateBucketAsync("dr-bucket", new S3CreateBucketOptions { ObjectLockEnabled = true }, None);
            var r = Assert.Single(server.Requests);
            Assert.Equal("PUT", r.Method);
            Assert.Equal("us-west-2", r.Region);
            Assert.Contains("<LocationConstraint>us-west-2</LocationConstraint>", r.Body);
            Assert.Equal("true", r.Headers["x-amz-bucket-object-lock-enabled"]);
        }

        [Fact]
        public async Task A_cross_region_copy_is_sent_to_the_destination_region()
        {
            using var server = new FakeAwsServer(r => r.Method == "HEAD"
                ? new FakeResponse(200, "") { Headers = { ["ETag"] = "\"src\"" } }
                : Xml($"<CopyObjectResult {Ns}><ETag>\"copy\"</ETag><LastModified>2024-01-01T00:00:00.000Z</LastModified></CopyObjectResult>"));
            using var s3 = new S3Service(FakeConnections.For(server));
            var result = await s3.CopyObjectAsync(new S3CopyRequest("src", "a/b.bak", "dst", "b.bak")
            {
                DestinationRegion = "us-west-2", Tags = new Dictionary<string, string> { ["Copy"] = "dr" },
            }, None);
            var copy = server.Requests.Single(r => r.Method == "PUT");
            Assert.Equal("us-west-2", copy.Region);
            Assert.Equal("/dst/b.bak", copy.Path);
            Assert.Equal("src/a/b.bak", Uri.UnescapeDataString(copy.Headers["x-amz-copy-source"]).TrimStart('/'));
            Assert.Equal("REPLACE", copy.Headers["x-amz-tagging-directive"]);
            Assert.Equal("Copy=dr", copy.Headers["x-amz-tagging"]);
            Assert.Equal("us-west-2", result.Region);
            Assert.Equal("us-east-1", server.Requests.Single(r => r.Method == "HEAD").Region);
        }

        // ------------------------------------------------------------------ multipart

        sealed class MultipartFake
        {
            public Func<int, FakeResponse?> PartAnswer = _ => null;
            public string? CompleteChecksum;
            public FakeResponse Handle(FakeRequest r)
            {
                if (r.Method == "POST" && r.Query.Contains("uploads"))
                    return Xml($"<InitiateMultipartUploadResult {Ns}><Bucket>b</Bucket><Key>big</Key><UploadId>up-1</UploadId></InitiateMultipartUploadResult>");
                if (r.Method == "PUT" && r.Form.TryGetValue("partNumber", out var n))
                    return PartAnswer(int.Parse(n)) ?? new FakeResponse(200, "") { Headers = { ["ETag"] = $"\"etag-{n}\"" } };
                if (r.Method == "POST" && r.Query.Contains("uploadId"))
                    return Xml($"<CompleteMultipartUploadResult {Ns}><Bucket>b</Bucket><Key>big</Key><ETag>\"final\"</ETag>" +
                               (CompleteChecksum == null ? "" : $"<ChecksumSHA256>{CompleteChecksum}</ChecksumSHA256>") + "</CompleteMultipartUploadResult>");
                if (r.Method == "DELETE") return new FakeResponse(204, "");
                return S3Error(400, "Unexpected", r.Method + " " + r.Path + r.Query);
            }
        }

        const int MiB = 1024 * 1024;
        static readonly S3UploadOptions SmallParts = new() { MultipartThreshold = 5 * MiB, PartSize = 5 * MiB, Concurrency = 2 };

        [Fact]
        public async Task A_large_upload_goes_in_parts_each_with_its_SHA256_and_completes_with_them_in_order()
        {
            var fake = new MultipartFake();
            using var server = new FakeAwsServer(fake.Handle);
            using var s3 = new S3Service(FakeConnections.For(server, checksumWhenRequired: true));
            var data = Ascii(12 * MiB);
            var digests = new[] { data.Take(5 * MiB), data.Skip(5 * MiB).Take(5 * MiB), data.Skip(10 * MiB) }.Select(p => SHA256.HashData(p.ToArray())).ToList();
            fake.CompleteChecksum = S3Service.CompositeChecksum(digests);

            var result = await s3.UploadAsync(new S3PutRequest("b", "big") { Tags = { ["k"] = "v" } }, new MemoryStream(data), data.Length, SmallParts, None);

            Assert.Equal(3, result.Parts);
            Assert.Equal(fake.CompleteChecksum, result.ChecksumSha256);
            var init = server.Requests.Single(r => r.Method == "POST" && r.Query.Contains("uploads"));
            Assert.Equal("SHA256", init.Headers["x-amz-checksum-algorithm"]);
            Assert.Equal("AES256", init.Headers["x-amz-server-side-encryption"]);
            Assert.Equal("k=v", init.Headers["x-amz-tagging"]);
            var parts = server.Requests.Where(r => r.Method == "PUT").OrderBy(r => int.Parse(r.Form["partNumber"])).ToList();
            Assert.Equal(new[] { 5 * MiB, 5 * MiB, 2 * MiB }, parts.Select(p => p.Body.Length));
            for (var i = 0; i < 3; i++)
            {
                Assert.Equal("up-1", parts[i].Form["uploadId"]);
                Assert.Equal(Convert.ToBase64String(digests[i]), parts[i].Headers["x-amz-checksum-sha256"]);
                Assert.Equal(Convert.ToBase64String(SHA256.HashData(Encoding.ASCII.GetBytes(parts[i].Body))), parts[i].Headers["x-amz-checksum-sha256"]);
            }
            var complete = server.Requests.Single(r => r.Method == "POST" && r.Query.Contains("uploadId=up-1"));
            var listed = Regex.Matches(complete.Body, @"<PartNumber>(\d+)</PartNumber>").Select(m => m.Groups[1].Value);
            Assert.Equal(new[] { "1", "2", "3" }, listed);
            for (var i = 0; i < 3; i++) Assert.Contains($"<ChecksumSHA256>{Convert.ToBase64String(digests[i])}</ChecksumSHA256>", complete.Body);
            Assert.DoesNotContain(server.Requests, r => r.Method == "DELETE");
        }

        [Fact]
        public async Task A_failed_part_aborts_the_upload_and_never_completes_it()
        {
            var fake = new MultipartFake { PartAnswer = n => n == 2 ? S3Error(500, "InternalError", "We encountered an internal error.") : null };
            using var server = new FakeAwsServer(fake.Handle);
            using var s3 = new S3Service(FakeConnections.For(server, checksumWhenRequired: true));
            var data = Ascii(16 * MiB);

            var ex = await Assert.ThrowsAsync<DrToolsException>(() => s3.UploadAsync(new S3PutRequest("b", "big"), new MemoryStream(data), data.Length, SmallParts, None));

            Assert.Equal(ErrorIds.ServiceError, ex.ErrorId);
            Assert.Equal("InternalError", ex.AwsErrorCode);
            Assert.Contains("part 2", ex.Message);
            var abort = Assert.Single(server.Requests, r => r.Method == "DELETE");
            Assert.Contains("uploadId=up-1", abort.Query);
            Assert.DoesNotContain(server.Requests, r => r.Method == "POST" && r.Query.Contains("uploadId"));
        }

        [Fact]
        public async Task Cancelling_an_upload_stops_promptly_and_aborts_it()
        {
            var fake = new MultipartFake { PartAnswer = n => new FakeResponse(200, "") { Delay = TimeSpan.FromSeconds(30) } };
            using var server = new FakeAwsServer(fake.Handle);
            using var s3 = new S3Service(FakeConnections.For(server, checksumWhenRequired: true));
            var data = Ascii(12 * MiB);
            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
            var started = DateTime.UtcNow;

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => s3.UploadAsync(new S3PutRequest("b", "big"), new MemoryStream(data), data.Length, SmallParts, cts.Token));

            Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10));
            Assert.Single(server.Requests, r => r.Method == "DELETE" && r.Query.Contains("uploadId=up-1"));
            Assert.DoesNotContain(server.Requests, r => r.Method == "POST" && r.Query.Contains("uploadId"));
        }

        [Fact]
        public async Task A_composite_checksum_that_does_not_match_the_parts_sent_is_reported_as_corruption()
        {
            var fake = new MultipartFake { CompleteChecksum = Convert.ToBase64String(new byte[32]) + "-3" };
            using var server = new FakeAwsServer(fake.Handle);
            using var s3 = new S3Service(FakeConnections.For(server, checksumWhenRequired: true));
            var data = Ascii(12 * MiB);
            var ex = await Assert.ThrowsAsync<DrToolsException>(() => s3.UploadAsync(new S3PutRequest("b", "big"), new MemoryStream(data), data.Length, SmallParts, None));
            Assert.Equal(DrErrorCategory.InvalidData, ex.Category);
            Assert.Contains("corrupt", ex.Message);
        }

        [Fact]
        public async Task A_source_shorter_than_its_stated_length_fails_and_aborts()
        {
            var fake = new MultipartFake();
            using var server = new FakeAwsServer(fake.Handle);
            using var s3 = new S3Service(FakeConnections.For(server, checksumWhenRequired: true));
            var data = Ascii(7 * MiB);
            var ex = await Assert.ThrowsAsync<DrToolsException>(() => s3.UploadAsync(new S3PutRequest("b", "big"), new MemoryStream(data), 12 * MiB, SmallParts, None));
            Assert.Contains("ended early", ex.Message);
            Assert.Single(server.Requests, r => r.Method == "DELETE");
        }

        [Theory]
        [InlineData(12L * MiB, 5L * MiB, 5L * MiB)]
        [InlineData(100L * 1024 * MiB, 5L * MiB, 15L * MiB)]   // 100 GiB in 5 MiB parts would be 20,480 parts
        [InlineData(10L * MiB, 1L * MiB, 5L * MiB)]            // below the S3 minimum
        public void Part_size_stays_within_S3_limits(long length, long requested, long expected)
        {
            var size = S3Service.PartSizeFor(length, requested);
            Assert.Equal(expected, size);
            Assert.True((length + size - 1) / size <= 10000);
        }
    }
}
