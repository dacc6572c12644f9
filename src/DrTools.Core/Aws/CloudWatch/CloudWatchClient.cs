using Amazon.Runtime;
using DrTools.Core.Aws.Wire;
using DrTools.Core.Connection;

namespace DrTools.Core.Aws.CloudWatch
{
    /// <summary>
    /// The one CloudWatch wire client (Query protocol, API 2010-08-01, host monitoring.{region}): the replica-lag
    /// reading (GetMetricStatistics) and the alarm reads of <see cref="CloudWatchService"/> both go through it.
    /// </summary>
    public sealed class CloudWatchClient : QueryProtocolClient
    {
        public static readonly WireServiceInfo Service = new("CloudWatch", "monitoring", "monitoring", "2010-08-01");

        /// <summary>Namespace of CloudWatch's XML responses (for test fakes).</summary>
        public const string XmlNamespace = "http://monitoring.amazonaws.com/doc/2010-08-01/";

        public CloudWatchClient(AWSCredentials? credentials, WireClientConfig config) : base(credentials, config) { }

        public static WireClientConfig CreateConfig() => new(Service);

        /// <summary>A client for <paramref name="connection"/>'s region, endpoint, timeouts and retries.</summary>
        public static CloudWatchClient Create(AwsConnection connection) =>
            new(connection.Credentials, AwsClientFactory.Configure(CreateConfig(), connection));
    }
}
