using System;
using System.Linq;
using System.Threading.Tasks;
using Amazon.S3;
using Amazon.S3.Model;
using Xunit;

namespace DrTools.TestSupport
{
    /// <summary>
    /// A real S3-compatible server on loopback (Ceph RGW in CI: ../shared/tools/start-rgw.sh) named by
    /// DRTOOLS_TEST_S3_ENDPOINT, DRTOOLS_TEST_S3_ACCESS_KEY and DRTOOLS_TEST_S3_SECRET_KEY.
    /// </summary>
    public static class S3Server
    {
        public static string? Endpoint => Env("DRTOOLS_TEST_S3_ENDPOINT");
        public static string AccessKey => Env("DRTOOLS_TEST_S3_ACCESS_KEY") ?? "";
        public static string SecretKey => Env("DRTOOLS_TEST_S3_SECRET_KEY") ?? "";
        public static bool Enabled => Endpoint != null && AccessKey.Length > 0 && SecretKey.Length > 0;

        public const string SkipReason =
            "Needs an S3-compatible server: set DRTOOLS_TEST_S3_ENDPOINT, DRTOOLS_TEST_S3_ACCESS_KEY and DRTOOLS_TEST_S3_SECRET_KEY (CI starts Ceph RGW).";

        /// <summary>A core connection to the server (S3-compatible checksum mode).</summary>
        public static DrTools.Core.Connection.AwsConnection Connection(string? accessKey = null, string? secretKey = null) =>
            new DrTools.Core.Connection.ConnectionResolver().Resolve(new DrTools.Core.Connection.ConnectionRequest
            {
                Region = "us-east-1",
                EndpointUrl = Endpoint,
                AccessKey = accessKey ?? AccessKey,
                SecretKey = secretKey ?? SecretKey,
                S3ChecksumWhenRequired = true,
                MaxErrorRetry = 1,
            });

        /// <summary>Cmdlet parameters for the server.</summary>
        public static string Params => $"-Region us-east-1 -EndpointUrl {Endpoint} -AccessKey {AccessKey} -SecretKey {SecretKey} -S3Compatible";

        /// <summary>A unique bucket name.</summary>
        public static string BucketName(string prefix) => $"drtools-{prefix}-{Guid.NewGuid():N}".Substring(0, 40).ToLowerInvariant();

        /// <summary>A client of the server (S3-compatible checksum mode).</summary>
        public static IAmazonS3 Client(DrTools.Core.Connection.AwsConnection? connection = null) =>
            new DrTools.Core.Connection.AwsClientFactory(connection ?? Connection()).S3();

        /// <summary>Creates a bucket with a unique name starting with <paramref name="prefix"/>.</summary>
        public static async Task<string> NewBucketAsync(string prefix)
        {
            var name = BucketName(prefix);
            using var s3 = Client();
            await s3.PutBucketAsync(new PutBucketRequest { BucketName = name });
            return name;
        }

        /// <summary>Empties and deletes a bucket a test made.</summary>
        public static async Task DropBucketAsync(string bucket)
        {
            using var s3 = Client();
            var list = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket });
            while ((list.S3Objects?.Count ?? 0) > 0)
            {
                await s3.DeleteObjectsAsync(new DeleteObjectsRequest { BucketName = bucket, Objects = list.S3Objects!.Select(o => new KeyVersion { Key = o.Key }).ToList() });
                list = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket });
            }
            await s3.DeleteBucketAsync(bucket);
        }

        static string? Env(string name) => string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(name)) ? null : Environment.GetEnvironmentVariable(name);
    }

    /// <summary>A [Fact] that runs only against a real S3-compatible server; otherwise it is skipped with the reason.</summary>
    public sealed class S3ServerFactAttribute : FactAttribute
    {
        public S3ServerFactAttribute()
        {
            if (!S3Server.Enabled) Skip = S3Server.SkipReason;
        }
    }
}
