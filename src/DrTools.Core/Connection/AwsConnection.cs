using System;
using System.Collections.Generic;
using Amazon;
using Amazon.Runtime;

namespace DrTools.Core.Connection
{
    /// <summary>
    /// A resolved connection: region, credentials and optional endpoint override, with where each came from.
    /// Immutable; <see cref="ForRegion"/> gives the same identity in another (e.g. the DR) region.
    /// </summary>
    public sealed class AwsConnection
    {
        public AwsConnection(string region, AWSCredentials credentials, string credentialSource, string regionSource, Uri? endpointUrl = null)
        {
            Region = region;
            Credentials = credentials;
            CredentialSource = credentialSource;
            RegionSource = regionSource;
            EndpointUrl = endpointUrl;
        }

        public string Region { get; }
        public RegionEndpoint RegionEndpoint => RegionEndpoint.GetBySystemName(Region);
        public AWSCredentials Credentials { get; }
        public string CredentialSource { get; }
        public string RegionSource { get; }

        /// <summary>An AWS-compatible endpoint used for every service instead of the AWS endpoints (moto, LocalStack, Ceph RGW...).</summary>
        public Uri? EndpointUrl { get; }

        public bool S3ChecksumWhenRequired { get; init; }

        /// <summary>The SDK's whole-attempt timeout (ClientConfig.Timeout); the SDK's own default when null.</summary>
        public TimeSpan? Timeout { get; init; }

        /// <summary>
        /// How long an attempt may go without a byte from or to the endpoint (connecting, waiting for the answer,
        /// reading a body) before it times out. A timed-out attempt is retried once; a second timeout in a row is DrTools.Timeout.
        /// </summary>
        public TimeSpan IdleTimeout { get; init; } = DefaultIdleTimeout;

        /// <summary>Retries after the first attempt, for every client; when null, <see cref="DataPathMaxErrorRetry"/> for S3 and the SDK's default (2) for the rest.</summary>
        public int? MaxErrorRetry { get; init; }

        /// <summary>The default of <see cref="IdleTimeout"/> (-RequestTimeoutSec): 60 seconds, as the AWS CLI's read and connect timeouts.</summary>
        public static readonly TimeSpan DefaultIdleTimeout = TimeSpan.FromSeconds(60);

        /// <summary>
        /// Retries of S3 calls (the backup data path, many requests per run) when none is given: with 10-15% of requests failing,
        /// the SDK's 3 attempts fail a long backup; 11 attempts with adaptive backoff do not.
        /// </summary>
        public const int DataPathMaxErrorRetry = 10;

        /// <summary>Values that must never appear in messages (secret key, session token).</summary>
        internal IReadOnlyList<string> Secrets { get; init; } = Array.Empty<string>();

        public AwsConnection ForRegion(string region) =>
            string.Equals(region, Region, StringComparison.Ordinal) ? this
            : new AwsConnection(ConnectionResolver.ValidateRegion(region, "the requested region"), Credentials, CredentialSource, "Parameter", EndpointUrl)
            {
                S3ChecksumWhenRequired = S3ChecksumWhenRequired,
                Timeout = Timeout,
                IdleTimeout = IdleTimeout,
                MaxErrorRetry = MaxErrorRetry,
                Secrets = Secrets,
            };

        /// <summary>Replaces any secret in <paramref name="text"/> with asterisks.</summary>
        public string Redact(string text)
        {
            foreach (var secret in Secrets)
                if (!string.IsNullOrEmpty(secret) && secret.Length >= 4)
                    text = text.Replace(secret, "****");
            return text;
        }
    }
}
