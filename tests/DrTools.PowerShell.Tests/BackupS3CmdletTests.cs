using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Amazon.S3.Model;
using DrTools.Core.Backup;
using DrTools.Core.Connection;
using DrTools.TestSupport;
using Xunit;
using static DrTools.TestSupport.PsHarness;

namespace DrTools.PowerShell.Tests
{
    /// <summary>The backup cmdlets against a real S3-compatible server (Ceph RGW in CI) with -S3Compatible.</summary>
    public class BackupS3CmdletTests
    {
        [S3ServerFact]
        public async Task Runbook_on_S3_and_copy_to_a_second_bucket()
        {
            var s3 = new AwsClientFactory(S3Server.Connection()).S3();
            var bucket = S3Server.BucketName("ps");
            var drBucket = S3Server.BucketName("psdr");
            await s3.PutBucketAsync(bucket);
            await s3.PutBucketAsync(drBucket);
            var root = Path.Combine(Path.GetTempPath(), "drtools-s3ps-" + Guid.NewGuid().ToString("N").Substring(0, 8));
            try
            {
                var src = Path.Combine(root, "Data");
                Directory.CreateDirectory(src);
                File.WriteAllText(Path.Combine(src, "a.txt"), "alpha");
                var p = S3Server.Params;
                var r = Run($@"
$b = Invoke-DrBackup -Path {Quote(src)} -Repository s3://{bucket}/fs01 {p}
$t = Get-DrBackup -Repository s3://{bucket}/fs01 {p} -Latest | Test-DrRestore {p}
$c = Get-DrBackup -Repository s3://{bucket}/fs01 {p} | Copy-DrBackup -Destination s3://{drBucket}/fs01 {p}
$r = Restore-DrBackup -Repository s3://{drBucket}/fs01 {p} -Destination {Quote(Path.Combine(root, "out"))}
$b; $t; $c; $r");
                Assert.True(r.Terminating == null && r.Errors.Count == 0, r.Describe());
                Assert.True(((RestoreTestResult)r.Output[1].BaseObject).Passed);
                Assert.Equal(1, ((CopyResult)r.Output[2].BaseObject).ChunksCopied);
                Assert.Equal("alpha", File.ReadAllText(Path.Combine(root, "out", "Data", "a.txt")));

                var bad = Run($"Get-DrBackup -Repository s3://{bucket}/fs01 -Region us-east-1 -EndpointUrl {S3Server.Endpoint} -AccessKey {S3Server.AccessKey} -SecretKey wrong-secret-0000 -S3Compatible");
                var e = Assert.Single(bad.AllErrors);
                Assert.StartsWith("DrTools.InvalidCredentials", e.FullyQualifiedErrorId);
                Assert.DoesNotContain("wrong-secret-0000", e.ToString());

                var missing = Run($"Get-DrBackup -Repository s3://{bucket}-nope/fs01 {p}");
                Assert.StartsWith("DrTools.RepositoryNotFound", Assert.Single(missing.AllErrors).FullyQualifiedErrorId);
            }
            finally
            {
                try { Directory.Delete(root, true); } catch (IOException) { }
                foreach (var b in new[] { bucket, drBucket })
                {
                    var left = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = b });
                    if (left.S3Objects is { Count: > 0 })
                        await s3.DeleteObjectsAsync(new DeleteObjectsRequest { BucketName = b, Objects = left.S3Objects.Select(o => new KeyVersion { Key = o.Key }).ToList() });
                    await s3.DeleteBucketAsync(b);
                }
            }
        }
    }
}
