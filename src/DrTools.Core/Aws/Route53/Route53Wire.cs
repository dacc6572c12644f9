using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Xml.Linq;
using DrTools.Core.Aws.Wire;

namespace DrTools.Core.Aws.Route53
{
    /// <summary>
    /// Route 53 REST-XML bodies, element names and order as in the API model (botocore route53 2013-04-01 service-2.json).
    /// Responses arrive namespace-stripped (see <see cref="WireXml"/>).
    /// </summary>
    internal static class Route53Wire
    {
        // ---- requests ----

        public static XElement ChangeBatch(XNamespace ns, IReadOnlyList<RecordChange> changes, string? comment) =>
            new(ns + "ChangeResourceRecordSetsRequest",
                new XElement(ns + "ChangeBatch",
                    comment == null ? null : new XElement(ns + "Comment", comment),
                    new XElement(ns + "Changes", changes.Select(c =>
                        new XElement(ns + "Change",
                            new XElement(ns + "Action", c.Action.ToString().ToUpperInvariant()),
                            RecordSet(ns, c.RecordSet))))));

        static XElement RecordSet(XNamespace ns, ResourceRecordSet r) =>
            new(ns + "ResourceRecordSet",
                new XElement(ns + "Name", Route53Names.Qualify(r.Name)),
                new XElement(ns + "Type", r.Type.Trim().ToUpperInvariant()),
                Opt(ns, "SetIdentifier", r.SetIdentifier),
                Opt(ns, "Weight", r.Weight),
                Opt(ns, "Region", r.Region),
                r.GeoLocation == null ? null : new XElement(ns + "GeoLocation",
                    Opt(ns, "ContinentCode", r.GeoLocation.ContinentCode),
                    Opt(ns, "CountryCode", r.GeoLocation.CountryCode),
                    Opt(ns, "SubdivisionCode", r.GeoLocation.SubdivisionCode)),
                Opt(ns, "Failover", r.Failover?.ToString().ToUpperInvariant()),
                Opt(ns, "MultiValueAnswer", r.MultiValueAnswer),
                Opt(ns, "TTL", r.Ttl),
                r.Values.Count == 0 ? null : new XElement(ns + "ResourceRecords",
                    r.Values.Select(v => new XElement(ns + "ResourceRecord", new XElement(ns + "Value", v)))),
                r.AliasTarget == null ? null : new XElement(ns + "AliasTarget",
                    new XElement(ns + "HostedZoneId", Route53Names.StripId(r.AliasTarget.HostedZoneId)),
                    new XElement(ns + "DNSName", r.AliasTarget.DnsName.Trim()),
                    new XElement(ns + "EvaluateTargetHealth", Bool(r.AliasTarget.EvaluateTargetHealth))),
                Opt(ns, "HealthCheckId", r.HealthCheckId),
                Opt(ns, "TrafficPolicyInstanceId", r.TrafficPolicyInstanceId),
                r.CidrRoutingConfig == null ? null : new XElement(ns + "CidrRoutingConfig",
                    new XElement(ns + "CollectionId", r.CidrRoutingConfig.CollectionId),
                    new XElement(ns + "LocationName", r.CidrRoutingConfig.LocationName)));

        public static XElement CreateHealthCheck(XNamespace ns, string callerReference, HealthCheckConfig c) =>
            new(ns + "CreateHealthCheckRequest",
                new XElement(ns + "CallerReference", callerReference),
                new XElement(ns + "HealthCheckConfig",
                    Opt(ns, "IPAddress", c.IpAddress),
                    Opt(ns, "Port", c.Port),
                    new XElement(ns + "Type", c.Type),
                    Opt(ns, "ResourcePath", c.ResourcePath),
                    Opt(ns, "FullyQualifiedDomainName", c.FullyQualifiedDomainName),
                    Opt(ns, "RequestInterval", c.RequestInterval),
                    Opt(ns, "FailureThreshold", c.FailureThreshold),
                    Opt(ns, "EnableSNI", c.EnableSni)));

        static XElement? Opt(XNamespace ns, string name, string? value) => value == null ? null : new XElement(ns + name, value);
        static XElement? Opt(XNamespace ns, string name, long? value) => value == null ? null : new XElement(ns + name, Route53Names.Invariant(value.Value));
        static XElement? Opt(XNamespace ns, string name, bool? value) => value == null ? null : new XElement(ns + name, Bool(value.Value));
        static string Bool(bool b) => b ? "true" : "false";

        // ---- responses ----

        public static HostedZone ParseZone(XElement z) => new()
        {
            Id = Route53Names.StripId(z.Child("Id") ?? ""),
            Name = z.Child("Name") ?? "",
            CallerReference = z.Child("CallerReference"),
            Comment = z.Element("Config")?.Child("Comment"),
            IsPrivate = ParseBool(z.Element("Config")?.Child("PrivateZone")) ?? false,
            RecordSetCount = ParseLong(z.Child("ResourceRecordSetCount")),
        };

        public static ResourceRecordSet ParseRecordSet(XElement r)
        {
            var alias = r.Element("AliasTarget");
            var geo = r.Element("GeoLocation");
            var cidr = r.Element("CidrRoutingConfig");
            return new ResourceRecordSet
            {
                Name = r.Child("Name") ?? "",
                Type = r.Child("Type") ?? "",
                SetIdentifier = r.Child("SetIdentifier"),
                Weight = ParseLong(r.Child("Weight")),
                Region = r.Child("Region"),
                GeoLocation = geo == null ? null : new GeoLocation
                {
                    ContinentCode = geo.Child("ContinentCode"),
                    CountryCode = geo.Child("CountryCode"),
                    SubdivisionCode = geo.Child("SubdivisionCode"),
                },
                Failover = r.Child("Failover") switch
                {
                    "PRIMARY" => FailoverRole.Primary,
                    "SECONDARY" => FailoverRole.Secondary,
                    _ => null,
                },
                MultiValueAnswer = ParseBool(r.Child("MultiValueAnswer")),
                Ttl = ParseLong(r.Child("TTL")),
                Values = r.Element("ResourceRecords")?.Elements("ResourceRecord").Select(v => v.Child("Value") ?? "").ToList()
                         ?? (IReadOnlyList<string>)Array.Empty<string>(),
                AliasTarget = alias == null ? null : new AliasTarget(alias.Child("HostedZoneId") ?? "", alias.Child("DNSName") ?? "",
                    ParseBool(alias.Child("EvaluateTargetHealth")) ?? false),
                HealthCheckId = r.Child("HealthCheckId"),
                TrafficPolicyInstanceId = r.Child("TrafficPolicyInstanceId"),
                CidrRoutingConfig = cidr == null ? null : new CidrRoutingConfig(cidr.Child("CollectionId") ?? "", cidr.Child("LocationName") ?? ""),
            };
        }

        public static ChangeInfo ParseChangeInfo(XElement root)
        {
            var c = root.Element("ChangeInfo") ?? root;
            return new ChangeInfo
            {
                Id = Route53Names.StripId(c.Child("Id") ?? ""),
                Status = c.Child("Status") ?? "",
                SubmittedAt = ParseTime(c.Child("SubmittedAt")) ?? default,
                Comment = c.Child("Comment"),
            };
        }

        public static HealthCheck ParseHealthCheck(XElement root)
        {
            var h = root.Element("HealthCheck") ?? root;
            var c = h.Element("HealthCheckConfig") ?? new XElement("HealthCheckConfig");
            return new HealthCheck
            {
                Id = h.Child("Id") ?? "",
                CallerReference = h.Child("CallerReference") ?? "",
                Version = ParseLong(h.Child("HealthCheckVersion")) ?? 0,
                Config = new HealthCheckConfig
                {
                    Type = c.Child("Type") ?? "",
                    IpAddress = c.Child("IPAddress"),
                    Port = (int?)ParseLong(c.Child("Port")),
                    ResourcePath = c.Child("ResourcePath"),
                    FullyQualifiedDomainName = c.Child("FullyQualifiedDomainName"),
                    RequestInterval = (int?)ParseLong(c.Child("RequestInterval")),
                    FailureThreshold = (int?)ParseLong(c.Child("FailureThreshold")),
                    EnableSni = ParseBool(c.Child("EnableSNI")),
                },
            };
        }

        public static IReadOnlyList<HealthCheckObservation> ParseObservations(XElement root) =>
            (root.Element("HealthCheckObservations")?.Elements("HealthCheckObservation") ?? Enumerable.Empty<XElement>())
            .Select(o => new HealthCheckObservation
            {
                Region = o.Child("Region"),
                IpAddress = o.Child("IPAddress"),
                Status = o.Element("StatusReport")?.Child("Status"),
                CheckedTime = ParseTime(o.Element("StatusReport")?.Child("CheckedTime")),
            }).ToList();

        public static bool? ParseBool(string? s) => s == null ? null : string.Equals(s.Trim(), "true", StringComparison.OrdinalIgnoreCase);

        public static long? ParseLong(string? s) =>
            long.TryParse(s?.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : null;

        static DateTimeOffset? ParseTime(string? s) =>
            DateTimeOffset.TryParse(s?.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t)
                ? t : null;
    }
}
