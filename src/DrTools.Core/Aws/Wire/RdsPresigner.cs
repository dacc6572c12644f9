using System;
using System.Collections.Generic;
using System.Globalization;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Internal;
using Amazon.Runtime.Internal.Auth;
using Amazon.Runtime.Internal.Util;

namespace DrTools.Core.Aws.Wire
{
    /// <summary>
    /// SigV4 query-string presigning, as the SDK's RDS PreSignedUrlRequestHandler does for cross-region
    /// CopyDBSnapshot / CreateDBInstanceReadReplica / CopyDBClusterSnapshot: the same call, marshalled as a GET
    /// to the SOURCE region's endpoint, plus DestinationRegion, signed for the source region and service "rds".
    /// </summary>
    public static class RdsPresigner
    {
        public static string PresignCopyDBSnapshot(ImmutableCredentials credentials, string sourceRegion, string destinationRegion,
            string sourceDBSnapshotIdentifier, string targetDBSnapshotIdentifier, string? kmsKeyId,
            TimeSpan? expires = null, DateTime? signedAtUtc = null)
        {
            var p = new Dictionary<string, string>
            {
                ["SourceDBSnapshotIdentifier"] = sourceDBSnapshotIdentifier,
                ["TargetDBSnapshotIdentifier"] = targetDBSnapshotIdentifier,
            };
            if (!string.IsNullOrEmpty(kmsKeyId)) p["KmsKeyId"] = kmsKeyId!;
            return Presign(credentials, AwsServices.Rds, "CopyDBSnapshot", sourceRegion, destinationRegion, p, expires, signedAtUtc);
        }

        /// <summary>The pre-signed URL of a cross-region CopyDBClusterSnapshot (same members and rule as <see cref="PresignCopyDBSnapshot"/>).</summary>
        public static string PresignCopyDBClusterSnapshot(ImmutableCredentials credentials, string sourceRegion, string destinationRegion,
            string sourceDBClusterSnapshotIdentifier, string targetDBClusterSnapshotIdentifier, string? kmsKeyId,
            TimeSpan? expires = null, DateTime? signedAtUtc = null)
        {
            var p = new Dictionary<string, string>
            {
                ["SourceDBClusterSnapshotIdentifier"] = sourceDBClusterSnapshotIdentifier,
                ["TargetDBClusterSnapshotIdentifier"] = targetDBClusterSnapshotIdentifier,
            };
            if (!string.IsNullOrEmpty(kmsKeyId)) p["KmsKeyId"] = kmsKeyId!;
            return Presign(credentials, AwsServices.Rds, "CopyDBClusterSnapshot", sourceRegion, destinationRegion, p, expires, signedAtUtc);
        }

        /// <summary>Presigns any Query-protocol action of <paramref name="service"/> for <paramref name="sourceRegion"/>.</summary>
        public static string Presign(ImmutableCredentials credentials, WireServiceInfo service, string action, string sourceRegion,
            string destinationRegion, IDictionary<string, string> parameters, TimeSpan? expires = null, DateTime? signedAtUtc = null)
        {
            if (credentials == null) throw new ArgumentNullException(nameof(credentials));
            var config = new WireClientConfig(service) { RegionEndpoint = RegionEndpoint.GetBySystemName(sourceRegion) };
            var endpoint = config.EndpointProvider.ResolveEndpoint(WireClientConfig.BuildEndpointParameters(config, null));

            IRequest request = new DefaultRequest(new WireRequest(action), service.ServiceId)
            {
                HttpMethod = "GET",
                UseQueryString = true,
                Endpoint = new Uri(endpoint.URL),
                ResourcePath = "/",
            };
            request.Parameters["Action"] = action;
            request.Parameters["Version"] = service.ApiVersion;
            foreach (var kv in parameters) request.Parameters[kv.Key] = kv.Value;
            request.Parameters["DestinationRegion"] = destinationRegion;
            // The signer does not add X-Amz-Expires by itself (the SDK's RDS handler omits it: RDS applies its own
            // window); we send it explicitly, default 1 hour, like botocore does.
            request.Parameters["X-Amz-Expires"] = ((int)(expires ?? TimeSpan.FromHours(1)).TotalSeconds).ToString(CultureInfo.InvariantCulture);
            if (credentials.UseToken)
                request.Parameters["X-Amz-Security-Token"] = credentials.Token; // literal case: RDS compares it case-sensitively

            var result = signedAtUtc.HasValue
                ? AWS4PreSignedUrlSigner.SignRequest(request, config, new RequestMetrics(), credentials.AccessKey, credentials.SecretKey,
                    service.SigningName, sourceRegion, signedAtUtc.Value)
                : AWS4PreSignedUrlSigner.SignRequest(request, config, new RequestMetrics(), credentials.AccessKey, credentials.SecretKey,
                    service.SigningName, sourceRegion);
            return AmazonServiceClient.ComposeUrl(request).AbsoluteUri + "&" + result.ForQueryParameters;
        }
    }
}
