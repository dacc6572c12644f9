using System;
using System.Collections.Generic;

namespace DrTools.Core.Aws.Route53
{
    /// <summary>A hosted zone. <see cref="Id"/> is the bare id (no "/hostedzone/" prefix); <see cref="Name"/> ends with a dot.</summary>
    public sealed record HostedZone
    {
        public string Id { get; init; } = "";
        public string Name { get; init; } = "";
        public bool IsPrivate { get; init; }
        public string? Comment { get; init; }
        public long? RecordSetCount { get; init; }
        public string? CallerReference { get; init; }
    }

    /// <summary>What a change does to a record set. AWS applies every change in a batch, or none of them.</summary>
    public enum ChangeAction { Create, Upsert, Delete }

    /// <summary>The role of a failover record.</summary>
    public enum FailoverRole { Primary, Secondary }

    /// <summary>Alias target: another AWS resource (ELB, CloudFront, S3 website, a record in the same zone...).</summary>
    public sealed record AliasTarget(string HostedZoneId, string DnsName, bool EvaluateTargetHealth);

    /// <summary>Geolocation routing. Read back so such records round-trip through a change unaltered.</summary>
    public sealed record GeoLocation
    {
        public string? ContinentCode { get; init; }
        public string? CountryCode { get; init; }
        public string? SubdivisionCode { get; init; }
    }

    /// <summary>IP-based (CIDR) routing. Read back so such records round-trip through a change unaltered.</summary>
    public sealed record CidrRoutingConfig(string CollectionId, string LocationName);

    /// <summary>
    /// One resource record set. Simple: Name, Type, Ttl, Values. Weighted: add SetIdentifier and Weight.
    /// Failover: add SetIdentifier and Failover. Alias: AliasTarget instead of Ttl and Values.
    /// A DELETE must repeat every value of the record exactly as it exists in the zone.
    /// </summary>
    public sealed record ResourceRecordSet
    {
        public string Name { get; init; } = "";
        /// <summary>A, AAAA, CNAME, TXT, MX, NS, SOA, SRV, PTR, CAA, NAPTR, SPF, DS.</summary>
        public string Type { get; init; } = "";
        public string? SetIdentifier { get; init; }
        public long? Weight { get; init; }
        /// <summary>Latency routing region. Read back and round-tripped; DrTools does not create latency records itself.</summary>
        public string? Region { get; init; }
        public GeoLocation? GeoLocation { get; init; }
        public FailoverRole? Failover { get; init; }
        public bool? MultiValueAnswer { get; init; }
        public long? Ttl { get; init; }
        public IReadOnlyList<string> Values { get; init; } = Array.Empty<string>();
        public AliasTarget? AliasTarget { get; init; }
        public string? HealthCheckId { get; init; }
        /// <summary>Set by Route 53 for records a traffic policy owns; such records can't be changed here.</summary>
        public string? TrafficPolicyInstanceId { get; init; }
        public CidrRoutingConfig? CidrRoutingConfig { get; init; }

        public override string ToString() =>
            $"{Name} {Type}" + (SetIdentifier != null ? $" '{SetIdentifier}'" : "") +
            (Weight != null ? $" weight {Weight}" : "") + (Failover != null ? $" {Failover.ToString()!.ToUpperInvariant()}" : "") +
            (AliasTarget != null ? $" alias {AliasTarget.DnsName}" : Values.Count > 0 ? $" [{string.Join(", ", Values)}]" : "");
    }

    /// <summary>One change in a ChangeResourceRecordSets batch.</summary>
    public sealed record RecordChange(ChangeAction Action, ResourceRecordSet RecordSet)
    {
        public override string ToString() => $"{Action.ToString().ToUpperInvariant()} {RecordSet}";
    }

    /// <summary>A submitted change: PENDING until every Route 53 name server has it, then INSYNC.</summary>
    public sealed record ChangeInfo
    {
        /// <summary>The bare change id (no "/change/" prefix).</summary>
        public string Id { get; init; } = "";
        /// <summary>PENDING or INSYNC.</summary>
        public string Status { get; init; } = "";
        public DateTimeOffset SubmittedAt { get; init; }
        public string? Comment { get; init; }
        public bool IsInSync => string.Equals(Status, "INSYNC", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The kind of endpoint health check DrTools creates.</summary>
    public enum HealthCheckType { Http, Https, Tcp }

    /// <summary>
    /// An endpoint health check: IpAddress and/or FullyQualifiedDomainName, Port (default 80/443 for HTTP/HTTPS; required
    /// for TCP), ResourcePath (HTTP/HTTPS only), RequestInterval 10 or 30 seconds, FailureThreshold 1..10.
    /// </summary>
    public sealed record HealthCheckConfig
    {
        /// <summary>The AWS type string, e.g. HTTP, HTTPS, TCP (or others when read back from AWS).</summary>
        public string Type { get; init; } = "HTTP";
        public string? IpAddress { get; init; }
        public int? Port { get; init; }
        public string? ResourcePath { get; init; }
        public string? FullyQualifiedDomainName { get; init; }
        public int? RequestInterval { get; init; }
        public int? FailureThreshold { get; init; }
        /// <summary>Send the host name in the TLS handshake (HTTPS with a FQDN).</summary>
        public bool? EnableSni { get; init; }

        public static HealthCheckConfig For(HealthCheckType type) => new()
        {
            Type = type switch { HealthCheckType.Https => "HTTPS", HealthCheckType.Tcp => "TCP", _ => "HTTP" },
        };
    }

    public sealed record HealthCheck
    {
        public string Id { get; init; } = "";
        public string CallerReference { get; init; } = "";
        public long Version { get; init; }
        public HealthCheckConfig Config { get; init; } = new();
    }

    public enum HealthState { Unknown, Healthy, Unhealthy }

    /// <summary>What one Route 53 health checker last saw.</summary>
    public sealed record HealthCheckObservation
    {
        public string? Region { get; init; }
        public string? IpAddress { get; init; }
        /// <summary>The checker's report, e.g. "Success: HTTP Status Code 200, OK" or "Failure: Connection timed out...".</summary>
        public string? Status { get; init; }
        public DateTimeOffset? CheckedTime { get; init; }
        public bool IsHealthy => Status != null && Status.StartsWith("Success", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The health of a check as Route 53 decides it from its checkers' observations (see <see cref="Route53Service.Evaluate"/>).</summary>
    public sealed record HealthCheckStatus
    {
        public string HealthCheckId { get; init; } = "";
        public HealthState State { get; init; }
        public int HealthyCheckers { get; init; }
        public int TotalCheckers { get; init; }
        public IReadOnlyList<HealthCheckObservation> Observations { get; init; } = Array.Empty<HealthCheckObservation>();
    }
}
