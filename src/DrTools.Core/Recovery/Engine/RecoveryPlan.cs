using System;
using System.Collections.Generic;
using System.Linq;
using DrTools.Core.Diagnostics;

namespace DrTools.Core.Recovery.Engine
{
    /// <summary>One step as -WhatIf shows it: where it falls in the order and what it will touch.</summary>
    public sealed class PlannedStep
    {
        internal PlannedStep(int order, int wave, IRecoveryStep step)
        {
            Order = order;
            Wave = wave;
            Id = step.Id;
            Kind = step.Kind;
            Description = step.Description;
            DependsOn = step.DependsOn.ToArray();
            Resources = step.Resources.ToArray();
        }

        /// <summary>1-based position in a valid sequential order (topological, declaration order within a wave).</summary>
        public int Order { get; }
        /// <summary>1-based wave: steps of the same wave have no dependency on each other and may run in parallel.</summary>
        public int Wave { get; }
        public string Id { get; }
        public StepKind Kind { get; }
        public string Description { get; }
        public IReadOnlyList<string> DependsOn { get; }
        public IReadOnlyList<StepResource> Resources { get; }
    }

    /// <summary>The whole ordered plan of a recovery, computed without changing anything (-WhatIf).</summary>
    public sealed class RecoveryPlan
    {
        internal RecoveryPlan(string planName, string? strategy, IReadOnlyList<PlannedStep> steps)
        {
            PlanName = planName;
            Strategy = strategy;
            Steps = steps;
        }

        public string PlanName { get; }
        public string? Strategy { get; }
        /// <summary>All steps in execution order.</summary>
        public IReadOnlyList<PlannedStep> Steps { get; }
        public int WaveCount => Steps.Count == 0 ? 0 : Steps.Max(s => s.Wave);
        /// <summary>The steps grouped by wave, in order.</summary>
        public IEnumerable<IReadOnlyList<PlannedStep>> Waves =>
            Steps.GroupBy(s => s.Wave).OrderBy(g => g.Key).Select(g => (IReadOnlyList<PlannedStep>)g.ToList());
    }

    /// <summary>Checks a set of steps and orders them: topological waves, declaration order within a wave.</summary>
    internal static class RecoveryGraph
    {
        /// <exception cref="DrToolsException">DrTools.InvalidRecoveryGraph listing every problem found.</exception>
        public static RecoveryPlan Build(string planName, string? strategy, IEnumerable<IRecoveryStep> steps)
        {
            if (steps == null) throw new ArgumentNullException(nameof(steps));
            var list = steps.ToList();
            var problems = new List<string>();
            var byId = new Dictionary<string, IRecoveryStep>(StringComparer.Ordinal);
            for (var i = 0; i < list.Count; i++)
            {
                var s = list[i];
                if (s == null) { problems.Add($"step #{i + 1} is null"); continue; }
                if (string.IsNullOrWhiteSpace(s.Id)) problems.Add($"step #{i + 1} ({s.Kind}: {s.Description}) has no id");
                else if (byId.ContainsKey(s.Id)) problems.Add($"two steps have the id '{s.Id}'");
                else byId.Add(s.Id, s);
            }
            foreach (var s in byId.Values)
                foreach (var d in s.DependsOn ?? Array.Empty<string>())
                {
                    if (d == s.Id) problems.Add($"step '{s.Id}' depends on itself");
                    else if (!byId.ContainsKey(d)) problems.Add($"step '{s.Id}' depends on '{d}', which is not a step of this recovery");
                }
            if (problems.Count == 0)
            {
                var cycle = FindCycle(list, byId);
                if (cycle != null) problems.Add("the steps depend on each other in a cycle: " + string.Join(" -> ", cycle));
            }
            if (problems.Count > 0)
                throw new DrToolsException(ErrorIds.InvalidRecoveryGraph, DrErrorCategory.InvalidData,
                    $"The recovery steps of plan '{planName}' cannot be ordered: " + string.Join("; ", problems) + ".", planName,
                    "This is a defect in how the steps were built from the plan; report it with the plan file.");

            // Wave = 1 + the deepest dependency; order = wave, then declaration order.
            var wave = new Dictionary<string, int>(StringComparer.Ordinal);
            int WaveOf(IRecoveryStep s)
            {
                if (wave.TryGetValue(s.Id, out var w)) return w;
                w = 1 + s.DependsOn.Select(d => WaveOf(byId[d])).DefaultIfEmpty(0).Max();
                wave[s.Id] = w;
                return w;
            }
            var ordered = list.Select((s, i) => (s, i, w: WaveOf(s))).OrderBy(x => x.w).ThenBy(x => x.i).ToList();
            return new RecoveryPlan(planName, strategy, ordered.Select((x, n) => new PlannedStep(n + 1, x.w, x.s)).ToList());
        }

        static List<string>? FindCycle(List<IRecoveryStep> list, Dictionary<string, IRecoveryStep> byId)
        {
            var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1 visiting, 2 done
            var path = new List<string>();
            List<string>? Visit(string id)
            {
                state.TryGetValue(id, out var st);
                if (st == 2) return null;
                if (st == 1)
                {
                    var from = path.IndexOf(id);
                    return path.Skip(from).Concat(new[] { id }).ToList();
                }
                state[id] = 1;
                path.Add(id);
                foreach (var d in byId[id].DependsOn)
                {
                    var c = Visit(d);
                    if (c != null) return c;
                }
                path.RemoveAt(path.Count - 1);
                state[id] = 2;
                return null;
            }
            foreach (var s in list)
            {
                var c = Visit(s.Id);
                if (c != null) return c;
            }
            return null;
        }
    }

    /// <summary>Readable lines for the host (-WhatIf, Write-Verbose, docs).</summary>
    public static class RecoveryPlanFormatter
    {
        /// <summary>
        /// One header line, then per wave a line and per step its description, dependencies and resources, e.g.
        /// <code>
        /// Recovery plan 'orders' (PILOT_LIGHT): 5 steps in 3 waves; nothing has been changed.
        /// Wave 1 (2 steps, run in parallel):
        ///   1. launch-web [LaunchInstances] Launch 2 x t3.large 'web' from ami-0abc
        ///        launch: AWS::EC2::Instance 2 x web (us-west-2)
        /// </code>
        /// </summary>
        public static IEnumerable<string> Format(RecoveryPlan plan)
        {
            var strategy = plan.Strategy != null ? $" ({plan.Strategy})" : "";
            yield return $"Recovery plan '{plan.PlanName}'{strategy}: {plan.Steps.Count} step{(plan.Steps.Count == 1 ? "" : "s")} in {plan.WaveCount} wave{(plan.WaveCount == 1 ? "" : "s")}; nothing has been changed.";
            foreach (var wave in plan.Waves)
            {
                var w = wave[0].Wave;
                yield return wave.Count == 1 ? $"Wave {w}:" : $"Wave {w} ({wave.Count} steps, run in parallel):";
                foreach (var s in wave)
                {
                    yield return $"  {s.Order}. {s.Id} [{s.Kind}] {s.Description}";
                    if (s.DependsOn.Count > 0) yield return $"       after: {string.Join(", ", s.DependsOn)}";
                    foreach (var r in s.Resources) yield return $"       {r}";
                }
            }
        }
    }
}
