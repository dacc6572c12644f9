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
        public TimeSpan? Timeout { get; init; }
        public int? MaxErrorRetry { get; init; }

        /// <summary>Values that must never appear in messages (secret key, session token).</summary>
        internal IReadOnlyList<string> Secrets { get; init; } = Array.Empty<string>();

        public AwsConnection ForRegion(string region) =>
            string.Equals(region, Region, StringComparison.Ordinal) ? this
            : new AwsConnection(ConnectionResolver.ValidateRegion(region, "the requested region"), Credentials, CredentialSource, "Parameter", EndpointUrl)
            {
                S3ChecksumWhenRequired = S3ChecksumWhenRequired,
                Timeout = Timeout,
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
