using System;
using System.Collections.Generic;
using System.Linq;
using System.Security;
using System.Xml.Linq;

namespace DrTools.TestSupport
{
    /// <summary>
    /// A FakeAwsServer handler that plays Route 53 for one public zone with one weighted A record: zone lookups by name
    /// and id, ListResourceRecordSets, GetHealthCheckStatus, ChangeResourceRecordSets (UPSERTs update the weights) and
    /// GetChange (INSYNC). Responses follow the 2013-04-01 API model.
    /// </summary>
    public sealed class FakeRoute53Zone
    {
        public const string Ns = "https://route53.amazonaws.com/doc/2013-04-01/";
        public string ZoneId { get; init; } = "Z1DRTOOLSTEST";
        public string ZoneName { get; init; } = "example.com.";
        public string RecordName { get; init; } = "www.example.com.";

        /// <summary>The sites: SetIdentifier -> (weight, IP, health check id or null).</summary>
        public Dictionary<string, (long Weight, string Ip, string? HealthCheck)> Sites { get; } = new();
        /// <summary>Health check id -> healthy?</summary>
        public Dictionary<string, bool> Healthy { get; } = new();
        /// <summary>The bodies of every ChangeResourceRecordSets request.</summary>
        public List<string> ChangeBatches { get; } = new();

        public FakeResponse Handle(FakeRequest r)
        {
            if (r.Service != "route53") return Error(400, "WrongService", "expected route53, got " + r.Service);
            var p = r.Path;
            lock (this)
            {
                if (r.Method == "GET" && p == "/2013-04-01/hostedzonesbyname")
                {
                    var wanted = r.Form.TryGetValue("dnsname", out var d) ? d : "";
                    var zones = string.Equals(wanted, ZoneName, StringComparison.OrdinalIgnoreCase) ? ZoneXml() : "";
                    return Ok($"<ListHostedZonesByNameResponse xmlns=\"{Ns}\"><HostedZones>{zones}</HostedZones><DNSName>{wanted}</DNSName><IsTruncated>false</IsTruncated><MaxItems>100</MaxItems></ListHostedZonesByNameResponse>");
                }
                if (r.Method == "GET" && p == "/2013-04-01/hostedzone")
                    return Ok($"<ListHostedZonesResponse xmlns=\"{Ns}\"><HostedZones>{ZoneXml()}</HostedZones><Marker/><IsTruncated>false</IsTruncated><MaxItems>100</MaxItems></ListHostedZonesResponse>");
                if (r.Method == "GET" && p == $"/2013-04-01/hostedzone/{ZoneId}/rrset")
                    return Ok($"<ListResourceRecordSetsResponse xmlns=\"{Ns}\"><ResourceRecordSets>{RecordsXml()}</ResourceRecordSets><IsTruncated>false</IsTruncated><MaxItems>300</MaxItems></ListResourceRecordSetsResponse>");
                if (r.Method == "GET" && p.StartsWith("/2013-04-01/hostedzone/", StringComparison.Ordinal) && p.EndsWith("/rrset", StringComparison.Ordinal))
                    return Error(404, "NoSuchHostedZone", "No hosted zone found with ID: " + p.Split('/')[3]);
                if (r.Method == "GET" && p.StartsWith("/2013-04-01/healthcheck/", StringComparison.Ordinal) && p.EndsWith("/status", StringComparison.Ordinal))
                {
                    var id = p.Split('/')[3];
                    if (!Healthy.TryGetValue(id, out var ok)) return Error(404, "NoSuchHealthCheck", "No health check exists with the specified ID " + id);
                    var status = ok ? "Success: HTTP Status Code 200, OK" : "Failure: Connection timed out.";
                    var obs = string.Concat(new[] { "us-east-1", "us-west-2", "eu-west-1" }.Select(region =>
                        $"<HealthCheckObservation><Region>{region}</Region><IPAddress>15.177.0.1</IPAddress><StatusReport><Status>{status}</Status><CheckedTime>2024-05-01T03:00:00Z</CheckedTime></StatusReport></HealthCheckObservation>"));
                    return Ok($"<GetHealthCheckStatusResponse xmlns=\"{Ns}\"><HealthCheckObservations>{obs}</HealthCheckObservations></GetHealthCheckStatusResponse>");
                }
                if (r.Method == "POST" && p == $"/2013-04-01/hostedzone/{ZoneId}/rrset/")
                {
                    ChangeBatches.Add(r.Body);
                    var ns = XNamespace.Get(Ns);
                    foreach (var rrs in XDocument.Parse(r.Body).Descendants(ns + "ResourceRecordSet"))
                    {
                        var id = rrs.Element(ns + "SetIdentifier")?.Value;
                        if (id != null && Sites.TryGetValue(id, out var site))
                            Sites[id] = site with { Weight = long.Parse(rrs.Element(ns + "Weight")!.Value) };
                    }
                    return Ok($"<ChangeResourceRecordSetsResponse xmlns=\"{Ns}\"><ChangeInfo><Id>/change/C{ChangeBatches.Count}FAKE</Id><Status>PENDING</Status><SubmittedAt>2024-05-01T03:04:05.000Z</SubmittedAt></ChangeInfo></ChangeResourceRecordSetsResponse>");
                }
                if (r.Method == "GET" && p.StartsWith("/2013-04-01/change/", StringComparison.Ordinal))
                    return Ok($"<GetChangeResponse xmlns=\"{Ns}\"><ChangeInfo><Id>/change/{p.Split('/')[3]}</Id><Status>INSYNC</Status><SubmittedAt>2024-05-01T03:04:05.000Z</SubmittedAt></ChangeInfo></GetChangeResponse>");
            }
            return Error(400, "UnexpectedRequest", $"the fake has no answer for {r.Method} {p}");
        }

        string ZoneXml() =>
            $"<HostedZone><Id>/hostedzone/{ZoneId}</Id><Name>{ZoneName}</Name><CallerReference>ref</CallerReference><Config><PrivateZone>false</PrivateZone></Config><ResourceRecordSetCount>{Sites.Count + 2}</ResourceRecordSetCount></HostedZone>";

        string RecordsXml() =>
            string.Concat(Sites.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s =>
                $"<ResourceRecordSet><Name>{RecordName}</Name><Type>A</Type><SetIdentifier>{SecurityElement.Escape(s.Key)}</SetIdentifier><Weight>{s.Value.Weight}</Weight><TTL>60</TTL>" +
                $"<ResourceRecords><ResourceRecord><Value>{s.Value.Ip}</Value></ResourceRecord></ResourceRecords>" +
                (s.Value.HealthCheck != null ? $"<HealthCheckId>{s.Value.HealthCheck}</HealthCheckId>" : "") + "</ResourceRecordSet>"));

        static FakeResponse Ok(string body) => new(200, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + body);

        public static FakeResponse Error(int status, string code, string message) =>
            new(status, $"<?xml version=\"1.0\"?>\n<ErrorResponse xmlns=\"{Ns}\"><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>req-{code}</RequestId></ErrorResponse>");
    }
}
