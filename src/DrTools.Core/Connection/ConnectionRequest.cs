using System;

namespace DrTools.Core.Connection
{
    /// <summary>
    /// What the caller supplied for a connection: cmdlet parameters plus the PowerShell session's stored defaults.
    /// <see cref="ConnectionResolver"/> applies the AWS Tools for PowerShell precedence to it.
    /// </summary>
    public sealed class ConnectionRequest
    {
        public string? Region { get; set; }
        public string? ProfileName { get; set; }
        public string? ProfileLocation { get; set; }
        /// <summary>
        /// -Credential: AWSCredentials of DrTools' SDK, or of another module's AWS SDK (AWS.Tools), read by shape
        /// (<see cref="ForeignCredentials"/>); typed object so the cmdlets never name an SDK type.
        /// </summary>
        public object? Credential { get; set; }
        public string? AccessKey { get; set; }
        public string? SecretKey { get; set; }
        public string? SessionToken { get; set; }
        public string? EndpointUrl { get; set; }

        /// <summary>
        /// The DR region of the plan the cmdlet works on: used when -Region is not given, ahead of the session's defaults,
        /// because the plan says where recovery happens.
        /// </summary>
        public string? PlanRegion { get; set; }

        /// <summary>The session's $StoredAWSRegion (set by AWS Tools' Set-DefaultAWSRegion).</summary>
        public string? StoredRegion { get; set; }

        /// <summary>The session's $StoredAWSCredentials: AWSCredentials (of any AWS SDK), a profile name, or an object wrapping AWSCredentials.</summary>
        public object? StoredCredentials { get; set; }

        /// <summary>S3-compatible servers (e.g. Ceph RGW) reject the SDK's default flexible checksums.</summary>
        public bool S3ChecksumWhenRequired { get; set; }

        /// <summary>Per-attempt HTTP timeout; the SDK default when null.</summary>
        public TimeSpan? Timeout { get; set; }

        /// <summary>How long an attempt may go without a byte from or to the endpoint (-RequestTimeoutSec); 60 s when null.</summary>
        public TimeSpan? IdleTimeout { get; set; }

        /// <summary>Retries after the first attempt (-MaximumRetryCount); 10 for S3 and the SDK default for other services when null.</summary>
        public int? MaxErrorRetry { get; set; }

        /// <summary>
        /// For a global service (Route 53): the region used when no other source names one, instead of DrTools.NoRegion.
        /// A region from any source still wins (it picks the partition and the signing region).
        /// </summary>
        public string? GlobalServiceRegion { get; set; }

        /// <summary>
        /// -WhatIf: when no credentials are found, resolve anyway and fail with DrTools.NoCredentials only if an AWS
        /// call is actually made, so a -WhatIf that calls no AWS API works on a machine without credentials.
        /// </summary>
        public bool DeferMissingCredentials { get; set; }
    }
}
