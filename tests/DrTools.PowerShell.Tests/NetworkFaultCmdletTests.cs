using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Threading.Tasks;
using Amazon.S3.Model;
using DrTools.Core.Connection;
using DrTools.TestSupport;
using Xunit;
using static DrTools.TestSupport.PsHarness;

namespace DrTools.PowerShell.Tests
{
    /// <summary>-RequestTimeoutSec and -MaximumRetryCount as an admin uses them, against faults on loopback (issue 10, items 6 and 8).</summary>
    public class NetworkFaultCmdletTests
    {
        const string Keys = "-AccessKey AKIDTEST -SecretKey TopSecretValue42";

        static string NewSource(out string root)
        {
            root = Path.Combine(Path.GetTempPath(), "drtools-net-" + Guid.NewGuid().ToString("N").Substring(0, 8));
            var src = Path.Combine(root, "Data");
            Directory.CreateDirectory(src);
            for (var i = 0; i < 8; i++) File.WriteAllBytes(Path.Combine(src, $"f{i}.bin"), Enumerable.Range(0, 200_000 + i).Select(b => (byte)(b * (i + 3))).ToArray());
            return src;
        }

        [Fact]
        public void A_backup_to_an_endpoint_that_never_answers_stops_with_DrTools_Timeout_naming_the_endpoint()
        {
            using var silent = FlakyProxy.Silent();
            var src = NewSource(out var root);
            try
            {
                var r = Run($"Invoke-DrBackup -Path {Quote(src)} -Repository s3://nightly/fs01 -Region us-east-1 -EndpointUrl {silent.Url} {Keys} -S3Compatible -RequestTimeoutSec 1");

                var error = Assert.Single(r.AllErrors);
                Assert.StartsWith("DrTools.Timeout", error.FullyQualifiedErrorId);
                Assert.Equal(ErrorCategory.OperationTimeout, error.CategoryInfo.Category);
                Assert.Contains(silent.Authority, error.ToString());
                Assert.Contains("-RequestTimeoutSec (now 1 s)", error.ErrorDetails?.RecommendedAction ?? "");
                Assert.Empty(r.Output);
            }
            finally { Directory.Delete(root, true); }
        }

        [Fact]
        public void CtrlC_during_a_call_to_a_silent_endpoint_stops_the_pipeline_instead_of_reporting_a_timeout()
        {
            using var silent = FlakyProxy.Silent();
            var src = NewSource(out var root);
            try
            {
                var r = Run($"Invoke-DrBackup -Path {Quote(src)} -Repository s3://nightly/fs01 -Region us-east-1 -EndpointUrl {silent.Url} {Keys} -S3Compatible -RequestTimeoutSec 600",
                    stopAfter: TimeSpan.FromMilliseconds(700));

                Assert.IsType<PipelineStoppedException>(r.Terminating);
                Assert.Empty(r.Errors);
            }
            finally { Directory.Delete(root, true); }
        }

        [S3ServerFact]
        public async Task MaximumRetryCount_0_fails_on_the_first_5xx_answer_and_the_default_rides_it_out()
        {
            var s3 = new AwsClientFactory(S3Server.Connection()).S3();
            var bucket = S3Server.BucketName("psnet");
            await s3.PutBucketAsync(bucket);
            var src = NewSource(out var root);
            try
            {
                using var proxy = new FlakyProxy(S3Server.Endpoint) { FailEvery = 7 };
                var p = $"-Region us-east-1 -EndpointUrl {proxy.Url} -AccessKey {S3Server.AccessKey} -SecretKey {S3Server.SecretKey} -S3Compatible";

                var once = Run($"Invoke-DrBackup -Path {Quote(src)} -Repository s3://{bucket}/fs01 {p} -MaximumRetryCount 0");
                Assert.StartsWith("DrTools.ServiceError", Assert.Single(once.AllErrors).FullyQualifiedErrorId);

                var retried = Run($@"
Invoke-DrBackup -Path {Quote(src)} -Repository s3://{bucket}/fs01 {p} | Out-Null
Get-DrBackup -Repository s3://{bucket}/fs01 {p} -Latest | Restore-DrBackup {p} -Destination {Quote(Path.Combine(root, "out"))}");
                Assert.True(retried.Terminating == null && retried.Errors.Count == 0, retried.Describe());
                Assert.True(proxy.Faults > 1, "the proxy injected no faults into the second run");
                for (var i = 0; i < 8; i++)
                    Assert.Equal(File.ReadAllBytes(Path.Combine(src, $"f{i}.bin")), File.ReadAllBytes(Path.Combine(root, "out", "Data", $"f{i}.bin")));
            }
            finally
            {
                try { Directory.Delete(root, true); } catch (IOException) { }
                var left = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket });
                if (left.S3Objects is { Count: > 0 })
                    await s3.DeleteObjectsAsync(new DeleteObjectsRequest { BucketName = bucket, Objects = left.S3Objects.Select(o => new KeyVersion { Key = o.Key }).ToList() });
                await s3.DeleteBucketAsync(bucket);
            }
        }
    }
}
