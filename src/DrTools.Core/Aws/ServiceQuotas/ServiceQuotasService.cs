using System;
using System.Collections.Generic;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Amazon.Runtime;
using DrTools.Core.Aws.Wire;
using DrTools.Core.Connection;
using DrTools.Core.Diagnostics;

namespace DrTools.Core.Aws.ServiceQuotas
{
    /// <summary>One applied quota (Service Quotas GetServiceQuota), e.g. ec2 L-1216C47A: 640 vCPUs.</summary>
    public sealed record ServiceQuota(string ServiceCode, string QuotaCode, string? QuotaName, double Value, string? Unit);

    /// <summary>The Service Quotas calls DrTools needs, bound to one region.</summary>
    public interface IServiceQuotasService : IDisposable
    {
        string Region { get; }
        /// <summary>The account's applied value of a quota; DrTools.NotFound when the service or quota code is unknown.</summary>
        Task<ServiceQuota> GetServiceQuotaAsync(string serviceCode, string quotaCode, CancellationToken cancellationToken);
    }

    /// <summary>
    /// Service Quotas over the JSON 1.1 protocol on AWSSDK.Core (botocore model "service-quotas", API 2019-06-24:
    /// POST / with X-Amz-Target ServiceQuotasV20190624.{Operation}). Replacing it with AWSSDK.ServiceQuotas would
    /// change only this class.
    /// </summary>
    public sealed class ServiceQuotasService : IServiceQuotasService
    {
        public static readonly WireServiceInfo Info = new("Service Quotas", "servicequotas", "servicequotas", "2019-06-24");
        const string TargetPrefix = "ServiceQuotasV20190624";
        const string Service = "ServiceQuotas";

        /// <summary>EC2 "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances", in vCPUs.</summary>
        public const string StandardOnDemandVCpus = "L-1216C47A";

        readonly Client _client;
        readonly AwsConnection _connection;

        ServiceQuotasService(Client client, AwsConnection connection) { _client = client; _connection = connection; }

        public static ServiceQuotasService Create(IAwsClientFactory clients, string? region = null)
        {
            var c = region == null ? clients.Connection : clients.Connection.ForRegion(region);
            return new ServiceQuotasService(new Client(c.Credentials, AwsClientFactory.Configure(new WireClientConfig(Info), c)), c);
        }

        public string Region => _connection.Region;

        public void Dispose() => _client.Dispose();

        public async Task<ServiceQuota> GetServiceQuotaAsync(string serviceCode, string quotaCode, CancellationToken cancellationToken)
        {
            var body = JsonSerializer.Serialize(new { ServiceCode = serviceCode, QuotaCode = quotaCode });
            var request = new WireRequest("GetServiceQuota") { HttpMethod = "POST", Path = "/", JsonBody = body, JsonTarget = TargetPrefix + ".GetServiceQuota" };
            WireResponse response;
            try
            {
                response = await _client.InvokeAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (!AwsErrorMapper.IsCancellation(ex, cancellationToken))
            {
                throw AwsErrorMapper.Map(ex, Service, "GetServiceQuota", $"quota {serviceCode} {quotaCode}", quotaCode, _connection);
            }
            try
            {
                using var doc = JsonDocument.Parse(response.Json ?? "{}");
                var q = doc.RootElement.GetProperty("Quota");
                return new ServiceQuota(Text(q, "ServiceCode") ?? serviceCode, Text(q, "QuotaCode") ?? quotaCode, Text(q, "QuotaName"),
                    q.GetProperty("Value").GetDouble(), Text(q, "Unit"));
            }
            catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                throw new DrToolsException(ErrorIds.InvalidState, DrErrorCategory.InvalidData,
                    $"Service Quotas answered GetServiceQuota for {serviceCode} {quotaCode} without a quota value.", quotaCode,
                    "Check the endpoint (-EndpointUrl) is AWS Service Quotas.") { Service = Service };
            }
        }

        static string? Text(JsonElement e, string name) =>
            e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

        sealed class Client : AwsWireClient
        {
            public Client(AWSCredentials credentials, WireClientConfig config) : base(credentials, config) { }
        }
    }
}
