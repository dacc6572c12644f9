namespace DrTools.Core.Diagnostics
{
    /// <summary>Stable error ids: runbooks match on these (FullyQualifiedErrorId starts with them).</summary>
    public static class ErrorIds
    {
        public const string NoRegion = "DrTools.NoRegion";
        public const string InvalidRegion = "DrTools.InvalidRegion";
        public const string NoCredentials = "DrTools.NoCredentials";
        public const string InvalidCredentials = "DrTools.InvalidCredentials";
        public const string ProfileNotFound = "DrTools.ProfileNotFound";
        public const string AccessDenied = "DrTools.AccessDenied";
        public const string NotFound = "DrTools.NotFound";
        public const string AlreadyExists = "DrTools.AlreadyExists";
        public const string Throttled = "DrTools.Throttled";
        public const string QuotaExceeded = "DrTools.QuotaExceeded";
        public const string InvalidParameter = "DrTools.InvalidParameter";
        public const string InvalidEndpoint = "DrTools.InvalidEndpoint";
        public const string EndpointUnreachable = "DrTools.EndpointUnreachable";
        public const string Timeout = "DrTools.Timeout";
        public const string InvalidState = "DrTools.InvalidState";
        public const string ServiceError = "DrTools.ServiceError";
        /// <summary>A traffic change refused by a safety rule (all weights zero, traffic to an unhealthy site); -Force overrides.</summary>
        public const string TrafficSafety = "DrTools.TrafficSafety";
    }
}
