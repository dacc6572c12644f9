using DrTools.Core.Connection;
using DrTools.TestSupport;

namespace DrTools.Core.Tests.Aws
{
    internal static class FakeConnections
    {
        /// <summary>A connection to the fake endpoint; no retries, so error tests see exactly one request.</summary>
        public static AwsClientFactory For(FakeAwsServer server, string region = "us-east-1", bool checksumWhenRequired = false) =>
            new(new ConnectionResolver().Resolve(new ConnectionRequest
            {
                Region = region, EndpointUrl = server.Url, AccessKey = "AKIDFAKE", SecretKey = "fake-secret-key",
                MaxErrorRetry = 0, S3ChecksumWhenRequired = checksumWhenRequired,
            }));
    }
}
