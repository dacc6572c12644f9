using System;
using System.Threading;
using System.Threading.Tasks;

namespace DrTools.Core.Drills
{
    /// <summary>Something polled while a drill runs (a CloudWatch alarm...): a reason to stop, or null.</summary>
    public interface IDrillStopCondition { string Name { get; } Task<string?> CheckAsync(CancellationToken ct); }

    /// <summary>One check of the drill environment (a probe, the -Validation scriptblock).</summary>
    public sealed record DrillValidationResult(string Name, bool Passed, string Message, DateTimeOffset Started, DateTimeOffset Finished, TimeSpan Duration);
}
