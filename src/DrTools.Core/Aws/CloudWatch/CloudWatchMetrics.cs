using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Aws.Wire;
using DrTools.Core.Connection;
using DrTools.Core.Diagnostics;

namespace DrTools.Core.Aws.CloudWatch
{
    /// <summary>One custom metric data point (PutMetricData MetricDatum).</summary>
    public sealed record MetricDatum(string MetricName, double Value, string Unit, IReadOnlyList<KeyValuePair<string, string>> Dimensions, DateTime TimestampUtc);

    /// <summary>Writes custom metrics to CloudWatch in one region. Tests substitute fakes.</summary>
    public interface ICloudWatchMetrics
    {
        string Region { get; }

        /// <summary>Writes <paramref name="data"/> under <paramref name="metricNamespace"/>, in as few requests as the API limits allow.</summary>
        Task PutMetricDataAsync(string metricNamespace, IReadOnlyList<MetricDatum> data, CancellationToken cancellationToken);
    }

    /// <summary>
    /// PutMetricData on the one CloudWatch wire client (<see cref="CloudWatchClient"/>; CloudWatch has no SDK package
    /// here). A request carries at most <see cref="MaxDataPerRequest"/> data points (the API allows 1000 and 1 MB; a
    /// DrTools datum is a few hundred bytes).
    /// </summary>
    public sealed class CloudWatchMetrics : ICloudWatchMetrics, IDisposable
    {
        /// <summary>The CloudWatch wire service (the same as <see cref="CloudWatchClient.Service"/>).</summary>
        public static readonly WireServiceInfo Service = CloudWatchClient.Service;
        /// <summary>The API's limit of metric data per PutMetricData request.</summary>
        public const int MaxDataPerRequest = 1000;

        readonly AwsConnection _connection;
        readonly CloudWatchClient _client;

        /// <param name="region">Where the metrics go; default the factory connection's region.</param>
        public CloudWatchMetrics(IAwsClientFactory clients, string? region = null)
        {
            if (clients == null) throw new ArgumentNullException(nameof(clients));
            _connection = region == null || region == clients.Connection.Region ? clients.Connection : clients.Connection.ForRegion(region);
            _client = clients.CloudWatch(_connection.Region);
        }

        public string Region => _connection.Region;

        /// <summary>Data points per request; tests lower it to see batching.</summary>
        public int BatchSize { get; init; } = MaxDataPerRequest;

        public async Task PutMetricDataAsync(string metricNamespace, IReadOnlyList<MetricDatum> data, CancellationToken cancellationToken)
        {
            if (string.IsNullOrWhiteSpace(metricNamespace)) throw new ArgumentException("A namespace is required.", nameof(metricNamespace));
            if (data == null) throw new ArgumentNullException(nameof(data));
            var size = Math.Max(1, Math.Min(BatchSize, MaxDataPerRequest));
            for (var start = 0; start < data.Count; start += size)
            {
                var batch = data.Skip(start).Take(size).ToList();
                try
                {
                    await _client.SendAsync("PutMetricData", Parameters(metricNamespace, batch), cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (!AwsErrorMapper.IsCancellation(ex, cancellationToken))
                {
                    throw AwsErrorMapper.Map(ex, "CloudWatch", "PutMetricData", $"CloudWatch metrics in namespace {metricNamespace}", metricNamespace, _connection);
                }
            }
        }

        /// <summary>The Query form of one request: MetricData.member.N.* with Dimensions.member.M.Name/Value.</summary>
        internal static IReadOnlyList<KeyValuePair<string, string>> Parameters(string metricNamespace, IReadOnlyList<MetricDatum> batch)
        {
            var p = new List<KeyValuePair<string, string>> { new("Namespace", metricNamespace) };
            for (var i = 0; i < batch.Count; i++)
            {
                var d = batch[i];
                var prefix = $"MetricData.member.{i + 1}.";
                p.Add(new(prefix + "MetricName", d.MetricName));
                for (var j = 0; j < d.Dimensions.Count; j++)
                {
                    p.Add(new($"{prefix}Dimensions.member.{j + 1}.Name", d.Dimensions[j].Key));
                    p.Add(new($"{prefix}Dimensions.member.{j + 1}.Value", d.Dimensions[j].Value));
                }
                p.Add(new(prefix + "Timestamp", d.TimestampUtc.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)));
                p.Add(new(prefix + "Value", d.Value.ToString("R", CultureInfo.InvariantCulture)));
                p.Add(new(prefix + "Unit", d.Unit));
            }
            return p;
        }

        public void Dispose() => _client.Dispose();
    }
}
