using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using System.Xml.Linq;
using DrTools.Core.Aws.Wire;
using DrTools.Core.Connection;
using DrTools.Core.Diagnostics;

namespace DrTools.Core.Aws.CloudWatch
{
    /// <summary>
    /// <see cref="ICloudWatchAlarms"/> on the Query-protocol <see cref="CloudWatchClient"/>. Replacing the wire client
    /// with AWSSDK.CloudWatch would change only this class.
    /// </summary>
    public sealed class CloudWatchService : ICloudWatchAlarms, IDisposable
    {
        const string ServiceName = "CloudWatch";
        /// <summary>DescribeAlarms takes at most 100 names and answers at most 100 alarms a page.</summary>
        const int PageSize = 100;
        const int MaxNameLength = 255;

        readonly CloudWatchClient _client;
        readonly AwsConnection _connection;

        /// <param name="client">Client for <paramref name="connection"/>'s region; the service disposes it.</param>
        public CloudWatchService(CloudWatchClient client, AwsConnection connection)
        {
            _client = client ?? throw new ArgumentNullException(nameof(client));
            _connection = connection ?? throw new ArgumentNullException(nameof(connection));
        }

        /// <summary>The service for <paramref name="region"/> (default: the connection's) with the factory's identity.</summary>
        public static CloudWatchService Create(IAwsClientFactory clients, string? region = null)
        {
            var connection = region == null ? clients.Connection : clients.Connection.ForRegion(region);
            return new CloudWatchService(clients.CloudWatch(connection.Region), connection);
        }

        public string Region => _connection.Region;

        public void Dispose() => _client.Dispose();

        public async Task<IReadOnlyList<CloudWatchAlarmState>> DescribeAlarmsAsync(IReadOnlyList<string> names, CancellationToken ct)
        {
            if (names == null) throw new ArgumentNullException(nameof(names));
            foreach (var name in names)
                if (string.IsNullOrWhiteSpace(name) || name.Length > MaxNameLength)
                    throw new DrToolsException(ErrorIds.InvalidParameter, DrErrorCategory.InvalidArgument,
                        $"'{name}' is not a CloudWatch alarm name (1 to {MaxNameLength} characters).", name,
                        "Give the alarm's exact name as the CloudWatch console or 'aws cloudwatch describe-alarms' shows it.") { Service = ServiceName };
            var wanted = names.Distinct(StringComparer.Ordinal).ToList();
            // No AlarmNames at all would list every alarm in the region.
            if (wanted.Count == 0) return Array.Empty<CloudWatchAlarmState>();

            var found = new Dictionary<string, CloudWatchAlarmState>(StringComparer.Ordinal);
            for (int i = 0; i < wanted.Count; i += PageSize)
            {
                var batch = wanted.Skip(i).Take(PageSize).ToList();
                var resource = batch.Count == 1 ? $"CloudWatch alarm '{batch[0]}'" : $"{batch.Count} CloudWatch alarms ({batch[0]}, ...)";
                var p = new QueryParams()
                    .AddList("AlarmNames", "member", batch)
                    // Without AlarmTypes, DescribeAlarms answers metric alarms only, and a composite alarm would look missing.
                    .AddList("AlarmTypes", "member", new[] { CloudWatchAlarmStates.MetricAlarm, CloudWatchAlarmStates.CompositeAlarm })
                    .Add("MaxRecords", PageSize);
                foreach (var alarm in await PagesAsync(p, resource, batch.Count == 1 ? batch[0] : null, ct).ConfigureAwait(false))
                    if (batch.Contains(alarm.Name, StringComparer.Ordinal)) found[alarm.Name] = alarm;
            }
            return wanted.Where(found.ContainsKey).Select(n => found[n]).ToList();
        }

        /// <summary>Every page of a NextToken-paged DescribeAlarms call.</summary>
        async Task<List<CloudWatchAlarmState>> PagesAsync(QueryParams parameters, string resource, object? target, CancellationToken ct)
        {
            var alarms = new List<CloudWatchAlarmState>();
            string? token = null;
            var seen = new HashSet<string>(StringComparer.Ordinal);
            do
            {
                var p = parameters.Clone().Add("NextToken", token);
                XElement page;
                try
                {
                    page = await _client.SendAsync("DescribeAlarms", p, ct).ConfigureAwait(false);
                }
                catch (Exception ex) when (!AwsErrorMapper.IsCancellation(ex, ct))
                {
                    throw AwsErrorMapper.Map(ex, ServiceName, "DescribeAlarms", resource, target, _connection);
                }
                alarms.AddRange(page.Items("MetricAlarms").Select(a => Parse(a, CloudWatchAlarmStates.MetricAlarm)));
                alarms.AddRange(page.Items("CompositeAlarms").Select(a => Parse(a, CloudWatchAlarmStates.CompositeAlarm)));
                token = page.Child("NextToken");
                if (string.IsNullOrEmpty(token)) token = null;
                // A service that repeats a token would otherwise loop forever.
                else if (!seen.Add(token!))
                    throw new DrToolsException(ErrorIds.ServiceError, DrErrorCategory.InvalidData,
                        $"CloudWatch DescribeAlarms returned the same NextToken twice for {resource}; stopping instead of looping.", target,
                        "Re-run; if it persists, the endpoint is not paging correctly.") { Service = ServiceName };
            } while (token != null);
            return alarms;
        }

        static CloudWatchAlarmState Parse(XElement a, string type) =>
            new(a.Child("AlarmName") ?? "", a.Child("StateValue") ?? "", a.Child("StateReason"), a.Date("StateUpdatedTimestamp"))
            {
                AlarmType = type,
                Arn = a.Child("AlarmArn"),
            };
    }
}
