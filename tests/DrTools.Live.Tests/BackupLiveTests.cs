using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Amazon.S3.Model;
using DrTools.Core.Backup;
using DrTools.Core.Connection;
using DrTools.TestSupport;
using Xunit;

namespace DrTools.LiveTests
{
    /// <summary>The S3 repository through the cmdlets against the live endpoint (moto or AWS), SDK defaults (SSE-S3, flexible checksums).</summary>
    public class BackupLiveTests
    {
        [LiveFact]
        public async Task Backup_test_restore_and_prune_on_an_S3_repository()
        {
            var bucket = Live.Name("bk");
            var s3 = new AwsClientFactory(Live.Connection()).S3();
            await s3.PutBucketAsync(new PutBucketRequest { BucketName = bucket });
            var root = Path.Combine(Path.GetTempPath(), "drtools-live-bk-" + Guid.NewGuid().ToString("N").Substring(0, 8));
            try
            {
                var src = Path.Combine(root, "Data");
                Directory.CreateDirectory(src);
                File.WriteAllText(Path.Combine(src, "a.txt"), "alpha");
                var big = new byte[1_500_000];
                new Random(3).NextBytes(big);
                File.WriteAllBytes(Path.Combine(src, "big.bin"), big);
                var repo = $"s3://{bucket}/fs01";
                var p = Live.Params();
                var r = PsHarness.Run($@"
$b = Invoke-DrBackup -Path {PsHarness.Quote(src)} -Repository {repo} {p}
$t = Get-DrBackup -Repository {repo} {p} -Latest | Test-DrRestore {p}
$v = Test-DrRestore -Repository {repo} {p} -VerifyOnly
$r = Get-DrBackup -Repository {repo} {p} -Latest | Restore-DrBackup {p} -Destination {PsHarness.Quote(Path.Combine(root, "out"))}
$b; $t; $v; $r");
                Assert.True(r.Terminating == null && r.Errors.Count == 0, r.Describe());
                var set = (BackupSet)r.Output[0].BaseObject;
                Assert.Equal((2L, 1_500_005L), (set.Files, set.Bytes));
                Assert.True(((RestoreTestResult)r.Output[1].BaseObject).Passed);
                Assert.True(((RestoreTestResult)r.Output[2].BaseObject).Passed);
                Assert.Equal(big, File.ReadAllBytes(Path.Combine(root, "out", "Data", "big.bin")));

                // Objects are encrypted at rest with SSE-S3 by default.
                var keys = (await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = "fs01/data/" })).S3Objects;
                var head = await s3.GetObjectMetadataAsync(bucket, keys!.First().Key);
                Assert.Equal("AES256", head.ServerSideEncryptionMethod?.Value);

                var rm = PsHarness.Run($"Get-DrBackup -Repository {repo} {p} | Remove-DrBackup {p} -NoGrace -Confirm:$false");
                Assert.True(rm.Terminating == null && rm.Errors.Count == 0, rm.Describe());
                // Every set removed: every pack (data and tree) goes, and with them the index.
                var pruned = (PruneResult)rm.Output.Single().BaseObject;
                Assert.Equal(keys.Count, pruned.PacksDeleted);
                Assert.InRange(pruned.ChunksDeleted, 2, 4);
                Assert.Empty((await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = "fs01/data/" })).S3Objects ?? new());
                Assert.Empty((await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = "fs01/index/" })).S3Objects ?? new());
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
