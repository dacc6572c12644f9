using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Aws.Route53;
using DrTools.Core.Diagnostics;

namespace DrTools.Core.Tests.Traffic
{
    /// <summary>An in-memory Route 53 at the IRoute53Service seam: one zone, its records, health states, and every call recorded.</summary>
    internal sealed class FakeRoute53 : IRoute53Service
    {
        public HostedZone Zone { get; } = new() { Id = "Z1EXAMPLE", Name = "example.com." };
        public List<ResourceRecordSet> Records { get; } = new();
        public Dictionary<string, HealthState> Health { get; } = new();
        public List<string> HealthFailures { get; } = new();
        public List<(string ZoneId, IReadOnlyList<RecordChange> Changes, string? Comment)> Batches { get; } = new();
        public List<(string ChangeId, TimeSpan Timeout)> Waits { get; } = new();
        public List<string> Calls { get; } = new();
        /// <summary>Runs just before a record listing answers: lets a test change the zone "behind the plan's back".</summary>
        public Action? BeforeList { get; set; }
        public bool WaitTimesOut { get; set; }

        public Task<IReadOnlyList<HostedZone>> ListHostedZonesAsync(CancellationToken ct = default)
        {
            Calls.Add("ListHostedZones");
            return Task.FromResult<IReadOnlyList<HostedZone>>(new[] { Zone, new HostedZone { Id = "Z2OTHER", Name = "other.com." } });
        }

        public Task<IReadOnlyList<HostedZone>> FindHostedZonesAsync(string name, CancellationToken ct = default) =>
            Task.FromResult<IReadOnlyList<HostedZone>>(Route53Names.SameName(name, Zone.Name) ? new[] { Zone } : Array.Empty<HostedZone>());

        public async Task<HostedZone> FindHostedZoneAsync(string name, bool? privateZone = null, CancellationToken ct = default)
        {
            Calls.Add("FindHostedZone " + name);
            return (await FindHostedZonesAsync(name, ct)).FirstOrDefault()
                   ?? throw new DrToolsException(ErrorIds.NotFound, DrErrorCategory.ObjectNotFound, $"No Route 53 hosted zone is named '{name}'.", name);
        }

        public Task<IReadOnlyList<ResourceRecordSet>> ListRecordSetsAsync(string hostedZoneId, string? name = null, string? type = null, CancellationToken ct = default)
        {
            Calls.Add($"ListRecordSets {hostedZoneId} {name} {type}");
            if (hostedZoneId != Zone.Id) throw new DrToolsException(ErrorIds.NotFound, DrErrorCategory.ObjectNotFound, "NoSuchHostedZone", hostedZoneId);
            BeforeList?.Invoke();
            return Task.FromResult<IReadOnlyList<ResourceRecordSet>>(Records
                .Where(r => (name == null || Route53Names.SameName(r.Name, name)) && (type == null || r.Type == type.ToUpperInvariant())).ToList());
        }

        public Task<ChangeInfo> ChangeRecordSetsAsync(string hostedZoneId, IReadOnlyList<RecordChange> changes, string? comment = null, CancellationToken ct = default)
        {
            Calls.Add("ChangeRecordSets");
            Batches.Add((hostedZoneId, changes, comment));
            foreach (var c in changes)
            {
                Records.RemoveAll(r => Route53Names.SameName(r.Name, c.RecordSet.Name) && r.Type == c.RecordSet.Type && r.SetIdentifier == c.RecordSet.SetIdentifier);
                if (c.Action != ChangeAction.Delete) Records.Add(c.RecordSet);
            }
            return Task.FromResult(new ChangeInfo { Id = "C0FAKE", Status = "PENDING", SubmittedAt = new DateTimeOffset(2024, 5, 1, 3, 0, 0, TimeSpan.Zero), Comment = comment });
        }

        public Task<ChangeInfo> GetChangeAsync(string changeId, CancellationToken ct = default) =>
            Task.FromResult(new ChangeInfo { Id = changeId, Status = "INSYNC" });

        public Task<ChangeInfo> WaitForInSyncAsync(string changeId, TimeSpan timeout, TimeSpan? pollInterval = null, CancellationToken ct = default)
        {
            Calls.Add("WaitForInSync " + changeId);
            Waits.Add((changeId, timeout));
            if (WaitTimesOut) throw new DrToolsException(ErrorIds.Timeout, DrErrorCategory.OperationTimeout, "timed out", changeId);
            return Task.FromResult(new ChangeInfo { Id = changeId, Status = "INSYNC", SubmittedAt = new DateTimeOffset(2024, 5, 1, 3, 0, 0, TimeSpan.Zero) });
        }

        public Task<HealthCheck> CreateHealthCheckAsync(string callerReference, HealthCheckConfig config, CancellationToken ct = default) => throw new NotSupportedException();
        public Task<HealthCheck> GetHealthCheckAsync(string healthCheckId, CancellationToken ct = default) => throw new NotSupportedException();
        public Task DeleteHealthCheckAsync(string healthCheckId, CancellationToken ct = default) => throw new NotSupportedException();

        public Task<HealthCheckStatus> GetHealthCheckStatusAsync(string healthCheckId, CancellationToken ct = default)
        {
            Calls.Add("GetHealthCheckStatus " + healthCheckId);
            if (HealthFailures.Contains(healthCheckId))
                throw new DrToolsException(ErrorIds.AccessDenied, DrErrorCategory.PermissionDenied, "not authorized", healthCheckId);
            return Task.FromResult(new HealthCheckStatus { HealthCheckId = healthCheckId, State = Health.TryGetValue(healthCheckId, out var s) ? s : HealthState.Unknown });
        }
    }
}
