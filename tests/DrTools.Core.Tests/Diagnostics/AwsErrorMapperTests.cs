using System;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Threading.Tasks;
using Amazon.Runtime;
using DrTools.Core.Connection;
using DrTools.Core.Diagnostics;
using Xunit;

namespace DrTools.Core.Tests.Diagnostics
{
    public class AwsErrorMapperTests
    {
        static AmazonServiceException Aws(string code, HttpStatusCode status, string message = "msg") =>
            new(message, null, ErrorType.Sender, code, "req-123", status);

        [Theory]
        [InlineData("InvalidClientTokenId", HttpStatusCode.Forbidden, ErrorIds.InvalidCredentials, DrErrorCategory.AuthenticationError)]
        [InlineData("SignatureDoesNotMatch", HttpStatusCode.Forbidden, ErrorIds.InvalidCredentials, DrErrorCategory.AuthenticationError)]
        [InlineData("AuthFailure", HttpStatusCode.Unauthorized, ErrorIds.InvalidCredentials, DrErrorCategory.AuthenticationError)]
        [InlineData("ExpiredToken", HttpStatusCode.Forbidden, ErrorIds.InvalidCredentials, DrErrorCategory.AuthenticationError)]
        [InlineData("AccessDenied", HttpStatusCode.Forbidden, ErrorIds.AccessDenied, DrErrorCategory.PermissionDenied)]
        [InlineData("UnauthorizedOperation", HttpStatusCode.Forbidden, ErrorIds.AccessDenied, DrErrorCategory.PermissionDenied)]
        [InlineData("Throttling", HttpStatusCode.BadRequest, ErrorIds.Throttled, DrErrorCategory.LimitsExceeded)]
        [InlineData("RequestLimitExceeded", HttpStatusCode.ServiceUnavailable, ErrorIds.Throttled, DrErrorCategory.LimitsExceeded)]
        [InlineData("SlowDown", HttpStatusCode.ServiceUnavailable, ErrorIds.Throttled, DrErrorCategory.LimitsExceeded)]
        [InlineData("PriorRequestNotComplete", HttpStatusCode.BadRequest, ErrorIds.Throttled, DrErrorCategory.LimitsExceeded)]
        [InlineData("DBInstanceNotFound", HttpStatusCode.NotFound, ErrorIds.NotFound, DrErrorCategory.ObjectNotFound)]
        [InlineData("DBSnapshotNotFound", HttpStatusCode.NotFound, ErrorIds.NotFound, DrErrorCategory.ObjectNotFound)]
        [InlineData("InvalidInstanceID.NotFound", HttpStatusCode.BadRequest, ErrorIds.NotFound, DrErrorCategory.ObjectNotFound)]
        [InlineData("NoSuchBucket", HttpStatusCode.NotFound, ErrorIds.NotFound, DrErrorCategory.ObjectNotFound)]
        [InlineData("NoSuchHostedZone", HttpStatusCode.NotFound, ErrorIds.NotFound, DrErrorCategory.ObjectNotFound)]
        [InlineData("DBInstanceAlreadyExists", HttpStatusCode.BadRequest, ErrorIds.AlreadyExists, DrErrorCategory.ResourceExists)]
        [InlineData("InvalidDBInstanceState", HttpStatusCode.BadRequest, ErrorIds.InvalidState, DrErrorCategory.InvalidOperation)]
        [InlineData("IncorrectInstanceState", HttpStatusCode.BadRequest, ErrorIds.InvalidState, DrErrorCategory.InvalidOperation)]
        [InlineData("ValidationError", HttpStatusCode.BadRequest, ErrorIds.InvalidParameter, DrErrorCategory.InvalidArgument)]
        [InlineData("InvalidChangeBatch", HttpStatusCode.BadRequest, ErrorIds.InvalidParameter, DrErrorCategory.InvalidArgument)]
        [InlineData("SnapshotQuotaExceeded", HttpStatusCode.BadRequest, ErrorIds.QuotaExceeded, DrErrorCategory.LimitsExceeded)]
        [InlineData("InsufficientDBInstanceCapacity", HttpStatusCode.BadRequest, ErrorIds.QuotaExceeded, DrErrorCategory.LimitsExceeded)]
        [InlineData("InstanceLimitExceeded", HttpStatusCode.BadRequest, ErrorIds.QuotaExceeded, DrErrorCategory.LimitsExceeded)]
        [InlineData("PermanentRedirect", HttpStatusCode.MovedPermanently, ErrorIds.InvalidRegion, DrErrorCategory.InvalidArgument)]
        [InlineData("InternalError", HttpStatusCode.InternalServerError, ErrorIds.ServiceError, DrErrorCategory.ResourceUnavailable)]
        public void Service_errors_map_to_stable_ids_keeping_code_and_request_id(string code, HttpStatusCode status, string id, DrErrorCategory category)
        {
            var mapped = AwsErrorMapper.Map(Aws(code, status), "RDS", "DescribeDBInstances", "DB instance 'orders'", "orders");
            Assert.Equal(id, mapped.ErrorId);
            Assert.Equal(category, mapped.Category);
            Assert.Equal(code, mapped.AwsErrorCode);
            Assert.Equal("req-123", mapped.RequestId);
            Assert.Equal("orders", mapped.Target);
            Assert.Contains("DB instance 'orders'", mapped.Message);
            Assert.Contains("req-123", mapped.Message);
            Assert.False(string.IsNullOrWhiteSpace(mapped.RecommendedAction));
        }

        [Fact]
        public void Network_failures_are_EndpointUnreachable_naming_the_endpoint()
        {
            var c = new AwsConnection("us-east-1", new BasicAWSCredentials("A", "B"), "test", "test", new Uri("http://127.0.0.1:1"));
            var ex = new HttpRequestException("Connection refused (127.0.0.1:1)", new SocketException((int)SocketError.ConnectionRefused));
            var mapped = AwsErrorMapper.Map(ex, "STS", "GetCallerIdentity", connection: c);
            Assert.Equal(ErrorIds.EndpointUnreachable, mapped.ErrorId);
            Assert.Equal(DrErrorCategory.ConnectionError, mapped.Category);
            Assert.Contains("127.0.0.1:1", mapped.Message);
        }

        [Fact]
        public void Secrets_are_redacted_from_messages()
        {
            var c = new AwsConnection("us-east-1", new BasicAWSCredentials("A", "B"), "test", "test") { Secrets = new[] { "SuperSecretKey123" } };
            var mapped = AwsErrorMapper.Map(Aws("SignatureDoesNotMatch", HttpStatusCode.Forbidden, "signed with SuperSecretKey123"), "S3", "PutObject", connection: c);
            Assert.DoesNotContain("SuperSecretKey123", mapped.Message);
        }

        [Fact]
        public void A_DrToolsException_passes_through_unchanged()
        {
            var original = new DrToolsException(ErrorIds.NotFound, DrErrorCategory.ObjectNotFound, "x");
            Assert.Same(original, AwsErrorMapper.Map(original, "S3", "GetObject"));
        }

        [Fact]
        public void An_HTTP_timeout_is_DrTools_Timeout()
        {
            var mapped = AwsErrorMapper.Map(new TaskCanceledException("timeout", new TimeoutException()), "EC2", "DescribeInstances");
            Assert.Equal(ErrorIds.Timeout, mapped.ErrorId);
            Assert.Contains("-RequestTimeoutSec", mapped.RecommendedAction);
        }

        [Fact]
        public void An_endpoint_that_stopped_answering_is_DrTools_Timeout_naming_host_operation_and_the_limit()
        {
            var mapped = AwsErrorMapper.Map(new EndpointTimeoutException("10.1.2.3:9000", TimeSpan.FromSeconds(45), "waiting for the answer to PUT /b/k"), "S3", "PutObject", "s3://b/k");
            Assert.Equal(ErrorIds.Timeout, mapped.ErrorId);
            Assert.Equal(DrErrorCategory.OperationTimeout, mapped.Category);
            Assert.Contains("10.1.2.3:9000", mapped.Message);
            Assert.Contains("S3 PutObject", mapped.Message);
            Assert.Contains("-RequestTimeoutSec (now 45 s)", mapped.RecommendedAction);
        }

        [Theory]
        [InlineData("io")]
        [InlineData("http-io")]
        [InlineData("socket")]
        public void Transport_failures_mid_response_are_EndpointUnreachable_not_raw(string kind)
        {
            Exception ex = kind switch
            {
                "io" => new System.IO.IOException("Unable to read data from the transport connection: Connection reset by peer."),
                "http-io" => new HttpIOException(HttpRequestError.ResponseEnded, "The response ended prematurely."),
                _ => new SocketException((int)SocketError.ConnectionReset),
            };
            var mapped = AwsErrorMapper.Map(ex, "S3", "GetObject", "s3://b/k");
            Assert.Equal(ErrorIds.EndpointUnreachable, mapped.ErrorId);
        }
    }
}
