using System;
using System.Collections.Generic;
using System.Linq;
using DrTools.Core.Diagnostics;

namespace DrTools.Core.Plans
{
    public enum PlanIssueSeverity
    {
        Error,
        /// <summary>The plan loads, but something looks wrong (an unknown field is usually a typo).</summary>
        Warning,
    }

    /// <summary>One problem in a plan file: the JSON path of the field and what is wrong with it.</summary>
    public sealed record PlanIssue(PlanIssueSeverity Severity, string Path, string Message)
    {
        public override string ToString() => $"{Path}: {Message}";
    }

    /// <summary>The outcome of loading a plan: the plan when valid, and every error and warning found.</summary>
    public sealed class PlanLoadResult
    {
        internal PlanLoadResult(DrPlan? plan, IReadOnlyList<PlanIssue> issues, string? source)
        {
            Issues = issues;
            Source = source;
            Plan = Errors.Any() ? null : plan;
        }

        /// <summary>The plan; null when there is any error.</summary>
        public DrPlan? Plan { get; }
        public IReadOnlyList<PlanIssue> Issues { get; }
        public IEnumerable<PlanIssue> Errors => Issues.Where(i => i.Severity == PlanIssueSeverity.Error);
        public IEnumerable<PlanIssue> Warnings => Issues.Where(i => i.Severity == PlanIssueSeverity.Warning);
        public bool IsValid => Plan != null;
        /// <summary>The file the plan came from, when known.</summary>
        public string? Source { get; }

        /// <summary>The plan, or a DrTools.InvalidPlan error whose message lists every error, one per line.</summary>
        public DrPlan GetPlanOrThrow()
        {
            if (Plan != null) return Plan;
            var errors = Errors.ToList();
            var where = Source != null ? $"'{Source}'" : "The plan";
            throw new DrToolsException(ErrorIds.InvalidPlan, DrErrorCategory.InvalidData,
                $"{where} has {errors.Count} error{(errors.Count == 1 ? "" : "s")}:" + Environment.NewLine +
                string.Join(Environment.NewLine, errors.Select(e => "  " + e)), Source,
                "Fix each field named above (docs/plan-schema.md describes them), then run Import-DrPlan again.");
        }
    }
}
