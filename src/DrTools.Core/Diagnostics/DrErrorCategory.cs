namespace DrTools.Core.Diagnostics
{
    /// <summary>
    /// The error categories DrTools uses. Names match PowerShell's ErrorCategory members, so the cmdlet layer
    /// maps them by name without the core referencing PowerShell.
    /// </summary>
    public enum DrErrorCategory
    {
        NotSpecified,
        InvalidArgument,
        InvalidData,
        InvalidOperation,
        ObjectNotFound,
        PermissionDenied,
        AuthenticationError,
        ConnectionError,
        LimitsExceeded,
        ResourceExists,
        ResourceUnavailable,
        OperationTimeout,
        OperationStopped,
        WriteError,
        ReadError,
        NotEnabled,
    }
}
