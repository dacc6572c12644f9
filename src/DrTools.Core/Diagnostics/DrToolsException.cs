using System;

namespace DrTools.Core.Diagnostics
{
    /// <summary>
    /// The one exception type the core throws for failures a user can act on. The cmdlet layer turns it into an
    /// ErrorRecord: <see cref="ErrorId"/> becomes the error id, <see cref="Category"/> the category,
    /// <see cref="Target"/> the target object and <see cref="RecommendedAction"/> the "what to do" text.
    /// Messages never contain secrets.
    /// </summary>
    public class DrToolsException : Exception
    {
        public DrToolsException(string errorId, DrErrorCategory category, string message, object? target = null,
            string? recommendedAction = null, Exception? inner = null)
            : base(message, inner)
        {
            ErrorId = errorId;
            Category = category;
            Target = target;
            RecommendedAction = recommendedAction;
        }

        public string ErrorId { get; }
        public DrErrorCategory Category { get; }
        public object? Target { get; }
        public string? RecommendedAction { get; }

        /// <summary>The AWS error code (e.g. DBInstanceNotFound), when the failure came from an AWS service.</summary>
        public string? AwsErrorCode { get; init; }

        /// <summary>The AWS request id, for a support case.</summary>
        public string? RequestId { get; init; }

        /// <summary>The AWS service that failed (S3, EC2, STS, Route53, RDS, AutoScaling), when known.</summary>
        public string? Service { get; init; }
    }
}
