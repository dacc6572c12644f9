using System;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Aws.S3;
using DrTools.Core.Backup.Storage;
using DrTools.Core.Connection;
using DrTools.Core.Recovery.Engine;
using DrTools.TestSupport;
using Amazon.S3.Model;
using Xunit;

namespace DrTools.Core.Tests.Recovery
{
    /// <summary>
    /// The journal over the backup repository's stores: a run that fails a step resumes in a new engine (a new
    /// process, e.g. the next Azure Automation sandbox job) from the journal in a folder or an S3 prefix.
    /// </summary>
    public sealed class RecoveryJournalStoreTests
    {
        static RecoveryRequest Request(bool resume, params IRecoveryStep[] steps) => new()
        {
            PlanName = "orders", Strategy = "PILOT_LIGHT", RtoTarget = TimeSpan.FromHours(1), Steps = steps,
            DefaultStepTimeout = TimeSpan.FromSeconds(30), Resume = resume,
        };

        /// <summary>Runs launch -> eip with eip failing, then resumes in a new engine over a new store instance.</summary>
        static async Task<(RecoveryResult First, RecoveryResult Resumed)> FailThenResumeAsync(Func<RecoveryJournalStore> newStore)
        {
            var launch = new FakeStep("launch");
            var eip = new FakeStep("eip", "launch") { Work = FakeStep.Fails() };
            var first = await new RecoveryEngine(newStore()).RunAsync(Request(false, launch, eip), CancellationToken.None);
            Assert.False(first.Succeeded);

            eip.Work = (ctx, _) => Task.FromResult(StepOutcome.Done("associated", "eipassoc-1"));
            var resumed = await new RecoveryEngine(newStore()).RunAsync(Request(true, launch, eip), CancellationToken.None);
            Assert.True(resumed.Succeeded, resumed.ToString());
            Assert.True(resumed.Resumed);
            Assert.Equal(first.RunId, resumed.RunId);
            Assert.Equal(2, resumed.Attempt);
            Assert.Equal(1, launch.Executions); // finished before the failure: not run again
            Assert.Equal(2, eip.Executions);
            Assert.Equal(RunState.Succeeded, newStore().Load("orders", first.RunId).State);
            return (first, resumed);
        }

        [Fact]
        public async Task A_failed_run_resumes_from_a_journal_in_a_folder_store()
        {
            var dir = Path.Combine(Path.GetTempPath(), "drtools-journal-" + Guid.NewGuid().ToString("N"));
            try
            {
                var (first, resumed) = await FailThenResumeAsync(() => new RecoveryJournalStore(new FolderStore(dir)));
                var file = Path.Combine(dir, "orders", first.RunId + ".json");
                Assert.Equal(file, first.JournalPath);
                Assert.Equal(file, resumed.JournalPath);
                Assert.True(File.Exists(file));
                Assert.Equal(new[] { file }, Directory.GetFiles(dir, "*", SearchOption.AllDirectories)); // no temporaries left
            }
            finally
            {
                try { Directory.Delete(dir, true); } catch (IOException) { }
            }
        }

        [S3ServerFact]
        public async Task A_failed_run_resumes_from_a_journal_in_an_S3_prefix()
        {
            var bucket = await S3Server.NewBucketAsync("journal");
            try
            {
                RecoveryJournalStore NewStore() => new(new S3Store(new S3Service(new AwsClientFactory(S3Server.Connection())), bucket, "dr/journals/",
                    new S3StoreOptions { NoServerSideEncryption = true }));
                var (first, resumed) = await FailThenResumeAsync(NewStore);

                var key = $"dr/journals/orders/{first.RunId}.json";
                Assert.Equal($"s3://{bucket}/{key}", first.JournalPath);
                Assert.Equal(first.JournalPath, resumed.JournalPath);
                using var s3 = S3Server.Client();
                var listed = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket });
                Assert.Equal(new[] { key }, listed.S3Objects.Select(o => o.Key).ToArray());
            }
            finally
            {
                await S3Server.DropBucketAsync(bucket);
            }
        }

        [S3ServerFact]
        public async Task A_missing_run_in_an_S3_prefix_is_not_found()
        {
            var bucket = await S3Server.NewBucketAsync("journal");
            try
            {
                var store = new RecoveryJournalStore(new S3Store(new S3Service(new AwsClientFactory(S3Server.Connection())), bucket, "j/",
                    new S3StoreOptions { NoServerSideEncryption = true }));
                var ex = Assert.Throws<DrTools.Core.Diagnostics.DrToolsException>(() => store.Load("orders", "20260101-000000-abcd"));
                Assert.Equal(DrTools.Core.Diagnostics.ErrorIds.NotFound, ex.ErrorId);
                Assert.Null(store.FindLatestUnfinished("orders"));
            }
            finally
            {
                await S3Server.DropBucketAsync(bucket);
            }
        }
    }
}
