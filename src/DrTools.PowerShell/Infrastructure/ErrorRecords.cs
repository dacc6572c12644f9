using System;
using System.Management.Automation;
using DrTools.Core.Diagnostics;

namespace DrTools.PowerShell.Infrastructure
{
    /// <summary>Turns core failures into ErrorRecords with the DrTools error id, category, target and what to do.</summary>
    internal static class ErrorRecords
    {
        public static ErrorRecord From(DrToolsException ex)
        {
            var category = Enum.TryParse<ErrorCategory>(ex.Category.ToString(), out var c) ? c : ErrorCategory.NotSpecified;
            var record = new ErrorRecord(ex, ex.ErrorId, category, ex.Target);
            record.ErrorDetails = new ErrorDetails(ex.Message) { RecommendedAction = ex.RecommendedAction ?? "" };
            return record;
        }

        public static ErrorRecord InvalidArgument(string errorId, string message, object? target, string recommendedAction) =>
            From(new DrToolsException(errorId, DrErrorCategory.InvalidArgument, message, target, recommendedAction));
    }
}
