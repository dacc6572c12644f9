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
        /// <summary>A download kept breaking off mid-way (connection reset, body cut short) after DrTools re-requested the rest several times.</summary>
        public const string TransferInterrupted = "DrTools.TransferInterrupted";
        public const string InvalidState = "DrTools.InvalidState";
        public const string ServiceError = "DrTools.ServiceError";
        /// <summary>Windows PowerShell 5.1: another module already loaded an AWS SDK that DrTools cannot run beside (import DrTools first, or use PowerShell 7).</summary>
        public const string AwsSdkConflict = "DrTools.AwsSdkConflict";
        /// <summary>A DR plan file failed validation; the message lists every error with its JSON path.</summary>
        public const string InvalidPlan = "DrTools.InvalidPlan";
        /// <summary>The steps of a recovery do not form a valid graph (unknown dependency, cycle, duplicate id).</summary>
        public const string InvalidRecoveryGraph = "DrTools.InvalidRecoveryGraph";
        /// <summary>A recovery journal is unreadable, belongs to another plan, or cannot be written.</summary>
        public const string JournalError = "DrTools.JournalError";
        /// <summary>The operator declined a manual approval step.</summary>
        public const string ApprovalDenied = "DrTools.ApprovalDenied";
        /// <summary>A manual approval step ran where no one can be asked.</summary>
        public const string ApprovalUnavailable = "DrTools.ApprovalUnavailable";
        /// <summary>A recovery step threw something other than a DrTools error (a defect; the message has the details).</summary>
        public const string StepFailed = "DrTools.StepFailed";
        /// <summary>A traffic change refused by a safety rule (all weights zero, traffic to an unhealthy site); -OverrideSafety overrides.</summary>
        public const string TrafficSafety = "DrTools.TrafficSafety";
        /// <summary>A recovery step would lose more data than the plan allows (replica lag unknown or above the limit, snapshot older than the RPO).</summary>
        public const string DataLossRisk = "DrTools.DataLossRisk";
        /// <summary>Failback refused: the primary site is not healthy or not re-protected.</summary>
        public const string PrimaryNotReady = "DrTools.PrimaryNotReady";
        /// <summary>A drill did not pass: a step failed, a validation failed, or a stop condition ended it.</summary>
        public const string DrillFailed = "DrTools.DrillFailed";
        /// <summary>A drill's cleanup could not delete (or verify the deletion of) everything tagged with its run id.</summary>
        public const string DrillLeftovers = "DrTools.DrillLeftovers";
        /// <summary>The plan's database has failed over and has no replica in another region yet (run Invoke-DrReprotect).</summary>
        public const string NotProtected = "DrTools.NotProtected";
        /// <summary>The operation does not fit the plan's active side (a failover of a plan that already runs in the DR region...).</summary>
        public const string WrongSide = "DrTools.WrongSide";
    }
}
