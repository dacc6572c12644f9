using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Aws.ServiceQuotas;
using DrTools.Core.Diagnostics;
using DrTools.TestSupport;
using Xunit;

namespace DrTools.Core.Tests.Aws.ServiceQuotas
{
    /// <summary>The Service Quotas wire client (JSON 1.1) against the fake endpoint: what it sends, how it reads answers and errors.</summary>
    public class ServiceQuotasServiceTests
    {
        [Fact]
        public async Task GetServiceQuota_sends_a_signed_JSON_1_1_request_and_reads_the_value()
        {
            using var server = new FakeAwsServer(_ => new FakeResponse(200,
                "{\"Quota\":{\"ServiceCode\":\"ec2\",\"QuotaCode\":\"L-1216C47A\",\"QuotaName\":\"Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances\",\"Value\":640.0,\"Unit\":\"None\"}}",
                "application/x-amz-json-1.1"));
            using var quotas = ServiceQuotasService.Create(FakeConnections.For(server), "us-west-2");
            var quota = await quotas.GetServiceQuotaAsync("ec2", "L-1216C47A", CancellationToken.None);
            Assert.Equal(640, quota.Value);
            Assert.StartsWith("Running On-Demand Standard", quota.QuotaName);
            var request = Assert.Single(server.Requests);
            Assert.Equal(("POST", "/", "servicequotas", "us-west-2"), (request.Method, request.Path, request.Service, request.Region));
            Assert.Equal("ServiceQuotasV20190624.GetServiceQuota", request.Headers["X-Amz-Target"]);
            Assert.StartsWith("application/x-amz-json-1.1", request.Headers["Content-Type"]);
            Assert.Equal("{\"ServiceCode\":\"ec2\",\"QuotaCode\":\"L-1216C47A\"}", request.Body);
        }

        [Theory]
        [InlineData(400, "com.amazonaws.servicequotas#NoSuchResourceException", "The request failed because the specified service doesn't exist.", "DrTools.NotFound")]
        [InlineData(400, "AccessDeniedException", "User is not authorized to perform servicequotas:GetServiceQuota", "DrTools.AccessDenied")]
        public async Task JSON_errors_map_to_DrTools_ids(int status, string type, string message, string errorId)
        {
            using var server = new FakeAwsServer(_ => new FakeResponse(status, $"{{\"__type\":\"{type}\",\"message\":\"{message}\"}}", "application/x-amz-json-1.1"));
            using var quotas = ServiceQuotasService.Create(FakeConnections.For(server), "us-west-2");
            var ex = await Assert.ThrowsAsync<DrToolsException>(() => quotas.GetServiceQuotaAsync("ec2", "L-1216C47A", CancellationToken.None));
            Assert.Equal(errorId, ex.ErrorId);
            Assert.Equal(type.Split('#').Last(), ex.AwsErrorCode);
        }

        [Fact]
        public async Task An_answer_without_a_quota_value_is_an_InvalidState_error_not_a_crash()
        {
            using var server = new FakeAwsServer(_ => new FakeResponse(200, "{\"Quota\":{\"QuotaCode\":\"L-1216C47A\"}}", "application/x-amz-json-1.1"));
            using var quotas = ServiceQuotasService.Create(FakeConnections.For(server), "us-west-2");
            var ex = await Assert.ThrowsAsync<DrToolsException>(() => quotas.GetServiceQuotaAsync("ec2", "L-1216C47A", CancellationToken.None));
            Assert.Equal(ErrorIds.InvalidState, ex.ErrorId);
        }
    }
}
