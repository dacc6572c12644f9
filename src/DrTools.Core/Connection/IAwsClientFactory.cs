using Amazon.EC2;
using Amazon.S3;
using Amazon.SecurityToken;
using DrTools.Core.Aws.CloudWatch;
using DrTools.Core.Aws.Wire;

namespace DrTools.Core.Connection
{
    /// <summary>
    /// Creates service clients for one connection. A null region means the connection's own region; pass the DR
    /// region to work there with the same identity. Tests substitute fakes here.
    /// </summary>
    public interface IAwsClientFactory
    {
        AwsConnection Connection { get; }
        IAmazonS3 S3(string? region = null);
        IAmazonEC2 Ec2(string? region = null);
        IAmazonSecurityTokenService Sts(string? region = null);

        /// <summary>Route 53 is global: one endpoint per partition, chosen from the connection's region.</summary>
        Route53Client Route53();
        RdsClient Rds(string? region = null);
        AutoScalingClient AutoScaling(string? region = null);
        CloudWatchClient CloudWatch(string? region = null);
    }
}
