using System;
using System.Collections.Generic;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Endpoints;
using Amazon.Runtime.Internal;
using Amazon.Util;
using Amazon.Util.Internal;

namespace DrTools.Core.Aws.Wire
{
    /// <summary>
    /// ClientConfig for a hand-written service client. Gives the SDK pipeline what a generated
    /// Amazon*Config gives it: service names, API version, user agent and an endpoint provider.
    /// Everything else (RegionEndpoint, ServiceURL, MaxErrorRetry, RetryMode, Timeout...) is inherited.
    /// </summary>
    public class WireClientConfig : ClientConfig
    {
        // DrTools' own version in the user agent, so AWS-side logs show which release made a call.
        private static readonly string DrToolsVersion = typeof(WireClientConfig).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
        private readonly string _userAgent;

        public WireClientConfig(WireServiceInfo service)
            : base(new DefaultConfigurationProvider(DefaultConfigurations))
        {
            Service = service ?? throw new ArgumentNullException(nameof(service));
            base.ServiceId = service.ServiceId;
            AuthenticationServiceName = service.SigningName;
            EndpointProvider = new WireEndpointProvider(service);
            _userAgent = InternalSDKUtils.BuildUserAgentString(service.ServiceId, DrToolsVersion);
        }

        public WireServiceInfo Service { get; }
        public override string RegionEndpointServiceName => Service.EndpointPrefix;
        public override string ServiceVersion => Service.ApiVersion;
        public override string UserAgent => _userAgent;

        /// <summary>Abstract in 4.x: resolve the endpoint for an operation without sending it (used by tooling, and by us to print URLs).</summary>
        public override Endpoint DetermineServiceOperationEndpoint(ServiceOperationEndpointParameters parameters)
        {
            return EndpointProvider.ResolveEndpoint(BuildEndpointParameters(this, parameters?.AlternateEndpoint));
        }

        /// <summary>Same inputs the generated *EndpointResolver.MapEndpointsParameters collects.</summary>
        internal static EndpointParameters BuildEndpointParameters(IClientConfig config, RegionEndpoint? alternate)
        {
            var p = new EndpointParameters();
            string? region = alternate?.SystemName ?? config.RegionEndpoint?.SystemName;
            if (region == null && !string.IsNullOrEmpty(config.ServiceURL))
            {
                // Setting ServiceURL clears RegionEndpoint; the signing region then comes from AuthenticationRegion.
                region = !string.IsNullOrEmpty(config.AuthenticationRegion)
                    ? config.AuthenticationRegion
                    : AWSSDKUtils.DetermineRegion(config.ServiceURL);
            }
            p["Region"] = region;
            p["UseFIPS"] = config.UseFIPSEndpoint;
            p["UseDualStack"] = config.UseDualstackEndpoint;
            p["Endpoint"] = string.IsNullOrEmpty(config.ServiceURL) ? null : config.ServiceURL;
            return p;
        }

        // The SDK's standard "defaults mode" table; Legacy is used when none is chosen.
        private static readonly IEnumerable<IDefaultConfiguration> DefaultConfigurations = new IDefaultConfiguration[]
        {
            Mode(DefaultConfigurationMode.Standard, 3100),
            Mode(DefaultConfigurationMode.InRegion, 1100),
            Mode(DefaultConfigurationMode.CrossRegion, 3100),
            Mode(DefaultConfigurationMode.Mobile, 30000),
            Mode(DefaultConfigurationMode.Auto, 1100),
        };

        private static IDefaultConfiguration Mode(DefaultConfigurationMode name, long connectMs) => new DefaultConfiguration
        {
            Name = name,
            RetryMode = RequestRetryMode.Standard,
            S3UsEast1RegionalEndpoint = S3UsEast1RegionalEndpointValue.Regional,
            ConnectTimeout = TimeSpan.FromMilliseconds(connectMs),
            TlsNegotiationTimeout = TimeSpan.FromMilliseconds(connectMs),
        };
    }
}
