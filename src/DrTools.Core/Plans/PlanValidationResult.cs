using System.Collections.Generic;
using System.Linq;

namespace DrTools.Core.Plans
{
    /// <summary>What Test-DrPlan (without -Live) reports: whether a plan is valid, and every error and warning by JSON path.</summary>
    public sealed class PlanValidationResult
    {
        /// <summary>The plan's name; null when the plan is invalid (its name may be what is wrong).</summary>
        public string? Name { get; init; }
        public DrStrategy? Strategy { get; init; }
        /// <summary>The file the plan was read from, when it came from a file.</summary>
        public string? Source { get; init; }
        public bool Valid { get; init; }
        public IReadOnlyList<PlanIssue> Errors { get; init; } = new List<PlanIssue>();
        public IReadOnlyList<PlanIssue> Warnings { get; init; } = new List<PlanIssue>();
        /// <summary>The validated plan, to pipe on; null when invalid.</summary>
        public DrPlan? Plan { get; init; }

        public static PlanValidationResult From(PlanLoadResult result) => new()
        {
            Name = result.Plan?.Name,
            Strategy = result.Plan?.Strategy,
            Source = result.Source,
            Valid = result.IsValid,
            Errors = result.Errors.ToList(),
            Warnings = result.Warnings.ToList(),
            Plan = result.Plan,
        };
    }
}
