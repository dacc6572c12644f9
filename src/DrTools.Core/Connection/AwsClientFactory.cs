using System;
using Amazon.EC2;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.SecurityToken;
using DrTools.Core.Aws.CloudWatch;
using DrTools.Core.Aws.Wire;

namespace DrTools.Core.Connection
{
    /// <summary>
    /// Builds SDK clients from a resolved <see cref="AwsConnection"/>: region, credentials, timeouts and retries,
    /// and, when an endpoint is overridden, that endpoint for every service (path-style addressing for S3).
    /// </summary>
    public sealed class AwsClientFactory : IAwsClientFactory
    {
        public AwsClientFactory(AwsConnection connection) => Connection = connection;

        public AwsConnection Connection { get; }

        public IAmazonS3 S3(string? region = null)
        {
            var c = For(region);
            var config = Configure(new AmazonS3Config(), c, dataPath: true);
            if (c.EndpointUrl != null) config.ForcePathStyle = true;
            if (c.S3ChecksumWhenRequired)
            {
                // S3-compatible servers (Ceph RGW and others) reject the flexible-checksum trailers AWS accepts.
                config.RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED;
                config.ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED;
            }
            return new AmazonS3Client(c.Credentials, config);
        }

        public IAmazonEC2 Ec2(string? region = null)
        {
            var c = For(region);
            return new AmazonEC2Client(c.Credentials, Configure(new AmazonEC2Config(), c));
        }

        public IAmazonSecurityTokenService Sts(string? region = null)
        {
            var c = For(region);
            return new AmazonSecurityTokenServiceClient(c.Credentials, Configure(new AmazonSecurityTokenServiceConfig(), c));
        }

        public Route53Client Route53() => new(Connection.Credentials, Configure(Route53Client.CreateConfig(), Connection));

        public RdsClient Rds(string? region = null)
        {
            var c = For(region);
            return new RdsClient(c.Credentials, Configure(RdsClient.CreateConfig(), c));
        }

        public AutoScalingClient AutoScaling(string? region = null)
        {
            var c = For(region);
            return new AutoScalingClient(c.Credentials, Configure(AutoScalingClient.CreateConfig(), c));
        }

        public CloudWatchClient CloudWatch(string? region = null) => CloudWatchClient.Create(For(region));

        AwsConnection For(string? region) => region == null ? Connection : Connection.ForRegion(region);

        /// <summary>
        /// Applies region, endpoint override, timeout and retry settings shared by every client. Every client gets the
        /// inactivity limit (<see cref="AwsConnection.IdleTimeout"/>) and adaptive retries; <paramref name="dataPath"/>
        /// clients (S3: many requests per backup) get <see cref="AwsConnection.DataPathMaxErrorRetry"/> retries unless
        /// the connection sets a count.
        /// </summary>
        public static T Configure<T>(T config, AwsConnection c, bool dataPath = false) where T : ClientConfig
        {
            if (c.EndpointUrl != null)
            {
                config.ServiceURL = c.EndpointUrl.ToString();
                config.AuthenticationRegion = c.Region;
            }
            else
            {
                config.RegionEndpoint = c.RegionEndpoint;
            }
            if (c.Timeout is { } timeout) config.Timeout = timeout;
            config.HttpClientFactory = new IdleTimeoutHttpClientFactory(c.IdleTimeout);
            // Adaptive: standard retries (exponential backoff with jitter, a retry quota) plus client-side rate limiting
            // when the service throttles, so a throttled backup slows down instead of failing.
            config.RetryMode = RequestRetryMode.Adaptive;
            if ((c.MaxErrorRetry ?? (dataPath ? AwsConnection.DataPathMaxErrorRetry : (int?)null)) is { } retries) config.MaxErrorRetry = retries;
            return config;
        }
    }
}
