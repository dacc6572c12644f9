using System;
using System.Collections.Generic;
using System.Linq;
using DrTools.Core.Diagnostics;

namespace DrTools.Core.Recovery.Engine
{
    /// <summary>
    /// Approvals given before the run starts (-Approve), so an unattended runbook goes through the plan's manual
    /// approval steps without a prompt. A name is an approval step id (approve-change-dns) or the step kind the plan's
    /// approval stands before (ChangeDns); a name that matches no approval of the plan is an error before anything
    /// runs, so a typo cannot leave a run to fail at its approval after every earlier step ran.
    /// </summary>
    public sealed class PreApprovals
    {
        const string DescriptionPrefix = "Wait for approval: ";
        readonly HashSet<string> _approvedIds;
        readonly List<(string Id, string Question)> _approvals;

        PreApprovals(List<(string Id, string Question)> approvals, HashSet<string> approvedIds)
        {
            _approvals = approvals;
            _approvedIds = approvedIds;
        }

        /// <summary>The ids of the approval steps given in advance.</summary>
        public IReadOnlyCollection<string> ApprovedStepIds => _approvedIds;

        /// <summary>The approval steps of <paramref name="plan"/> with their ids and questions.</summary>
        public static IReadOnlyList<(string Id, string Question)> ApprovalsOf(RecoveryPlan plan) =>
            plan.Steps.Where(s => s.Kind == StepKind.ManualApproval)
                .Select(s => (s.Id, s.Description.StartsWith(DescriptionPrefix, StringComparison.Ordinal) ? s.Description.Substring(DescriptionPrefix.Length) : s.Description))
                .ToList();

        /// <exception cref="DrToolsException">DrTools.InvalidParameter when a name matches no approval step of the plan.</exception>
        public static PreApprovals Resolve(RecoveryPlan plan, IEnumerable<string>? names)
        {
            var approvals = ApprovalsOf(plan).ToList();
            var approved = new HashSet<string>(StringComparer.Ordinal);
            var unknown = new List<string>();
            foreach (var raw in names ?? Array.Empty<string>())
            {
                var name = (raw ?? "").Trim();
                var matches = approvals.Where(a => Matches(a.Id, name)).ToList();
                if (matches.Count == 0) unknown.Add(name);
                foreach (var m in matches) approved.Add(m.Id);
            }
            if (unknown.Count > 0)
                throw new DrToolsException(ErrorIds.InvalidParameter, DrErrorCategory.InvalidArgument,
                    $"-Approve {string.Join(", ", unknown.Select(u => $"'{u}'"))}: the plan '{plan.PlanName}' has no such approval" +
                    (approvals.Count == 0 ? " (it has no approvals)." : $"; its approvals are {string.Join(", ", approvals.Select(a => a.Id))}."),
                    unknown[0],
                    "Pass approval step ids as -WhatIf lists them (approve-change-dns) or the kind the approval stands before (ChangeDns). Nothing was changed.");
            return new PreApprovals(approvals, approved);
        }

        /// <summary>True when every approval step that asks <paramref name="question"/> was approved in advance.</summary>
        public bool IsApproved(string question)
        {
            var asking = _approvals.Where(a => a.Question == question).ToList();
            return asking.Count > 0 && asking.All(a => _approvedIds.Contains(a.Id));
        }

        /// <summary>approve-change-dns matches itself, "ChangeDns", "change-dns"; approve-change-dns-2 matches its own id only and the kind.</summary>
        static bool Matches(string stepId, string name)
        {
            if (name.Length == 0) return false;
            if (string.Equals(stepId, name, StringComparison.OrdinalIgnoreCase)) return true;
            var kebab = "approve-" + Kebab(name);
            return string.Equals(stepId, kebab, StringComparison.OrdinalIgnoreCase) ||
                   (stepId.StartsWith(kebab + "-", StringComparison.OrdinalIgnoreCase) && stepId.Substring(kebab.Length + 1).All(char.IsDigit));
        }

        static string Kebab(string s) =>
            s.Contains("-") ? s.ToLowerInvariant()
            : string.Concat(s.Select((c, i) => char.IsUpper(c) && i > 0 ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
    }
}
