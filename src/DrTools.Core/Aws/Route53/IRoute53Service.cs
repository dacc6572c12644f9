using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Diagnostics;

namespace DrTools.Core.Aws.Route53
{
    /// <summary>
    /// The Route 53 operations DR needs: find the zone, read its records, shift traffic in one atomic batch, wait for
    /// the change to reach every name server, and manage the health checks that drive failover.
    /// Ids may be given with or without their "/hostedzone/", "/change/" prefixes; results carry bare ids.
    /// Every AWS failure surfaces as a <see cref="DrToolsException"/>.
    /// </summary>
    public interface IRoute53Service
    {
        /// <summary>Every hosted zone in the account (all pages).</summary>
        Task<IReadOnlyList<HostedZone>> ListHostedZonesAsync(CancellationToken cancellationToken = default);

        /// <summary>The zones named <paramref name="name"/> (trailing dot optional, case-insensitive); empty when none.</summary>
        Task<IReadOnlyList<HostedZone>> FindHostedZonesAsync(string name, CancellationToken cancellationToken = default);

        /// <summary>
        /// The one zone named <paramref name="name"/>; <paramref name="privateZone"/> picks public (false) or private (true)
        /// when both exist. Throws DrTools.NotFound when there is none, DrTools.InvalidParameter when the choice is ambiguous.
        /// </summary>
        Task<HostedZone> FindHostedZoneAsync(string name, bool? privateZone = null, CancellationToken cancellationToken = default);

        /// <summary>
        /// Every record set in the zone (all pages), optionally only those named <paramref name="name"/> and/or of
        /// <paramref name="type"/>. A name filter starts the listing at that name, so it reads only the pages it needs.
        /// </summary>
        Task<IReadOnlyList<ResourceRecordSet>> ListRecordSetsAsync(string hostedZoneId, string? name = null, string? type = null,
            CancellationToken cancellationToken = default);

        /// <summary>
        /// Submits <paramref name="changes"/> as ONE ChangeResourceRecordSets batch: Route 53 applies all of them or none.
        /// Obvious mistakes are rejected locally with DrTools.InvalidParameter before anything is sent.
        /// </summary>
        Task<ChangeInfo> ChangeRecordSetsAsync(string hostedZoneId, IReadOnlyList<RecordChange> changes, string? comment = null,
            CancellationToken cancellationToken = default);

        Task<ChangeInfo> GetChangeAsync(string changeId, CancellationToken cancellationToken = default);

        /// <summary>Polls the change until INSYNC (every Route 53 name server answers with it). DrTools.Timeout after <paramref name="timeout"/>.</summary>
        Task<ChangeInfo> WaitForInSyncAsync(string changeId, TimeSpan timeout, TimeSpan? pollInterval = null,
            CancellationToken cancellationToken = default);

        /// <summary>
        /// Creates an endpoint health check. Re-running with the same <paramref name="callerReference"/> and config returns
        /// the existing check instead of a second one (Route 53 idempotency); the same reference with another config fails
        /// with DrTools.AlreadyExists.
        /// </summary>
        Task<HealthCheck> CreateHealthCheckAsync(string callerReference, HealthCheckConfig config, CancellationToken cancellationToken = default);

        Task<HealthCheck> GetHealthCheckAsync(string healthCheckId, CancellationToken cancellationToken = default);

        /// <summary>Deletes the health check. One still used by a record fails with DrTools.InvalidState.</summary>
        Task DeleteHealthCheckAsync(string healthCheckId, CancellationToken cancellationToken = default);

        /// <summary>What the Route 53 checkers currently observe, and the overall state Route 53 derives from it.</summary>
        Task<HealthCheckStatus> GetHealthCheckStatusAsync(string healthCheckId, CancellationToken cancellationToken = default);
    }
}
