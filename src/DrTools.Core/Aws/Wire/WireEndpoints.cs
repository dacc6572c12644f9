using System;
using Amazon.Runtime;
using Amazon.Runtime.Endpoints;
using Amazon.Runtime.Internal;
using Amazon.Runtime.Internal.Endpoints.StandardLibrary;

namespace DrTools.Core.Aws.Wire
{
    /// <summary>
    /// Endpoint rules for regional query/rest services, condensed from the generated
    /// Amazon*EndpointProvider classes: custom endpoint, then global endpoint per partition, then
    /// {prefix}[-fips].{region}.{dnsSuffix | dualStackDnsSuffix}.
    /// </summary>
    public sealed class WireEndpointProvider : IEndpointProvider
    {
        private readonly WireServiceInfo _service;

        public WireEndpointProvider(WireServiceInfo service) { _service = service; }

        public Endpoint ResolveEndpoint(EndpointParameters parameters)
        {
            if (parameters == null) throw new ArgumentNullException(nameof(parameters));
            bool fips = Equals(parameters["UseFIPS"], true);
            bool dualStack = Equals(parameters["UseDualStack"], true);

            if (parameters["Endpoint"] is string custom && custom.Length > 0)
            {
                if (fips || dualStack)
                    throw new AmazonClientException("Invalid Configuration: FIPS/DualStack and custom endpoint are not supported");
                // No auth attributes: the signer uses AuthenticationRegion / RegionEndpoint, as the SDK does.
                return new Endpoint(custom);
            }

            var region = parameters["Region"] as string;
            if (string.IsNullOrEmpty(region)) throw new AmazonClientException("Invalid Configuration: Missing Region");
            // Fn.Partition knows every partition (incl. unknown-but-matching regions) from the SDK's bundled partitions.json.
            var partition = Fn.Partition(region!) ?? throw new AmazonClientException("Cannot resolve partition for " + region);

            if (!fips && !dualStack && _service.GlobalEndpoints.TryGetValue(partition.name, out var global))
                return new Endpoint(global.Url, AuthSchemeJson(global.SigningRegion), "");

            if (fips && !partition.supportsFIPS) throw new AmazonClientException("FIPS is not supported in " + partition.name);
            if (dualStack && !partition.supportsDualStack) throw new AmazonClientException("DualStack is not supported in " + partition.name);
            string host = _service.EndpointPrefix + (fips ? "-fips." : ".") + region + "." +
                          (dualStack ? partition.dualStackDnsSuffix : partition.dnsSuffix);
            return new Endpoint("https://" + host);
        }

        // Same shape as the generated providers; BaseEndpointResolver turns it into request.AuthenticationRegion.
        private string AuthSchemeJson(string signingRegion) =>
            "{\"authSchemes\":[{\"name\":\"sigv4\",\"signingName\":\"" + _service.SigningName +
            "\",\"signingRegion\":\"" + signingRegion + "\"}]}";
    }

    /// <summary>Pipeline handler (replaces the SDK's legacy EndpointResolver) that feeds our provider.</summary>
    internal sealed class WireEndpointResolver : BaseEndpointResolver
    {
        protected override EndpointParameters MapEndpointsParameters(IRequestContext requestContext) =>
            WireClientConfig.BuildEndpointParameters(requestContext.ClientConfig, requestContext.Request.AlternateEndpoint);
    }
}
