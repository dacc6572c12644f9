using System.Collections.Generic;
using System.Threading.Tasks;

namespace DrTools.Core.Plans.Readiness
{
    public sealed partial class ReadinessChecker
    {
        sealed partial class Run
        {
            /// <summary>
            /// The replica's lag against maxReplicaLag (default the RPO): what the promote step compares before it promotes.
            /// Unknown lag (no CloudWatch data point, CloudWatch unreadable) is not ready: the promotion would need -AllowDataLoss.
            /// Carries the lag and its limit (as the age checks do), so Get-DrStatus applies its 80% Warning rule.
            /// </summary>
            public Task<IReadOnlyList<ReadinessCheck>> ReplicaLagAsync(DatabaseSpec db, string replicaId)
            {
                var limit = db.MaxReplicaLag ?? _plan.Rpo;
                var field = db.MaxReplicaLag != null ? "maxReplicaLag" : "rpo";
                return Guard(new[] { (ReadinessChecks.ReplicaLag, replicaId) }, Region, async () =>
                {
                    var reading = await Services.ReplicaLag!.GetLagAsync(Region, replicaId, _ct).ConfigureAwait(false);
                    if (reading.Lag is not { } lag)
                        return One(Result(ReadinessChecks.ReplicaLag, replicaId, Region, false,
                            $"The replica lag of {replicaId} is unknown ({reading.Source}): a promotion now would need -AllowDataLoss. "
                            + "Check that replication is running and that cloudwatch:GetMetricStatistics is allowed.", reading.Source).WithAge(null, limit));
                    var observed = $"{FormatAge(lag)} ({reading.Source})";
                    var ok = lag <= limit;
                    return One(Result(ReadinessChecks.ReplicaLag, replicaId, Region, ok,
                        ok ? $"{replicaId} is {FormatAge(lag)} behind; the plan allows {FormatAge(limit)} ({field})."
                           : $"{replicaId} is {FormatAge(lag)} behind; the plan allows {FormatAge(limit)} ({field}). "
                             + "Find why replication lags (write load, replica class, network) before relying on a promotion.",
                        observed).WithAge(lag, limit));
                });
            }
        }
    }
}
