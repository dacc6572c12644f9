using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Recovery.Engine;

namespace DrTools.Core.Recovery.Steps
{
    /// <summary>Shared plumbing of the AWS-backed steps: identity, dependencies, the -WhatIf resources.</summary>
    public abstract class RecoveryStepBase : IRecoveryStep
    {
        List<string> _dependsOn = new();

        protected RecoveryStepBase(string id)
        {
            if (string.IsNullOrWhiteSpace(id)) throw new ArgumentException("A step id is required.", nameof(id));
            Id = id;
        }

        public string Id { get; }
        public abstract StepKind Kind { get; }
        public abstract string Description { get; }
        public IReadOnlyList<string> DependsOn => _dependsOn;
        public abstract IReadOnlyList<StepResource> Resources { get; }
        public TimeSpan? Timeout { get; init; }

        /// <summary>Adds dependencies (strategy builders wire the graph after creating the steps).</summary>
        public RecoveryStepBase After(IEnumerable<string> stepIds)
        {
            foreach (var id in stepIds)
                if (!_dependsOn.Contains(id, StringComparer.Ordinal)) _dependsOn.Add(id);
            return this;
        }

        public RecoveryStepBase After(params string[] stepIds) => After((IEnumerable<string>)stepIds);

        /// <summary>How long the step's own waits may take: its timeout, else a default well inside the engine's limit.</summary>
        protected TimeSpan WaitBudget(TimeSpan fallback) => Timeout ?? fallback;

        public abstract Task<StepOutcome?> CheckDoneAsync(StepContext context, CancellationToken cancellationToken);
        public abstract Task<StepOutcome> ExecuteAsync(StepContext context, CancellationToken cancellationToken);

        /// <summary>The tags DrTools puts on what a recovery creates, so a re-run finds it again.</summary>
        public static IDictionary<string, string> RunTags(StepContext context, string? role = null)
        {
            var tags = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [TagPlan] = context.PlanName,
                [TagRun] = context.RunId,
                [TagStep] = context.StepId,
            };
            if (role != null) tags[TagRole] = role;
            return tags;
        }

        public const string TagPlan = "DrTools:Plan";
        public const string TagRun = "DrTools:RecoveryRun";
        public const string TagStep = "DrTools:Step";
        public const string TagRole = "DrTools:Role";
    }
}
