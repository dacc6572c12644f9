using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using System.Xml.Linq;
using Amazon.Runtime;

namespace DrTools.Core.Aws.Wire
{
    /// <summary>AWS Query protocol (RDS, Auto Scaling, ...): POST form Action=..&amp;Version=..&amp;params, XML response.</summary>
    public abstract class QueryProtocolClient : AwsWireClient
    {
        protected QueryProtocolClient(AWSCredentials? credentials, WireClientConfig config) : base(credentials, config) { }

        /// <summary>
        /// Calls <paramref name="action"/> and returns its &lt;{Action}Result&gt; element (namespace-stripped), or an
        /// empty one for actions that return only ResponseMetadata. Lists are flattened by the caller, e.g.
        /// "Filters.member.1.Name" (RDS) or "AvailabilityZones.member.1" (Auto Scaling).
        /// </summary>
        public async Task<XElement> SendAsync(string action, IEnumerable<KeyValuePair<string, string>>? parameters = null,
            CancellationToken cancellationToken = default)
        {
            var response = await SendRawAsync(action, parameters, cancellationToken).ConfigureAwait(false);
            return response.Xml.Element(action + "Result") ?? new XElement(action + "Result");
        }

        public Task<WireResponse> SendRawAsync(string action, IEnumerable<KeyValuePair<string, string>>? parameters = null,
            CancellationToken cancellationToken = default)
        {
            var request = new WireRequest(action) { HttpMethod = "POST", Path = "/", FormEncoded = true };
            request.Parameters["Action"] = action;
            request.Parameters["Version"] = WireConfig.Service.ApiVersion;
            if (parameters != null)
                foreach (var kv in parameters) request.Parameters[kv.Key] = kv.Value;
            return InvokeAsync(request, cancellationToken);
        }
    }

    public sealed class RdsClient : QueryProtocolClient
    {
        public RdsClient(AWSCredentials? credentials, WireClientConfig config) : base(credentials, config) { }
        public static WireClientConfig CreateConfig() => new WireClientConfig(AwsServices.Rds);
    }

    public sealed class AutoScalingClient : QueryProtocolClient
    {
        public AutoScalingClient(AWSCredentials? credentials, WireClientConfig config) : base(credentials, config) { }
        public static WireClientConfig CreateConfig() => new WireClientConfig(AwsServices.AutoScaling);
    }
}
