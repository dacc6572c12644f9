using System;
using System.Threading;
using System.Threading.Tasks;

namespace DrTools.Core.Recovery.Steps
{
    /// <summary>How far behind its source a read replica is, as far as anyone can tell.</summary>
    /// <param name="Lag">The lag; null when it is unknown (no recent data point, replication broken).</param>
    /// <param name="Source">Where the number comes from, for messages ("CloudWatch AWS/RDS ReplicaLag, 1 min average at 03:12Z").</param>
    public sealed record ReplicaLagReading(TimeSpan? Lag, string Source)
    {
        /// <summary>When the reading was measured (the start of the CloudWatch period); null: unknown. The failback's catch-up
        /// only trusts a zero read on a data point measured after the fence.</summary>
        public DateTimeOffset? At { get; init; }
    }

    /// <summary>Reads replica lag before a promotion (the data-loss rule). The default reads CloudWatch.</summary>
    public interface IReplicaLagSource
    {
        Task<ReplicaLagReading> GetLagAsync(string region, string dbInstanceIdentifier, CancellationToken cancellationToken);

        /// <summary>How far an Aurora Global Database's secondary cluster (in <paramref name="region"/>) is behind its primary.</summary>
        Task<ReplicaLagReading> GetClusterLagAsync(string region, string dbClusterIdentifier, CancellationToken cancellationToken);
    }
}
