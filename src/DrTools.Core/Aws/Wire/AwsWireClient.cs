using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Amazon.Runtime;
using Amazon.Runtime.Credentials.Internal;
using Amazon.Runtime.Internal;
using Amazon.Runtime.Internal.Auth;

namespace DrTools.Core.Aws.Wire
{
    /// <summary>
    /// Base for hand-written clients on AWSSDK.Core's runtime pipeline. The pipeline supplies credentials
    /// (default chain when none are given), SigV4, retries with backoff (throttling codes included),
    /// clock-skew correction, timeouts, cancellation and logging; subclasses supply only the wire format.
    /// </summary>
    public abstract class AwsWireClient : AmazonServiceClient
    {
        private readonly InvokeOptions _options;
        private readonly WireServiceMetadata _metadata;

        /// <param name="credentials">null = the SDK's default credential chain (env, profile, SSO, web identity, IMDS...).</param>
        protected AwsWireClient(AWSCredentials? credentials, WireClientConfig config)
            : base(credentials!, config)
        {
            _metadata = new WireServiceMetadata(config.Service.ServiceId);
            _options = new InvokeOptions
            {
                RequestMarshaller = new WireMarshaller(config.Service.ServiceId),
                ResponseUnmarshaller = WireUnmarshaller.Instance,
            };
        }

        public WireClientConfig WireConfig => (WireClientConfig)Config;

        protected override IServiceMetadata ServiceMetadata => _metadata;

        /// <summary>Exactly what a generated client does: swap the legacy endpoint resolver for a rules-style one, add an auth-scheme resolver.</summary>
        protected override void CustomizeRuntimePipeline(RuntimePipeline pipeline)
        {
            pipeline.RemoveHandler<EndpointResolver>();
            pipeline.AddHandlerAfter<Marshaller>(new WireEndpointResolver());
            pipeline.AddHandlerAfter<Marshaller>(new WireAuthSchemeHandler());
        }

        /// <summary>Sends one request through the SDK pipeline. Throws AwsWireException for service errors.</summary>
        public Task<WireResponse> InvokeAsync(WireRequest request, CancellationToken cancellationToken = default) =>
            InvokeAsync<WireResponse>(request ?? throw new ArgumentNullException(nameof(request)), _options, cancellationToken);

        /// <summary>The URL a request would go to with the current config, without sending anything.</summary>
        public Uri ResolveEndpoint() => new Uri(WireConfig.DetermineServiceOperationEndpoint(
            new Amazon.Runtime.Endpoints.ServiceOperationEndpointParameters(new WireRequest("ResolveEndpoint"))).URL);

        private sealed class WireServiceMetadata : IServiceMetadata
        {
            public WireServiceMetadata(string serviceId) { ServiceId = serviceId; }
            public string ServiceId { get; }
            public IDictionary<string, string> OperationNameMapping { get; } = new Dictionary<string, string>();
        }

        /// <summary>All our services are plain SigV4 (the generated AuthResolvers return DEFAULT_SIGV4 too).</summary>
        private sealed class WireAuthSchemeHandler : BaseAuthResolverHandler
        {
            protected override List<IAuthSchemeOption> ResolveAuthOptions(IExecutionContext executionContext) => AuthSchemeOption.DEFAULT_SIGV4;
        }
    }
}
