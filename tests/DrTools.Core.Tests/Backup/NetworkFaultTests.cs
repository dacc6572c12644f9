using System;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Amazon.Runtime;
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
    /// <summary>
    /// Network faults between DrTools and an S3 repository (issue 10, items 6-8): an endpoint that never answers, bodies
    /// cut off mid-way, and a share of requests answered 500/503. Faults come from <see cref="FlakyProxy"/> on loopback.
    /// </summary>
    public class NetworkFaultTests
    {
        /// <summary>A hang would otherwise block the test run: fail instead, well above anything the code under test may take.</summary>
        static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(2);

        /// <summary>A connection through <paramref name="endpoint"/> with DrTools' defaults (no retry count unless given).</summary>
        static AwsConnection Through(string endpoint, TimeSpan? idle = null, int? retries = null) =>
            new ConnectionResolver().Resolve(new ConnectionRequest
            {
                Region = "us-east-1", EndpointUrl = endpoint,
                AccessKey = S3Server.Enabled ? S3Server.AccessKey : "AKIDFAKE", SecretKey = S3Server.Enabled ? S3Server.SecretKey : "fake-secret-key",
                S3ChecksumWhenRequired = true, IdleTimeout = idle, MaxErrorRetry = retries,
            });

        static S3Store Store(AwsConnection c, string bucket) =>
            new(new S3Service(new AwsClientFactory(c)), bucket, "fs01/", new S3StoreOptions { NoServerSideEncryption = true });

        static async Task<T> Bounded<T>(Task<T> work)
        {
            if (await Task.WhenAny(work, Task.Delay(HangGuard)) != work) throw new Xunit.Sdk.XunitException($"Still running after {HangGuard}: it hangs.");
            return await work;
        }

        [Fact]
        public void Every_client_gets_the_inactivity_limit_and_adaptive_retries_and_S3_gets_more_attempts()
        {
            var c = Through("http://127.0.0.1:9", idle: TimeSpan.FromSeconds(7));
            var factory = new AwsClientFactory(c);
            using var s3 = factory.S3();
            using var ec2 = factory.Ec2();
            using var rds = factory.Rds();
            foreach (var config in new IClientConfig[] { s3.Config, ec2.Config, rds.Config })
            {
                Assert.Equal(RequestRetryMode.Adaptive, config.RetryMode);
                Assert.Equal(TimeSpan.FromSeconds(7), Assert.IsType<IdleTimeoutHttpClientFactory>(config.HttpClientFactory).IdleTimeout);
            }
            Assert.Equal(AwsConnection.DataPathMaxErrorRetry, s3.Config.MaxErrorRetry);
            Assert.True(ec2.Config.MaxErrorRetry < AwsConnection.DataPathMaxErrorRetry);

            using var user = new AwsClientFactory(Through("http://127.0.0.1:9", retries: 0)).S3();
            Assert.Equal(0, user.Config.MaxErrorRetry);
            Assert.Equal(AwsConnection.DefaultIdleTimeout, Assert.IsType<IdleTimeoutHttpClientFactory>(user.Config.HttpClientFactory).IdleTimeout);
        }

        [Fact]
        public async Task A_backup_to_an_endpoint_that_never_answers_fails_with_Timeout_naming_the_endpoint()
        {
            using var silent = FlakyProxy.Silent();
            using var kit = new BackupTestKit();
            kit.Write("a.txt", new byte[] { 1, 2, 3 });
            // Default retry count (10 for S3): a dead endpoint must still fail after two timeouts, not eleven.
            var store = Store(Through(silent.Url, idle: TimeSpan.FromSeconds(1)), "bucket");

            var ex = await Assert.ThrowsAsync<DrToolsException>(() => Bounded(kit.BackupAsync(store)));

            Assert.Equal(ErrorIds.Timeout, ex.ErrorId);
            Assert.Equal(DrErrorCategory.OperationTimeout, ex.Category);
            Assert.Contains(silent.Authority, ex.Message);
            Assert.Contains("-RequestTimeoutSec", ex.RecommendedAction);
        }

        [Fact]
        public async Task Cancelling_a_call_to_a_silent_endpoint_is_cancellation_not_a_timeout()
        {
            using var silent = FlakyProxy.Silent();
            using var kit = new BackupTestKit();
            kit.Write("a.txt", new byte[] { 1, 2, 3 });
            var store = Store(Through(silent.Url, idle: TimeSpan.FromMinutes(5)), "bucket");
            using var cts = new CancellationTokenSource();

            var backup = kit.BackupAsync(store, cts.Token);
            while (silent.Connections == 0 && !backup.IsCompleted) await Task.Delay(20); // the request is in flight
            cts.Cancel();

            var ex = await Record.ExceptionAsync(() => Bounded(backup));
            Assert.IsAssignableFrom<OperationCanceledException>(ex);
        }

        [S3ServerFact]
        public async Task A_restore_whose_downloads_are_cut_off_mid_way_re_requests_the_rest_and_succeeds()
        {
            var bucket = await NewBucket();
            try
            {
                using var kit = new BackupTestKit();
                var big = BackupTestKit.Random(3_000_000, 5);
                kit.Write("big.bin", big);
                kit.Write("small.txt", new byte[] { 42 });
                var set = await kit.BackupAsync(Store(S3Server.Connection(), bucket));

                using var proxy = new FlakyProxy(S3Server.Endpoint) { CutBodyAfter = 1000, Cuts = 3 };
                var repo = await BackupRepository.OpenAsync(Store(Through(proxy.Url), bucket), default);
                var m = await repo.ReadManifestAsync(set.Id, default);
                var result = await Bounded(new RestoreEngine(repo, kit.Reporter).RestoreAsync(m, new RestoreOptions { Destination = kit.Restore }, default));

                Assert.True(result.Succeeded, string.Join("; ", result.Failures.Select(f => f.Error.Message)));
                Assert.Equal(3, proxy.BodiesCut);
                Assert.Equal(big, File.ReadAllBytes(Path.Combine(kit.Restore, "Data", "big.bin")));
            }
            finally { await DropBucket(bucket); }
        }

        [S3ServerFact]
        public async Task A_restore_whose_downloads_are_always_cut_off_fails_with_TransferInterrupted_naming_the_object()
        {
            var bucket = await NewBucket();
            try
            {
                using var kit = new BackupTestKit();
                kit.Write("big.bin", BackupTestKit.Random(2_000_000, 6));
                var set = await kit.BackupAsync(Store(S3Server.Connection(), bucket));

                using var proxy = new FlakyProxy(S3Server.Endpoint) { CutBodyAfter = 1000, Cuts = int.MaxValue };
                var ex = await Assert.ThrowsAsync<DrToolsException>(() => Bounded(Restore()));
                async Task<RestoreResult> Restore()
                {
                    var repo = await BackupRepository.OpenAsync(Store(Through(proxy.Url), bucket), default);
                    var m = await repo.ReadManifestAsync(set.Id, default);
                    var r = await new RestoreEngine(repo, kit.Reporter).RestoreAsync(m, new RestoreOptions { Destination = kit.Restore }, default);
                    // A per-file failure is as good as a thrown one, as long as it carries the id.
                    if (!r.Succeeded) throw r.Failures[0].Error;
                    return r;
                }

                Assert.Equal(ErrorIds.TransferInterrupted, ex.ErrorId);
                Assert.Contains($"s3://{bucket}/fs01/", ex.Message);
                Assert.Contains("broke off " + (ResumingReadStream.MaxResumes + 1) + " times", ex.Message);
            }
            finally { await DropBucket(bucket); }
        }

        [S3ServerFact]
        public async Task Backup_and_restore_through_15_percent_of_5xx_answers_succeed_with_the_default_retries()
        {
            var bucket = await NewBucket();
            try
            {
                using var kit = new BackupTestKit();
                for (var i = 0; i < 12; i++) kit.Write($"f{i}.bin", BackupTestKit.Random(300_000 + i, 100 + i));
                using var proxy = new FlakyProxy(S3Server.Endpoint, seed: 10) { FailShare = 0.15 };
                var store = Store(Through(proxy.Url), bucket);

                var set = await Bounded(kit.BackupAsync(store));
                var repo = await BackupRepository.OpenAsync(store, default);
                var m = await repo.ReadManifestAsync(set.Id, default);
                var result = await Bounded(new RestoreEngine(repo, kit.Reporter).RestoreAsync(m, new RestoreOptions { Destination = kit.Restore }, default));

                Assert.True(result.Succeeded, string.Join("; ", result.Failures.Select(f => f.Error.Message)));
                Assert.Equal(12, result.FilesRestored);
                Assert.True(proxy.Faults > 0, "the proxy injected no faults");
                for (var i = 0; i < 12; i++)
                    Assert.Equal(File.ReadAllBytes(Path.Combine(kit.Source, $"f{i}.bin")), File.ReadAllBytes(Path.Combine(kit.Restore, "Data", $"f{i}.bin")));
            }
            finally { await DropBucket(bucket); }
        }

        [S3ServerFact]
        public async Task With_retries_set_to_zero_the_first_5xx_answer_fails_the_backup()
        {
            var bucket = await NewBucket();
            try
            {
                using var kit = new BackupTestKit();
                for (var i = 0; i < 12; i++) kit.Write($"f{i}.bin", BackupTestKit.Random(300_000 + i, 100 + i));
                using var proxy = new FlakyProxy(S3Server.Endpoint) { FailEvery = 7 };

                var ex = await Assert.ThrowsAsync<DrToolsException>(() => Bounded(kit.BackupAsync(Store(Through(proxy.Url, retries: 0), bucket))));

                Assert.Equal(ErrorIds.ServiceError, ex.ErrorId);
                Assert.InRange(proxy.Faults, 1, 3); // the first fault ends it (a few uploads may be in flight)
            }
            finally { await DropBucket(bucket); }
        }

        static Task<string> NewBucket() => S3Server.NewBucketAsync("net");

        static Task DropBucket(string bucket) => S3Server.DropBucketAsync(bucket);
    }
}
