using System;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using Amazon.S3;
using Amazon.S3.Model;
using DrTools.Core.Aws.S3;
using DrTools.Core.Backup;
using DrTools.Core.Backup.Storage;
using DrTools.Core.Connection;
using DrTools.Core.Diagnostics;
using DrTools.TestSupport;
using Xunit;

namespace DrTools.Core.Tests.Backup
{
    /// <summary>The S3 repository against a real S3 server (Ceph RGW in CI).</summary>
    public class S3RepositoryTests
    {
        static IAmazonS3 Client(AwsConnection? c = null) => S3Server.Client(c);

        static Task<string> NewBucket() => S3Server.NewBucketAsync("bk");

        static Task DropBucket(string bucket) => S3Server.DropBucketAsync(bucket);

        static S3Store Store(string bucket, string prefix = "fs01/", AwsConnection? c = null) =>
            new(new S3Service(new AwsClientFactory(c ?? S3Server.Connection())), bucket, prefix, new S3StoreOptions { NoServerSideEncryption = true });

        [S3ServerFact]
        public async Task Backup_restore_verify_prune_and_copy_on_S3()
        {
            var bucket = await NewBucket();
            try
            {
                using var kit = new BackupTestKit();
                kit.Write("a.txt", Encoding.UTF8.GetBytes("alpha"));
                kit.Write("big.bin", BackupTestKit.Random(3_000_000, 61));
                var store = Store(bucket);
                var first = await kit.BackupAsync(store);
                Assert.Equal($"s3://{bucket}/fs01", first.Repository);
                Assert.Equal(3_000_005, first.NewBytes);

                kit.Write("a.txt", Encoding.UTF8.GetBytes("alpha v2"), DateTime.UtcNow);
                var second = await kit.BackupAsync(store);
                Assert.Equal(8, second.NewBytes);

                var repo = await BackupRepository.OpenAsync(store, default);
                Assert.Equal(new[] { first.Id, second.Id }, (await repo.ListSetIdsAsync(default)).ToArray());
                var m = await repo.ReadManifestAsync(second.Id, default);
                var restored = await new RestoreEngine(repo, kit.Reporter).RestoreAsync(m, new RestoreOptions { Destination = kit.Restore }, default);
                Assert.True(restored.Succeeded);
                Assert.Equal(File.ReadAllBytes(Path.Combine(kit.Source, "big.bin")), File.ReadAllBytes(Path.Combine(kit.Restore, "Data", "big.bin")));
                Assert.True((await new VerifyEngine(repo, kit.Reporter).VerifyAsync(m, 4, default)).Passed);

                // Objects are stored with SSE-S3 requested and their SHA-256 checksum.
                using (var s3 = Client())
                {
                    var chunk = m.Files.Single(f => f.Path == "Data/a.txt").Chunks.Single();
                    var index = await repo.LoadIndexAsync(kit.Reporter, default);
                    Assert.True(index.TryFind(chunk, out var at));
                    var head = await s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = bucket, Key = "fs01/" + DrTools.Core.Backup.Packs.PackWriter.PackKey(at.PackId) });
                    Assert.Equal(index.StoredPacks[at.PackId].Size, head.ContentLength);
                }

                var copyStore = Store(bucket, "dr-copy/");
                var copies = await new CopyEngine(repo, copyStore, kit.Reporter).CopyAsync(null, 4, null, default);
                Assert.Equal(2, copies.Count);
                Assert.Equal(0, copies[1].BytesCopied - 8);

                // RepackThreshold 0: rewrite the pack that held "alpha" (5 of its 3 MB unused) without it.
                var pruned = await new PruneEngine(repo, kit.Reporter).ExecuteAsync(new[] { first.Id }, true, new PruneOptions { GracePeriod = TimeSpan.Zero, RepackThreshold = 0 }, default);
                Assert.Equal((1, 1, 1), (pruned.ChunksDeleted, pruned.PacksRepacked, pruned.PacksDeleted));
                Assert.InRange(pruned.BytesFreed, 5L, 5_000L);
                Assert.True((await new VerifyEngine(repo, kit.Reporter).VerifyAsync(m, 4, default)).Passed);
                var copy = await BackupRepository.OpenAsync(copyStore, default);
                Assert.True((await new VerifyEngine(copy, kit.Reporter).VerifyAsync(await copy.ReadManifestAsync(first.Id, default), 4, default)).Passed);
            }
            finally
            {
                await DropBucket(bucket);
            }
        }

        [S3ServerFact]
        public async Task Wrong_credentials_are_InvalidCredentials()
        {
            var bucket = await NewBucket();
            try
            {
                var bad = S3Server.Connection(secretKey: "wrong-secret-key-0000");
                var ex = await Assert.ThrowsAsync<DrToolsException>(() => BackupRepository.OpenAsync(Store(bucket, c: bad), default));
                Assert.Equal(ErrorIds.InvalidCredentials, ex.ErrorId);
                Assert.DoesNotContain("wrong-secret-key-0000", ex.Message);
            }
            finally
            {
                await DropBucket(bucket);
            }
        }

        [S3ServerFact]
        public async Task Missing_bucket_is_RepositoryNotFound_for_reads_and_NotFound_for_backups()
        {
            using var kit = new BackupTestKit();
            kit.Write("a.txt", new byte[] { 1 });
            var store = Store(S3Server.BucketName("missing"));
            var open = await Assert.ThrowsAsync<DrToolsException>(() => BackupRepository.OpenAsync(store, default));
            Assert.Equal(BackupErrorIds.RepositoryNotFound, open.ErrorId);
            var backup = await Assert.ThrowsAsync<DrToolsException>(() => kit.BackupAsync(store));
            Assert.Equal(ErrorIds.NotFound, backup.ErrorId);
            Assert.True(backup.AwsErrorCode == "NoSuchBucket", backup.AwsErrorCode + ": " + backup.Message);
        }
    }
}
