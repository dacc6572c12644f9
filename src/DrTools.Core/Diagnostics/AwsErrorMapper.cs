using System;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Threading;
using Amazon.Runtime;
using DrTools.Core.Connection;

namespace DrTools.Core.Diagnostics
{
    /// <summary>
    /// Maps failures from any of the five AWS services (SDK clients and DrTools' own wire clients alike) to
    /// DrTools error ids, keeping the AWS error code and request id, naming the resource, and saying what to do.
    /// </summary>
    public static class AwsErrorMapper
    {
        static readonly string[] CredentialCodes =
        {
            "InvalidClientTokenId", "SignatureDoesNotMatch", "InvalidAccessKeyId", "UnrecognizedClientException",
            "ExpiredToken", "ExpiredTokenException", "AuthFailure", "InvalidToken", "IncompleteSignature",
            "MissingAuthenticationToken", "InvalidSignatureException", "RequestExpired",
        };
        static readonly string[] AccessCodes =
            { "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "Forbidden", "AllAccessDisabled", "UnauthorizedAccess" };
        static readonly string[] ThrottleCodes =
        {
            "Throttling", "ThrottlingException", "ThrottledException", "RequestLimitExceeded", "SlowDown", "TooManyRequestsException",
            "PriorRequestNotComplete", "RequestThrottled", "RequestThrottledException", "ProvisionedThroughputExceededException",
            "BandwidthLimitExceeded", "EC2ThrottledException",
        };
        static readonly string[] StateCodes =
        {
            "IncorrectState", "IncorrectInstanceState", "InvalidDBInstanceState", "InvalidDBInstanceStateFault", "InvalidDBSnapshotState",
            "InvalidDBSnapshotStateFault", "ScalingActivityInProgress", "ScalingActivityInProgressFault", "ResourceInUse", "ResourceInUseFault",
            "InvalidSnapshot.InUse", "HealthCheckInUse", "HostedZoneNotEmpty", "BucketNotEmpty", "InvalidObjectState", "OperationAborted",
            "InvalidDBClusterStateFault", "InvalidGlobalClusterStateFault", "InvalidDBClusterSnapshotStateFault",
        };
        /// <summary>Account quotas and capacity: retrying soon will not help; a quota increase or another type/AZ will.</summary>
        static readonly string[] QuotaCodes =
        {
            "InsufficientDBInstanceCapacity", "InsufficientDBClusterCapacityFault", "InsufficientInstanceCapacity", "InstanceLimitExceeded", "VolumeLimitExceeded",
            "AddressLimitExceeded", "SnapshotLimitExceeded", "MaxSpotInstanceCountExceeded", "ResourceLimitExceeded", "LimitExceeded",
            "TooManyHealthChecks", "TooManyHostedZones", "HostedZoneLimitExceeded",
        };
        static readonly string[] WrongRegionCodes = { "PermanentRedirect", "AuthorizationHeaderMalformed", "IllegalLocationConstraintException" };

        /// <summary>Maps <paramref name="ex"/>; returns it unchanged when it already is a <see cref="DrToolsException"/>.</summary>
        /// <param name="service">S3, EC2, STS, Route53, RDS or AutoScaling.</param>
        /// <param name="operation">The AWS operation, e.g. DescribeDBInstances.</param>
        /// <param name="resource">What the call was about, in words the user knows ("DB instance 'orders-db'").</param>
        /// <param name="target">The target object for the ErrorRecord (usually the resource id).</param>
        /// <param name="connection">Used for the region/endpoint in messages and to redact secrets.</param>
        public static DrToolsException Map(Exception ex, string service, string operation, string? resource = null,
            object? target = null, AwsConnection? connection = null)
        {
            if (ex is DrToolsException dr) return dr;
            if (ex is AggregateException agg && agg.InnerExceptions.Count == 1) ex = agg.InnerExceptions[0];
            string Redact(string s) => connection?.Redact(s) ?? s;
            var what = resource ?? service;
            var where = connection?.EndpointUrl != null ? connection.EndpointUrl.ToString()
                : connection != null ? $"{service} in {connection.Region}" : service;

            if (ex is AmazonServiceException ase && (ase.ErrorCode != null || ase.StatusCode != 0))
            {
                var code = ase.ErrorCode ?? ((int)ase.StatusCode).ToString();
                var status = (int)ase.StatusCode;
                var awsMessage = Redact(string.IsNullOrWhiteSpace(ase.Message) ? code : ase.Message.Trim().TrimEnd('.'));
                var message = $"{service} {operation} failed for {what}: {awsMessage} (AWS error {code}" +
                              (string.IsNullOrEmpty(ase.RequestId) ? ")." : $", request id {ase.RequestId}).");
                var (id, category, action) = Classify(code, status, ase.Message ?? "", service, operation, what, connection);
                return new DrToolsException(id, category, message, target ?? resource, action, ex)
                {
                    AwsErrorCode = code,
                    RequestId = string.IsNullOrEmpty(ase.RequestId) ? null : ase.RequestId,
                    Service = service,
                };
            }

            if (Find<EndpointTimeoutException>(ex) is { } gone)
                return new DrToolsException(ErrorIds.Timeout, DrErrorCategory.OperationTimeout,
                    $"{service} {operation} for {what} timed out: {gone.Message}", target ?? resource,
                    $"Check that {gone.Endpoint} is the right endpoint and reachable (Test-DrConnection probes it). If the link is only slow, raise the limit with -RequestTimeoutSec (now {EndpointIdleException.Seconds(gone.Idle)}).", ex)
                    { Service = service };
            if (Find<EndpointIdleException>(ex) is { } idle)
                return new DrToolsException(ErrorIds.Timeout, DrErrorCategory.OperationTimeout,
                    $"{service} {operation} for {what} timed out: {idle.Message}", target ?? resource,
                    $"Check that {idle.Endpoint} is the right endpoint and reachable (Test-DrConnection probes it). If the link is only slow, raise the limit with -RequestTimeoutSec (now {EndpointIdleException.Seconds(idle.Idle)}).", ex)
                    { Service = service };
            // Not the caller's token (callers let that through unmapped): the SDK's whole-request timeout or another timer.
            if (ex is OperationCanceledException or TimeoutException || Find<TimeoutException>(ex) != null)
                return new DrToolsException(ErrorIds.Timeout, DrErrorCategory.OperationTimeout,
                    $"{service} {operation} for {what} timed out waiting for {where}.", target ?? resource,
                    "Check the network path to the endpoint (Test-DrConnection probes it); if the link is only slow, raise the limit with -RequestTimeoutSec.", ex) { Service = service };

            var message0 = Redact(Innermost(ex).Message);
            if (message0.IndexOf("credentials", StringComparison.OrdinalIgnoreCase) >= 0 && ex is AmazonClientException && !IsNetwork(ex))
                return new DrToolsException(ErrorIds.NoCredentials, DrErrorCategory.AuthenticationError,
                    $"{service} {operation}: {message0}", target ?? resource,
                    "Pass -ProfileName or -Credential, run Set-AWSCredential for the session, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.", ex) { Service = service };

            if (IsNetwork(ex))
                return new DrToolsException(ErrorIds.EndpointUnreachable, DrErrorCategory.ConnectionError,
                    $"Could not reach {where} for {operation} ({what}): {message0}", target ?? connection?.EndpointUrl?.ToString() ?? resource,
                    "Check the network path, proxy and -EndpointUrl/-Region; Test-DrConnection probes every service DrTools uses.", ex) { Service = service };

            return new DrToolsException(ErrorIds.ServiceError, DrErrorCategory.NotSpecified,
                $"{service} {operation} failed for {what}: {message0}", target ?? resource,
                "Re-run with -Verbose for details.", ex) { Service = service };
        }

        static (string, DrErrorCategory, string) Classify(string code, int status, string awsMessage, string service, string operation, string what, AwsConnection? c)
        {
            bool Is(string[] set) => set.Any(s => string.Equals(s, code, StringComparison.OrdinalIgnoreCase));
            var source = c != null ? $" ({c.CredentialSource})" : "";
            var region = c != null ? $" in region {c.Region}" : "";

            if (Is(CredentialCodes))
                return (ErrorIds.InvalidCredentials, DrErrorCategory.AuthenticationError,
                    $"AWS rejected the credentials DrTools used{source}. Check the access key and secret key or the profile, and refresh the session token if they are temporary.");
            // RDS sends some quota and capacity faults (DBClusterQuotaExceededFault, InsufficientDBClusterCapacityFault) with HTTP 403.
            bool quota = Is(QuotaCodes) || code.EndsWith("QuotaExceeded", StringComparison.OrdinalIgnoreCase) || code.EndsWith("QuotaExceededFault", StringComparison.OrdinalIgnoreCase);
            if (Is(AccessCodes) || (status == 403 && !quota && !code.EndsWith("NotFound", StringComparison.OrdinalIgnoreCase)))
                return (ErrorIds.AccessDenied, DrErrorCategory.PermissionDenied,
                    $"The identity{source} is not allowed to call {service}:{operation}. Grant it in IAM (docs/iam.md lists what DrTools needs) or use another profile.");
            if (Is(ThrottleCodes) || status == 429 || status == 503 && code == "SlowDown")
                return (ErrorIds.Throttled, DrErrorCategory.LimitsExceeded,
                    "AWS kept throttling the request after DrTools' retries. Wait a minute and re-run, or lower the concurrency.");
            if (quota)
                return (ErrorIds.QuotaExceeded, DrErrorCategory.LimitsExceeded,
                    $"An AWS quota or capacity limit{region} stops {operation}. Free unused resources, request a quota increase (Service Quotas), or for capacity try another instance class or Availability Zone.");
            if (Is(WrongRegionCodes) || status == 301)
                return (ErrorIds.InvalidRegion, DrErrorCategory.InvalidArgument,
                    $"{what} is not in region{region.Replace(" in region", "")}. Pass -Region with the region it lives in.");
            if (Is(StateCodes))
                return (ErrorIds.InvalidState, DrErrorCategory.InvalidOperation,
                    $"{what} is not in a state that allows {operation}. Wait for the current operation to finish, then re-run.");
            // Auto Scaling has no NotFound code: a missing group is ValidationError "AutoScalingGroup name not found - ...".
            bool validationNotFound = code == "ValidationError" && awsMessage.IndexOf("not found", StringComparison.OrdinalIgnoreCase) >= 0;
            if (code.IndexOf("NotFound", StringComparison.OrdinalIgnoreCase) >= 0 || code.StartsWith("NoSuch", StringComparison.Ordinal) || status == 404
                || validationNotFound)
                return (ErrorIds.NotFound, DrErrorCategory.ObjectNotFound,
                    $"Check that {what} exists{region} and in the account you expect (Test-DrConnection shows both).");
            if (code.IndexOf("AlreadyExists", StringComparison.OrdinalIgnoreCase) >= 0 || code.IndexOf("AlreadyOwned", StringComparison.OrdinalIgnoreCase) >= 0 || code == "Duplicate")
                return (ErrorIds.AlreadyExists, DrErrorCategory.ResourceExists,
                    $"{what} already exists. Use another name, or remove the existing one first.");
            if (status >= 500)
                return (ErrorIds.ServiceError, DrErrorCategory.ResourceUnavailable,
                    $"{service} had an internal error after DrTools' retries. Re-run; if it persists, check the AWS Health Dashboard for {service}{region}.");
            return (ErrorIds.InvalidParameter, DrErrorCategory.InvalidArgument,
                "AWS rejected a value in the request. Fix the value named in the message and re-run.");
        }

        static bool IsNetwork(Exception ex)
        {
            for (var e = ex; e != null; e = e.InnerException)
                if (e is HttpRequestException or WebException or SocketException or IOException) return true;
            return ex is AmazonServiceException { StatusCode: 0 };
        }

        static T? Find<T>(Exception ex) where T : Exception
        {
            for (Exception? e = ex; e != null; e = e.InnerException)
                if (e is T found) return found;
            return null;
        }


        static Exception Innermost(Exception ex)
        {
            while (ex.InnerException != null) ex = ex.InnerException;
            return ex;
        }

        /// <summary>True when <paramref name="ex"/> is the caller's own cancellation, which must propagate unmapped.</summary>
        public static bool IsCancellation(Exception ex, CancellationToken token) =>
            token.IsCancellationRequested && ex is OperationCanceledException;
    }
}
