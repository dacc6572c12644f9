using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Aws.CloudWatch;
using DrTools.Core.Aws.Wire;
using DrTools.Core.Connection;
using DrTools.Core.Diagnostics;

namespace DrTools.Core.Recovery.Steps
{
    /// <summary>
    /// Replica lag from CloudWatch (AWS/RDS ReplicaLag, seconds, 1-minute maximum over the last <see cref="Window"/>).
    /// The newest data point counts; no data point (replication broken or stopped, metric not published) or an
    /// unreadable CloudWatch means the lag is unknown, which the promote step treats as a data-loss risk.
    /// </summary>
    public sealed class CloudWatchReplicaLag : IReplicaLagSource
    {
        readonly IAwsClientFactory _clients;

        /// <param name="clients">The identity to read with; each reading uses the factory's CloudWatch client for its region.</param>
        public CloudWatchReplicaLag(IAwsClientFactory clients) => _clients = clients ?? throw new ArgumentNullException(nameof(clients));

        public TimeSpan Window { get; init; } = TimeSpan.FromMinutes(10);

        public Task<ReplicaLagReading> GetLagAsync(string region, string dbInstanceIdentifier, CancellationToken cancellationToken) =>
            ReadAsync(region, "ReplicaLag", "DBInstanceIdentifier", dbInstanceIdentifier, 1, cancellationToken);

        /// <summary>AWS/RDS AuroraGlobalDBReplicationLag (milliseconds) of the secondary cluster, dimension DBClusterIdentifier.</summary>
        public Task<ReplicaLagReading> GetClusterLagAsync(string region, string dbClusterIdentifier, CancellationToken cancellationToken) =>
            ReadAsync(region, "AuroraGlobalDBReplicationLag", "DBClusterIdentifier", dbClusterIdentifier, 0.001, cancellationToken);

        /// <param name="secondsPerUnit">1 for a metric in seconds, 0.001 for one in milliseconds.</param>
        async Task<ReplicaLagReading> ReadAsync(string region, string metric, string dimension, string dbInstanceIdentifier, double secondsPerUnit, CancellationToken cancellationToken)
        {
            var c = _clients.Connection.ForRegion(region);
            using var client = _clients.CloudWatch(region);
            var end = DateTime.UtcNow;
            var parameters = new Dictionary<string, string>
            {
                ["Namespace"] = "AWS/RDS",
                ["MetricName"] = metric,
                ["Dimensions.member.1.Name"] = dimension,
                ["Dimensions.member.1.Value"] = dbInstanceIdentifier,
                ["StartTime"] = (end - Window).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                ["EndTime"] = end.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                ["Period"] = "60",
                ["Statistics.member.1"] = "Maximum",
            };
            System.Xml.Linq.XElement result;
            try
            {
                result = await client.SendAsync("GetMetricStatistics", parameters, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                var mapped = AwsErrorMapper.Map(ex, "CloudWatch", "GetMetricStatistics", dbInstanceIdentifier, dbInstanceIdentifier, c);
                return new ReplicaLagReading(null, $"CloudWatch could not be read: {mapped.ErrorId} {mapped.Message}");
            }
            var newest = (result.Element("Datapoints")?.Elements("member") ?? Enumerable.Empty<System.Xml.Linq.XElement>())
                .Select(m => (Time: DateTime.TryParse(m.Child("Timestamp"), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var t) ? t : DateTime.MinValue,
                              Max: double.TryParse(m.Child("Maximum"), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : (double?)null))
                .Where(p => p.Max != null)
                .OrderByDescending(p => p.Time)
                .FirstOrDefault();
            if (newest.Max is not { } seconds)
                return new ReplicaLagReading(null, $"CloudWatch AWS/RDS {metric} has no data point in the last {Window.TotalMinutes:0} min");
            return new ReplicaLagReading(TimeSpan.FromSeconds(Math.Max(0, seconds * secondsPerUnit)), $"CloudWatch AWS/RDS {metric} maximum at {newest.Time:u}")
            {
                At = new DateTimeOffset(DateTime.SpecifyKind(newest.Time, DateTimeKind.Utc)),
            };
        }
    }
}
