using System;
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
