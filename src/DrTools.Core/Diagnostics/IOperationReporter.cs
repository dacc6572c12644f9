using System;

namespace DrTools.Core.Diagnostics
{
    /// <summary>
    /// How core operations talk to whoever runs them: the cmdlets implement it by queueing onto the PowerShell
    /// pipeline thread, tests by recording. Implementations must be safe to call from any thread.
    /// </summary>
    public interface IOperationReporter
    {
        void Verbose(string message);
        void Warning(string message);
        void Progress(ProgressUpdate update);
    }

    /// <summary>One progress record. ActivityId separates concurrent activities (e.g. parallel steps).</summary>
    public sealed record ProgressUpdate(int ActivityId, string Activity, string Status)
    {
        public int ParentActivityId { get; init; } = -1;
        public int PercentComplete { get; init; } = -1;
        public TimeSpan? Remaining { get; init; }
        public string? CurrentOperation { get; init; }
        public bool Completed { get; init; }
    }

    /// <summary>A reporter that drops everything; for callers that do not care.</summary>
    public sealed class NullReporter : IOperationReporter
    {
        public static readonly NullReporter Instance = new();
        public void Verbose(string message) { }
        public void Warning(string message) { }
        public void Progress(ProgressUpdate update) { }
    }
}
