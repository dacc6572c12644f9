using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Diagnostics;

namespace DrTools.Core.Aws.CloudWatch
{
    /// <summary>
    /// Reads CloudWatch alarms by name in one region (<see cref="Region"/>): what a drill's stop conditions and the
    /// readiness check need. Every AWS failure is a <see cref="DrToolsException"/> with the AWS code and request id.
    /// </summary>
    public interface ICloudWatchAlarms
    {
        string Region { get; }

        /// <summary>
        /// The state of each named alarm (metric and composite alarms alike), across every page. Names that are not
        /// alarms in <see cref="Region"/> are left out of the answer; no names is an empty answer, not every alarm.
        /// </summary>
        Task<IReadOnlyList<CloudWatchAlarmState>> DescribeAlarmsAsync(IReadOnlyList<string> names, CancellationToken ct);
    }

    /// <summary>One alarm's state as CloudWatch reports it.</summary>
    /// <param name="StateValue">OK, ALARM or INSUFFICIENT_DATA (see <see cref="CloudWatchAlarmStates"/>).</param>
    /// <param name="StateUpdated">When the state last changed (UTC); null when not reported.</param>
    public sealed record CloudWatchAlarmState(string Name, string StateValue, string? StateReason, DateTime? StateUpdated)
    {
        /// <summary>MetricAlarm or CompositeAlarm.</summary>
        public string AlarmType { get; init; } = CloudWatchAlarmStates.MetricAlarm;
        public string? Arn { get; init; }
        public bool IsInAlarm => string.Equals(StateValue, CloudWatchAlarmStates.Alarm, StringComparison.Ordinal);
    }

    /// <summary>The CloudWatch StateValue and AlarmType values.</summary>
    public static class CloudWatchAlarmStates
    {
        public const string Ok = "OK";
        public const string Alarm = "ALARM";
        public const string InsufficientData = "INSUFFICIENT_DATA";
        public const string MetricAlarm = "MetricAlarm";
        public const string CompositeAlarm = "CompositeAlarm";
    }
}
