using System;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Connection;
using Xunit;

namespace DrTools.Core.Tests.Connection
{
    public class IdleTimeoutHandlerTests
    {
        /// <summary>An endpoint that accepts every request and never answers.</summary>
        sealed class SilentEndpoint : HttpMessageHandler
        {
            protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
            {
                await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(false);
                throw new InvalidOperationException("unreachable");
            }
        }

        static HttpRequestMessage Attempt(string call)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "http://127.0.0.1:9/bucket/data/pack");
            request.Headers.TryAddWithoutValidation("amz-sdk-invocation-id", call);
            return request;
        }

        [Fact]
        public async Task A_stall_across_parallel_calls_is_a_first_timeout_for_each_and_only_a_calls_second_is_final()
        {
            using var client = new HttpClient(new IdleTimeoutHandler(new SilentEndpoint(), TimeSpan.FromMilliseconds(100)));
            // Two uploads in flight stall once each (one network hiccup): each may be retried.
            await Assert.ThrowsAsync<EndpointIdleException>(() => client.SendAsync(Attempt("call-a")));
            await Assert.ThrowsAsync<EndpointIdleException>(() => client.SendAsync(Attempt("call-b")));
            // The retry of the first call times out again: that endpoint is not answering.
            var final = await Assert.ThrowsAsync<EndpointTimeoutException>(() => client.SendAsync(Attempt("call-a")));
            Assert.Contains("127.0.0.1:9", final.Message);
        }
    }
}
