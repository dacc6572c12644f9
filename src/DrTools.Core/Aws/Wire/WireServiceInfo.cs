using System.Collections.Generic;

namespace DrTools.Core.Aws.Wire
{
    /// <summary>Static facts about one AWS service, taken from its API model (botocore service-2.json metadata).</summary>
    public sealed class WireServiceInfo
    {
        public WireServiceInfo(string serviceId, string endpointPrefix, string signingName, string apiVersion,
            IReadOnlyDictionary<string, GlobalEndpoint>? globalEndpoints = null)
        {
            ServiceId = serviceId;
            EndpointPrefix = endpointPrefix;
            SigningName = signingName;
            ApiVersion = apiVersion;
            GlobalEndpoints = globalEndpoints ?? new Dictionary<string, GlobalEndpoint>();
        }

        /// <summary>Model "serviceId" (used in the user agent and by GlobalEndpoints.Provider).</summary>
        public string ServiceId { get; }
        /// <summary>Host label: https://{EndpointPrefix}.{region}.{dnsSuffix}.</summary>
        public string EndpointPrefix { get; }
        /// <summary>SigV4 service name in the credential scope.</summary>
        public string SigningName { get; }
        public string ApiVersion { get; }
        /// <summary>Partition name (aws, aws-cn, aws-us-gov...) to fixed host + signing region, for global services.</summary>
        public IReadOnlyDictionary<string, GlobalEndpoint> GlobalEndpoints { get; }
    }

    /// <summary>A global (partition-wide) endpoint such as Route 53's.</summary>
    public sealed class GlobalEndpoint
    {
        public GlobalEndpoint(string url, string signingRegion) { Url = url; SigningRegion = signingRegion; }
        public string Url { get; }
        public string SigningRegion { get; }
    }

    /// <summary>The three services DrTools needs that have no AWSSDK package on our mirror.</summary>
    public static class AwsServices
    {
        public static readonly WireServiceInfo Rds = new WireServiceInfo("RDS", "rds", "rds", "2014-10-31");

        public static readonly WireServiceInfo AutoScaling =
            new WireServiceInfo("Auto Scaling", "autoscaling", "autoscaling", "2011-01-01");

        // Same table as the SDK's generated AmazonRoute53EndpointProvider (note cn signs for cn-northwest-1).
        public static readonly WireServiceInfo Route53 = new WireServiceInfo("Route 53", "route53", "route53", "2013-04-01",
            new Dictionary<string, GlobalEndpoint>
            {
                ["aws"] = new GlobalEndpoint("https://route53.amazonaws.com", "us-east-1"),
                ["aws-cn"] = new GlobalEndpoint("https://route53.amazonaws.com.cn", "cn-northwest-1"),
                ["aws-us-gov"] = new GlobalEndpoint("https://route53.us-gov.amazonaws.com", "us-gov-west-1"),
            });
    }
}
