using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using System.Xml.Linq;
using Amazon.Runtime;

namespace DrTools.Core.Aws.Wire
{
    /// <summary>REST-XML protocol (Route 53): method + path + query string + optional XML body.</summary>
    public abstract class RestXmlClient : AwsWireClient
    {
        protected RestXmlClient(AWSCredentials? credentials, WireClientConfig config) : base(credentials, config) { }

        /// <summary>Namespace request bodies must carry, e.g. https://route53.amazonaws.com/doc/2013-04-01/.</summary>
        public abstract XNamespace Namespace { get; }

        /// <summary>
        /// Sends one call and returns the response root (namespace-stripped). <paramref name="path"/> may hold
        /// {Name} tokens filled (and URL-encoded by the SDK) from <paramref name="pathParameters"/>.
        /// </summary>
        public async Task<XElement> SendAsync(string operation, string method, string path,
            IEnumerable<KeyValuePair<string, string>>? query = null, XElement? body = null,
            IEnumerable<KeyValuePair<string, string>>? pathParameters = null, CancellationToken cancellationToken = default)
        {
            var request = new WireRequest(operation) { HttpMethod = method, Path = path, Body = body };
            if (query != null) foreach (var kv in query) request.Parameters[kv.Key] = kv.Value;
            if (pathParameters != null) foreach (var kv in pathParameters) request.PathParameters[kv.Key] = kv.Value;
            var response = await InvokeAsync(request, cancellationToken).ConfigureAwait(false);
            return response.Xml;
        }
    }

    public sealed class Route53Client : RestXmlClient
    {
        private static readonly XNamespace Ns = "https://route53.amazonaws.com/doc/2013-04-01/";

        public Route53Client(AWSCredentials? credentials, WireClientConfig config) : base(credentials, config) { }
        public static WireClientConfig CreateConfig() => new WireClientConfig(AwsServices.Route53);
        public override XNamespace Namespace => Ns;
    }
}
