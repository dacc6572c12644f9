using System.Linq;
using DrTools.Core.Drills;

namespace DrTools.Core.Reports
{
    /// <summary>A drill's result (Invoke-DrDrill, Get-DrDrill) as the report's drill section.</summary>
    public static class ReportDrillAdapter
    {
        public static ReportDrill From(DrillResult d) => new()
        {
            Plan = d.Plan,
            RunId = d.RunId,
            Scenario = d.Scenario.ToString(),
            Strategy = d.Recovery?.Strategy,
            Passed = d.Passed,
            Started = d.Started,
            Finished = d.Finished,
            // A drill that did not pass has no achieved RTO; the report shows how long it ran, and RtoMet says it was missed.
            AchievedRto = d.AchievedRto ?? d.Finished - d.Started,
            RtoTarget = d.RtoTarget,
            RtoMet = d.RtoMet,
            AchievedRpo = d.AchievedRpo,
            RpoTarget = d.RpoTarget,
            RpoMet = d.RpoMet,
            Rpo = d.Rpo.Where(c => c.DataTime != null && c.Age != null)
                .Select(c => new ReportDrillRpo(c.Component, c.Source, c.DataTime!.Value, c.Age!.Value)).ToList(),
            Steps = d.Steps,
            Validation = d.Validation.Select(v => new ReportValidation(v.Name, v.Passed, v.Message, v.Started, v.Finished)).ToList(),
            StopReason = d.StopReason,
            CleanedUp = d.CleanedUp,
            Leftovers = d.Leftovers.Select(l => new ReportLeftover(l.Kind, l.Id, l.Region, l.State)).ToList(),
        };
    }
}
