using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Aws.CloudWatch;
using DrTools.Core.Diagnostics;

namespace DrTools.Core.Drills
{
    /// <summary>
    /// Stops a drill when one of the named CloudWatch alarms is in ALARM (OK and INSUFFICIENT_DATA let it go on). One
    /// DescribeAlarms call per poll reads them all. Call <see cref="ValidateAsync"/> before the drill starts, so that a
    /// misspelt alarm name fails the drill up front instead of silently protecting nothing.
    /// </summary>
    public sealed class AlarmStopCondition : IDrillStopCondition
    {
        readonly ICloudWatchAlarms _alarms;

        public AlarmStopCondition(ICloudWatchAlarms alarms, IReadOnlyList<string> alarmNames)
        {
            _alarms = alarms ?? throw new ArgumentNullException(nameof(alarms));
            if (alarmNames == null) throw new ArgumentNullException(nameof(alarmNames));
            AlarmNames = alarmNames.Distinct(StringComparer.Ordinal).ToList();
            if (AlarmNames.Count == 0) throw new ArgumentException("A CloudWatch alarm stop condition needs at least one alarm name.", nameof(alarmNames));
        }

        public IReadOnlyList<string> AlarmNames { get; }

        /// <summary>"CloudWatch alarm 'x'" or "CloudWatch alarms 'x', 'y'".</summary>
        public string Name => Alarms(AlarmNames);

        /// <summary>
        /// Reads every alarm once and returns their states. An alarm that does not exist in the region is
        /// DrTools.NotFound naming it (a typo must not disable a stop condition); AWS failures are DrTools errors.
        /// </summary>
        public async Task<IReadOnlyList<CloudWatchAlarmState>> ValidateAsync(CancellationToken ct)
        {
            var states = await _alarms.DescribeAlarmsAsync(AlarmNames, ct).ConfigureAwait(false);
            var missing = Missing(states);
            if (missing.Count > 0)
                throw new DrToolsException(ErrorIds.NotFound, DrErrorCategory.ObjectNotFound,
                    $"{Alarms(missing)} {(missing.Count == 1 ? "does" : "do")} not exist in {_alarms.Region}; " +
                    "a stop condition on a missing alarm would never stop the drill.", missing.Count == 1 ? missing[0] : string.Join(",", missing),
                    $"Check the names (alarm names are case-sensitive) with 'aws cloudwatch describe-alarms --region {_alarms.Region}', or create the alarm in the DR region.")
                { Service = "CloudWatch", AwsErrorCode = "ResourceNotFound" };
            return states;
        }

        /// <summary>"CloudWatch alarm 'x' is in ALARM: reason" for every alarm in ALARM, else null.</summary>
        /// <exception cref="DrToolsException">CloudWatch could not be read, or an alarm no longer exists.</exception>
        public async Task<string?> CheckAsync(CancellationToken ct)
        {
            var states = await _alarms.DescribeAlarmsAsync(AlarmNames, ct).ConfigureAwait(false);
            var inAlarm = states.Where(s => s.IsInAlarm)
                .Select(s => $"CloudWatch alarm '{s.Name}' is in ALARM: {(string.IsNullOrWhiteSpace(s.StateReason) ? "(no reason given)" : s.StateReason)}")
                .ToList();
            if (inAlarm.Count > 0) return string.Join("; ", inAlarm);
            var missing = Missing(states);
            // Deleted during the drill: the watcher warns and, if it stays gone, stops the drill as unreadable.
            if (missing.Count > 0)
                throw new DrToolsException(ErrorIds.NotFound, DrErrorCategory.ObjectNotFound,
                    $"{Alarms(missing)} no longer {(missing.Count == 1 ? "exists" : "exist")} in {_alarms.Region}.", missing[0]) { Service = "CloudWatch" };
            return null;
        }

        List<string> Missing(IReadOnlyList<CloudWatchAlarmState> states) =>
            AlarmNames.Where(n => !states.Any(s => string.Equals(s.Name, n, StringComparison.Ordinal))).ToList();

        static string Alarms(IReadOnlyList<string> names) => (names.Count == 1 ? "CloudWatch alarm " : "CloudWatch alarms ") + Quoted(names);

        static string Quoted(IEnumerable<string> names) => string.Join(", ", names.Select(n => $"'{n}'"));
    }

    /// <summary>A stop condition given as a function (the cmdlet's scriptblock): a reason to stop, or null to go on.</summary>
    public sealed class DelegateStopCondition : IDrillStopCondition
    {
        readonly Func<CancellationToken, Task<string?>> _check;

        public DelegateStopCondition(string name, Func<CancellationToken, Task<string?>> check)
        {
            if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("A stop condition needs a name.", nameof(name));
            Name = name;
            _check = check ?? throw new ArgumentNullException(nameof(check));
        }

        public string Name { get; }

        public Task<string?> CheckAsync(CancellationToken ct) => _check(ct);
    }
}
