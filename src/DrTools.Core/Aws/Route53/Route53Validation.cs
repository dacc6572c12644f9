using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using DrTools.Core.Diagnostics;

namespace DrTools.Core.Aws.Route53
{
    /// <summary>
    /// Local checks for mistakes Route 53 would reject anyway, so the user gets every problem at once, in plain words,
    /// before anything is sent. Ranges come from the API model.
    /// </summary>
    internal static class Route53Validation
    {
        public static readonly IReadOnlyList<string> RecordTypes =
            new[] { "SOA", "A", "TXT", "NS", "CNAME", "MX", "NAPTR", "PTR", "SRV", "SPF", "AAAA", "CAA", "DS" };

        public static void ValidateChanges(string hostedZoneId, IReadOnlyList<RecordChange>? changes, string? comment)
        {
            var problems = new List<string>();
            if (changes == null || changes.Count == 0)
                problems.Add("the batch has no changes");
            if (comment != null && comment.Length > 256)
                problems.Add($"the comment is {comment.Length} characters long; Route 53 allows 256");
            for (int i = 0; changes != null && i < changes.Count; i++)
            {
                var c = changes[i];
                if (c?.RecordSet == null) { problems.Add($"change {i + 1} has no record set"); continue; }
                foreach (var p in RecordProblems(c.RecordSet))
                    problems.Add($"change {i + 1} ({c.Action.ToString().ToUpperInvariant()} {Describe(c.RecordSet)}): {p}");
            }
            if (problems.Count > 0)
                throw new DrToolsException(ErrorIds.InvalidParameter, DrErrorCategory.InvalidArgument,
                    $"Route 53 change batch for hosted zone {hostedZoneId} was not sent: " + string.Join("; ", problems) + ".",
                    hostedZoneId,
                    "Fix the record sets named above and re-run. Nothing was changed: Route 53 applies a batch completely or not at all.");
        }

        static string Describe(ResourceRecordSet r) =>
            $"{(string.IsNullOrWhiteSpace(r.Name) ? "<no name>" : r.Name)} {r.Type}" + (r.SetIdentifier != null ? $" '{r.SetIdentifier}'" : "");

        static IEnumerable<string> RecordProblems(ResourceRecordSet r)
        {
            if (string.IsNullOrWhiteSpace(r.Name)) yield return "Name is required";
            else if (r.Name.Length > 1024) yield return "Name is longer than 1024 characters";
            if (!RecordTypes.Contains((r.Type ?? "").Trim().ToUpperInvariant()))
                yield return $"Type '{r.Type}' is not one of {string.Join(", ", RecordTypes)}";

            var policies = new List<string>();
            if (r.Weight != null) policies.Add("Weight");
            if (r.Failover != null) policies.Add("Failover");
            if (r.Region != null) policies.Add("Region (latency)");
            if (r.GeoLocation != null) policies.Add("GeoLocation");
            if (r.MultiValueAnswer != null) policies.Add("MultiValueAnswer");
            if (r.CidrRoutingConfig != null) policies.Add("CidrRoutingConfig");

            if (r.Weight is < 0 or > 255) yield return $"Weight {r.Weight} is outside 0..255";
            if (r.SetIdentifier != null && (r.SetIdentifier.Length < 1 || r.SetIdentifier.Length > 128))
                yield return "SetIdentifier must be 1..128 characters";
            if (policies.Count > 0 && string.IsNullOrEmpty(r.SetIdentifier))
                yield return $"{string.Join(" and ", policies)} needs a SetIdentifier that tells this record apart from the others with the same name and type";
            if (policies.Count == 0 && r.SetIdentifier != null)
                yield return "SetIdentifier is only valid with a routing policy (Weight, Failover, ...)";
            if (policies.Count > 1) yield return $"a record has one routing policy, not {string.Join(" and ", policies)}";

            if (r.AliasTarget != null)
            {
                if (r.Ttl != null || r.Values.Count > 0)
                    yield return "an alias record takes its TTL and values from the alias target; remove TTL and Values";
                if (string.IsNullOrWhiteSpace(r.AliasTarget.HostedZoneId)) yield return "AliasTarget.HostedZoneId is required";
                if (string.IsNullOrWhiteSpace(r.AliasTarget.DnsName)) yield return "AliasTarget.DnsName is required";
            }
            else if (r.TrafficPolicyInstanceId == null)
            {
                if (r.Ttl == null) yield return "TTL is required (or an AliasTarget)";
                else if (r.Ttl < 0 || r.Ttl > int.MaxValue) yield return $"TTL {r.Ttl} is outside 0..{int.MaxValue}";
                if (r.Values.Count == 0) yield return "at least one value is required (or an AliasTarget)";
                else if (r.Values.Any(string.IsNullOrWhiteSpace)) yield return "a value is empty";
            }
        }

        public static void ValidateHealthCheck(string callerReference, HealthCheckConfig? c)
        {
            var problems = new List<string>();
            if (string.IsNullOrWhiteSpace(callerReference) || callerReference.Length > 64)
                problems.Add("CallerReference must be 1..64 characters (use a stable value per check so a re-run does not create a second one)");
            if (c == null) problems.Add("the health check config is missing");
            else
            {
                var type = (c.Type ?? "").ToUpperInvariant();
                bool http = type is "HTTP" or "HTTPS";
                if (!http && type != "TCP") problems.Add($"Type '{c.Type}' is not HTTP, HTTPS or TCP");
                if (string.IsNullOrWhiteSpace(c.IpAddress) && string.IsNullOrWhiteSpace(c.FullyQualifiedDomainName))
                    problems.Add("give the endpoint's IpAddress, its FullyQualifiedDomainName, or both");
                if (c.IpAddress != null && !IPAddress.TryParse(c.IpAddress, out _))
                    problems.Add($"IpAddress '{c.IpAddress}' is not an IPv4 or IPv6 address");
                if (c.FullyQualifiedDomainName is { Length: > 255 }) problems.Add("FullyQualifiedDomainName is longer than 255 characters");
                if (c.Port is < 1 or > 65535) problems.Add($"Port {c.Port} is outside 1..65535");
                if (type == "TCP" && c.Port == null) problems.Add("a TCP health check needs a Port");
                if (type == "TCP" && c.ResourcePath != null) problems.Add("ResourcePath applies to HTTP and HTTPS checks only");
                if (c.ResourcePath is { Length: > 255 }) problems.Add("ResourcePath is longer than 255 characters");
                if (c.RequestInterval is not null and not 10 and not 30) problems.Add($"RequestInterval {c.RequestInterval} must be 10 or 30 seconds");
                if (c.FailureThreshold is < 1 or > 10) problems.Add($"FailureThreshold {c.FailureThreshold} is outside 1..10");
            }
            if (problems.Count > 0)
                throw new DrToolsException(ErrorIds.InvalidParameter, DrErrorCategory.InvalidArgument,
                    $"Route 53 health check '{callerReference}' was not created: " + string.Join("; ", problems) + ".",
                    callerReference, "Fix the values named above and re-run.");
        }

        public static void RequireId(string? id, string what)
        {
            if (string.IsNullOrWhiteSpace(id))
                throw new DrToolsException(ErrorIds.InvalidParameter, DrErrorCategory.InvalidArgument,
                    $"A {what} id is required.", null, $"Pass the {what} id.");
        }

        public static void RequireName(string? name, string what)
        {
            if (string.IsNullOrWhiteSpace(name))
                throw new DrToolsException(ErrorIds.InvalidParameter, DrErrorCategory.InvalidArgument,
                    $"A {what} name is required.", null, $"Pass the {what} name, e.g. example.com.");
        }

        /// <summary>Normalises a record type the user typed; null stays null.</summary>
        public static string? RecordType(string? type)
        {
            if (type == null) return null;
            var t = type.Trim().ToUpperInvariant();
            if (!RecordTypes.Contains(t))
                throw new DrToolsException(ErrorIds.InvalidParameter, DrErrorCategory.InvalidArgument,
                    $"'{type}' is not a Route 53 record type.", type, $"Use one of {string.Join(", ", RecordTypes)}.");
            return t;
        }
    }
}
