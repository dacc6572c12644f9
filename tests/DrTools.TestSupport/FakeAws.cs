using System;

namespace DrTools.TestSupport
{
    /// <summary>Canned answers of a healthy account for the probe calls every service gets.</summary>
    public static class FakeAws
    {
        public static FakeResponse Healthy(FakeRequest r) => r.Service switch
        {
            "sts" => FakeAwsServer.CallerIdentity(),
            "s3" => new FakeResponse(200, "<ListAllMyBucketsResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Owner><ID>owner</ID></Owner><Buckets></Buckets></ListAllMyBucketsResult>", "application/xml"),
            "ec2" => new FakeResponse(200, "<DescribeAvailabilityZonesResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"><requestId>fake-request-id</requestId><availabilityZoneInfo><item><zoneName>us-east-1a</zoneName><zoneState>available</zoneState><regionName>us-east-1</regionName></item></availabilityZoneInfo></DescribeAvailabilityZonesResponse>"),
            "route53" => new FakeResponse(200, "<ListHostedZonesResponse xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\"><HostedZones></HostedZones><IsTruncated>false</IsTruncated><MaxItems>1</MaxItems></ListHostedZonesResponse>"),
            "rds" => new FakeResponse(200, "<DescribeDBInstancesResponse xmlns=\"http://rds.amazonaws.com/doc/2014-10-31/\"><DescribeDBInstancesResult><DBInstances></DBInstances></DescribeDBInstancesResult><ResponseMetadata><RequestId>fake-request-id</RequestId></ResponseMetadata></DescribeDBInstancesResponse>"),
            "autoscaling" => new FakeResponse(200, "<DescribeAutoScalingGroupsResponse xmlns=\"http://autoscaling.amazonaws.com/doc/2011-01-01/\"><DescribeAutoScalingGroupsResult><AutoScalingGroups></AutoScalingGroups></DescribeAutoScalingGroupsResult><ResponseMetadata><RequestId>fake-request-id</RequestId></ResponseMetadata></DescribeAutoScalingGroupsResponse>"),
            _ => FakeAwsServer.QueryError(400, "UnknownOperation", "The fake endpoint has no answer for " + r.Service + " " + r.Method + " " + r.Path),
        };
    }
}
