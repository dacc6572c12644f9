using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Aws.CloudWatch;
using DrTools.Core.Diagnostics;
using DrTools.Core.Plans.Readiness;

namespace DrTools.Core.Status
{
    /// <summary>
    /// -PublishMetrics: a status report as CloudWatch custom metrics in namespace DrTools, dimensions Plan and Component:
    /// every row with a measured age or lag (RecoveryPointAge, AmiAge, ReplicaLag, LastDrillAge, in seconds), and for Component "plan"
    /// LastDrillPassed (1/0, plans with drill.maxAge), RpoMet (1/0, only when the plan has something to measure) and StatusLevel (0 Ok, 1 Warning, 2 Failing).
    /// </summary>
    public static class StatusMetricData
    {
        /// <summary>The data points of <paramref name="report"/>. Two rows with the same metric and component keep the larger value (the worse one).</summary>
        public static IReadOnlyList<MetricDatum> From(DrStatusReport report)
        {
            if (report == null) throw new ArgumentNullException(nameof(report));
            var s = report.Summary;
            var time = s.CheckedAt.UtcDateTime;
            var data = report.Rows
                .Where(r => r.Metric != null && r.Measured != null)
                .GroupBy(r => (r.Metric!, r.Component))
                .Select(g => Datum(g.Key.Item1, Math.Max(0, g.Max(r => r.Measured!.Value.TotalSeconds)), "Seconds", s.Plan, g.Key.Component, time))
                .ToList();
            foreach (var drill in report.Rows.Where(r => r.Kind == ReadinessChecks.LastDrill && r.ErrorId == null).Take(1))
                data.Add(Datum(DrStatusMetrics.LastDrillPassed, drill.Status == DrStatusLevel.Failing ? 0 : 1, "Count", s.Plan, DrStatusMetrics.PlanComponent, time));
            if (s.MeetsRpo is { } met) data.Add(Datum(DrStatusMetrics.RpoMet, met ? 1 : 0, "Count", s.Plan, DrStatusMetrics.PlanComponent, time));
            data.Add(Datum(DrStatusMetrics.StatusLevel, (int)s.Status, "None", s.Plan, DrStatusMetrics.PlanComponent, time));
            return data;
        }

        /// <summary>Writes the report's metrics. Throws DrToolsException when CloudWatch refuses them (the caller makes that a warning).</summary>
        public static async Task<int> PublishAsync(ICloudWatchMetrics cloudWatch, DrStatusReport report, IOperationReporter? reporter, CancellationToken cancellationToken)
        {
            var data = From(report);
            await cloudWatch.PutMetricDataAsync(DrStatusMetrics.Namespace, data, cancellationToken).ConfigureAwait(false);
            reporter?.Verbose($"Plan '{report.Summary.Plan}': {data.Count} metrics written to CloudWatch namespace {DrStatusMetrics.Namespace} in {cloudWatch.Region}.");
            return data.Count;
        }

        static MetricDatum Datum(string name, double value, string unit, string plan, string component, DateTime time) =>
            new(name, Math.Round(value, 3), unit, new[] { new KeyValuePair<string, string>("Plan", plan), new KeyValuePair<string, string>("Component", component) }, time);
    }
}
