using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Amazon.EC2.Model;
using Amazon.S3.Model;
using Amazon.SecurityToken.Model;
using DrTools.Core.Diagnostics;

namespace DrTools.Core.Connection
{
    /// <summary>
    /// "Am I pointed at the right account and region, and can I reach what DR needs?": STS GetCallerIdentity,
    /// then one cheap read call per service, in parallel.
    /// </summary>
    public sealed class ConnectionTester
    {
        /// <summary>The services DrTools uses, in report order.</summary>
        public static readonly IReadOnlyList<string> AllServices = new[] { "S3", "EC2", "Route53", "RDS", "AutoScaling" };

        readonly IAwsClientFactory _clients;
        readonly IOperationReporter _reporter;

        public ConnectionTester(IAwsClientFactory clients, IOperationReporter? reporter = null)
        {
            _clients = clients;
            _reporter = reporter ?? NullReporter.Instance;
        }

        public async Task<ConnectionReport> TestAsync(IEnumerable<string>? services, CancellationToken cancellationToken)
        {
            var c = _clients.Connection;
            _reporter.Verbose($"Region {c.Region} ({c.RegionSource}); credentials from {c.CredentialSource}; endpoint {c.EndpointUrl?.ToString() ?? "AWS"}.");

            GetCallerIdentityResponse identity;
            try
            {
                using var sts = _clients.Sts();
                identity = await sts.GetCallerIdentityAsync(new GetCallerIdentityRequest(), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (!AwsErrorMapper.IsCancellation(ex, cancellationToken))
            {
                throw AwsErrorMapper.Map(ex, "STS", "GetCallerIdentity", "the caller identity", c.EndpointUrl?.ToString() ?? c.Region, c);
            }
            _reporter.Verbose($"Caller: {identity.Arn} (account {identity.Account}).");

            var selected = (services ?? AllServices).Select(s => AllServices.First(a => string.Equals(a, s, StringComparison.OrdinalIgnoreCase))).Distinct().ToList();
            var results = await Task.WhenAll(selected.Select(s => ProbeAsync(s, cancellationToken))).ConfigureAwait(false);
            foreach (var failed in results.Where(r => !r.Reachable))
                _reporter.Warning($"{failed.Service} is not usable: {failed.Error}");

            return new ConnectionReport
            {
                Account = identity.Account,
                Arn = identity.Arn,
                UserId = identity.UserId,
                Region = c.Region,
                Endpoint = c.EndpointUrl?.ToString() ?? "AWS",
                CredentialSource = c.CredentialSource,
                RegionSource = c.RegionSource,
                Services = results,
            };
        }

        async Task<ServiceProbeResult> ProbeAsync(string service, CancellationToken ct)
        {
            var (operation, call) = Probe(service);
            var clock = Stopwatch.StartNew();
            try
            {
                await call(ct).ConfigureAwait(false);
                _reporter.Verbose($"{service} {operation}: ok in {clock.ElapsedMilliseconds} ms.");
                return new ServiceProbeResult { Service = service, Operation = operation, Reachable = true, Latency = clock.Elapsed };
            }
            catch (Exception ex) when (!AwsErrorMapper.IsCancellation(ex, ct))
            {
                var mapped = AwsErrorMapper.Map(ex, service, operation, service, service, _clients.Connection);
                return new ServiceProbeResult
                {
                    Service = service, Operation = operation, Reachable = false, Latency = clock.Elapsed,
                    ErrorId = mapped.ErrorId, Error = mapped.Message,
                };
            }
        }

        (string Operation, Func<CancellationToken, Task> Call) Probe(string service) => service switch
        {
            "S3" => ("ListBuckets", async ct =>
            {
                using var s3 = _clients.S3();
                await s3.ListBucketsAsync(new ListBucketsRequest(), ct).ConfigureAwait(false);
            }),
            "EC2" => ("DescribeAvailabilityZones", async ct =>
            {
                using var ec2 = _clients.Ec2();
                await ec2.DescribeAvailabilityZonesAsync(new DescribeAvailabilityZonesRequest(), ct).ConfigureAwait(false);
            }),
            "Route53" => ("ListHostedZones", async ct =>
            {
                using var route53 = _clients.Route53();
                await route53.SendAsync("ListHostedZones", "GET", "/2013-04-01/hostedzone",
                    new[] { new KeyValuePair<string, string>("maxitems", "1") }, cancellationToken: ct).ConfigureAwait(false);
            }),
            "RDS" => ("DescribeDBInstances", async ct =>
            {
                using var rds = _clients.Rds();
                await rds.SendAsync("DescribeDBInstances", new[] { new KeyValuePair<string, string>("MaxRecords", "20") }, ct).ConfigureAwait(false);
            }),
            "AutoScaling" => ("DescribeAutoScalingGroups", async ct =>
            {
                using var asg = _clients.AutoScaling();
                await asg.SendAsync("DescribeAutoScalingGroups", new[] { new KeyValuePair<string, string>("MaxRecords", "1") }, ct).ConfigureAwait(false);
            }),
            _ => throw new ArgumentOutOfRangeException(nameof(service), service, "Unknown service."),
        };
    }
}
