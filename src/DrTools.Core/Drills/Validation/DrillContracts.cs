using System;
using System.Threading;
using System.Threading.Tasks;

namespace DrTools.Core.Drills
{
    public interface IDrillStopCondition { string Name { get; } Task<string?> CheckAsync(CancellationToken ct); } // reason to stop, or null
    public sealed record DrillValidationResult(string Name, bool Passed, string Message, DateTimeOffset Started, DateTimeOffset Finished)
    { public TimeSpan Duration => Finished - Started; }
}
