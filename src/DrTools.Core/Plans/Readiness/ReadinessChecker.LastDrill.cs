using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using DrTools.Core.Drills;

namespace DrTools.Core.Plans.Readiness
{
    public sealed partial class ReadinessChecker
    {
        sealed partial class Run
        {
            /// <summary>
            /// drill.maxAge: the newest passing drill (by its end) must be younger than maxAge. Carries its age and the
            /// limit like an age check; no passing drill in the history is not ready, with where was looked.
            /// </summary>
            public Task<IReadOnlyList<ReadinessCheck>> LastDrillAsync(DrillHistory history, TimeSpan maxAge) =>
                Guard(new[] { (ReadinessChecks.LastDrill, _plan.Name) }, Region, async () =>
                {
                    var next = $"Run a drill: Invoke-DrDrill -Plan {_plan.CommandArgument()}.";
                    var latest = await history.LatestPassingAsync(_plan.Name, _ct).ConfigureAwait(false);
                    if (latest == null)
                        return One(Result(ReadinessChecks.LastDrill, _plan.Name, Region, false,
                            $"No passing drill recorded in {history.Location}; the plan asks for one within {FormatAge(maxAge)} (drill.maxAge). {next}").WithAge(null, maxAge));
                    var age = _now - latest.Finished;
                    var ok = age <= maxAge;
                    var text = $"The last passing drill {latest.RunId} ({latest.Scenario}) ended {FormatAge(age)} ago; the plan allows {FormatAge(maxAge)} (drill.maxAge).";
                    return One(Result(ReadinessChecks.LastDrill, _plan.Name, Region, ok, ok ? text : text + " " + next,
                        $"{latest.RunId} passed {Time(latest.Finished.UtcDateTime)}, {FormatAge(age)} old").WithAge(age, maxAge));
                });
        }
    }
}
