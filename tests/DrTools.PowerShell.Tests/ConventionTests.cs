using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Threading.Tasks;
using DrTools.Core.Backup;
using DrTools.Core.Backup.Storage;
using DrTools.Core.Plans;
using DrTools.Core.Recovery.Engine;
using DrTools.Core.RecoveryPoints;
using DrTools.TestSupport;
using Xunit;
using static DrTools.TestSupport.PsHarness;

namespace DrTools.PowerShell.Tests
{
    /// <summary>
    /// The PowerShell conventions admins rely on (issue 11): per-item errors are non-terminating, -Force only skips
    /// the confirmation, ids can be typed as prefixes, bad repositories say what a good one is. The test host cannot
    /// prompt (like a scheduled task): any confirmation it is asked for fails. What needs the Management and Utility
    /// modules (Get-Item piping, Format-Table widths) is in the Pester suite (tests/Pester/Conventions.*.Tests.ps1).
    /// </summary>
    public sealed class ConventionTests : IDisposable
    {
        const string Keys = "-AccessKey AKIDTEST -SecretKey TopSecretValue42";
        readonly string _root = Path.Combine(Path.GetTempPath(), "drtools-conv-" + Guid.NewGuid().ToString("N").Substring(0, 8));
        string Repo => Path.Combine(_root, "repo");

        public ConventionTests()
        {
            Directory.CreateDirectory(Path.Combine(_root, "Data"));
            File.WriteAllText(Path.Combine(_root, "Data", "a.txt"), "alpha");
            Directory.CreateDirectory(Path.Combine(_root, "Config"));
            File.WriteAllText(Path.Combine(_root, "Config", "c.txt"), "config");
        }

        public void Dispose()
        {
            try { Directory.Delete(_root, true); } catch (IOException) { }
        }

        Task<System.Collections.Generic.IReadOnlyList<string>> Ids() => BackupRepository.ListSetIdsAsync(new FolderStore(Repo), default);

        static void Ok(PsResult r) => Assert.True(r.Terminating == null && r.Errors.Count == 0, r.Describe());

        string Backup(string path = "Data")
        {
            var r = Run($"Invoke-DrBackup -Path {Quote(Path.Combine(_root, path))} -Repository {Quote(Repo)}");
            Ok(r);
            return ((BackupSet)r.Output.Single().BaseObject).Id;
        }

        // ---- errors: one bad item does not stop the pipeline; -ErrorAction works

        [Fact]
        public void Import_DrPlan_of_piped_paths_goes_on_after_a_bad_file_and_ErrorAction_applies()
        {
            var plans = Path.Combine(_root, "plans");
            Directory.CreateDirectory(plans);
            File.Copy(Path.Combine(RepoRoot, "docs", "examples", "plans", "pilot-light.json"), Path.Combine(plans, "a-pilot.json"));
            File.WriteAllText(Path.Combine(plans, "b-broken.json"), "{ not json");
            File.Copy(Path.Combine(RepoRoot, "docs", "examples", "plans", "warm-standby.json"), Path.Combine(plans, "c-warm.json"));

            var files = string.Join(", ", new[] { "a-pilot.json", "b-broken.json", "c-warm.json" }.Select(f => Quote(Path.Combine(plans, f))));
            var r = Run($"{files} | Import-DrPlan");
            Assert.Null(r.Terminating);
            Assert.Equal(2, r.Output.Count);
            Assert.StartsWith("DrTools.InvalidPlan", Assert.Single(r.Errors).FullyQualifiedErrorId);

            var silent = Run($"Import-DrPlan {Quote(Path.Combine(plans, "*.json"))} -ErrorAction SilentlyContinue");
            Assert.True(silent.Terminating == null && silent.Errors.Count == 0, silent.Describe());
            Assert.Equal(2, silent.Output.Count);

            var stop = Run($"{files} | Import-DrPlan -ErrorAction Stop");
            Assert.StartsWith("DrTools.InvalidPlan", stop.Terminating?.ErrorRecord.FullyQualifiedErrorId);
        }

        [Fact]
        public void Get_DrBackup_with_one_unknown_id_lists_the_others_and_writes_one_error()
        {
            var id = Backup();
            var r = Run($"Get-DrBackup -Repository {Quote(Repo)} -Id nosuchset, {id}");
            Assert.Null(r.Terminating);
            Assert.Equal(id, ((BackupSet)r.Output.Single().BaseObject).Id);
            var e = Assert.Single(r.Errors);
            Assert.StartsWith(BackupErrorIds.BackupSetNotFound, e.FullyQualifiedErrorId);
            Assert.Equal("nosuchset", e.TargetObject);
        }

        [Fact]
        public void A_backup_set_id_prefix_names_the_set_and_an_ambiguous_one_lists_the_candidates()
        {
            var first = Backup();
            var second = Backup("Config");
            var r = Run($"Get-DrBackup -Repository {Quote(Repo)} -Id {second.Substring(0, second.Length - 4)} | Restore-DrBackup -Destination {Quote(Path.Combine(_root, "out"))}");
            Ok(r);
            Assert.True(File.Exists(Path.Combine(_root, "out", "Config", "c.txt")));

            var common = new string(first.TakeWhile((c, i) => i < second.Length && second[i] == c).ToArray());
            var ambiguous = Run($"Test-DrRestore -Repository {Quote(Repo)} -Id {common}");
            var e = Assert.Single(ambiguous.AllErrors);
            Assert.StartsWith("DrTools.InvalidParameter", e.FullyQualifiedErrorId);
            Assert.Contains(first, e.ToString());
            Assert.Contains(second, e.ToString());
        }

        // ---- -Force skips the confirmation, and nothing else

        [Fact]
        public async Task Remove_DrBackup_Force_removes_without_a_prompt_in_a_host_that_cannot_ask()
        {
            var id = Backup();
            var asked = Run($"Remove-DrBackup -Repository {Quote(Repo)} -Id {id}");
            Assert.NotEmpty(asked.AllErrors); // ConfirmImpact High: the prompt fails in this host
            Assert.Contains(id, await Ids());

            var forced = Run($"Remove-DrBackup -Repository {Quote(Repo)} -Id {id} -Force");
            Ok(forced);
            Assert.Equal(new[] { id }, ((PruneResult)forced.Output.Single().BaseObject).RemovedSets);
            Assert.Empty(await Ids());
        }

        [Fact]
        public async Task Remove_DrBackup_Force_respects_a_live_backup_lock_and_IgnoreLock_overrides_it()
        {
            var keep = Backup("Config");
            var id = Backup();
            var repo = await BackupRepository.OpenAsync(new FolderStore(Repo), default);
            var running = await repo.AcquireLockAsync("backup", default);

            var forced = Run($"Remove-DrBackup -Repository {Quote(Repo)} -Id {id} -NoGrace -Force");
            Ok(forced);
            var result = (PruneResult)forced.Output.Single().BaseObject;
            Assert.NotNull(result.ChunkDeletionSkipped); // the running backup's chunks are safe
            Assert.Equal(0, result.ChunksDeleted);

            Backup(); // a set whose chunks are unreferenced once removed
            var again = Run($"Get-DrBackup -Repository {Quote(Repo)} | Where-Object Id -ne {Quote(keep)} | Remove-DrBackup -NoGrace -IgnoreLock -Force");
            Ok(again);
            Assert.Null(((PruneResult)again.Output.Single().BaseObject).ChunkDeletionSkipped);
            await repo.ReleaseLockAsync(running);
        }

        [Fact]
        public async Task WhatIf_with_Force_still_only_shows()
        {
            var id = Backup();
            var r = Run($"Remove-DrBackup -Repository {Quote(Repo)} -Id {id} -Force -WhatIf");
            Ok(r);
            Assert.Contains("What if:", r.HostText);
            Assert.Contains(id, await Ids());
        }

        // ---- Invoke-DrBackup paths as PowerShell passes them

        [Fact]
        public void Invoke_DrBackup_Path_expands_wildcards_and_LiteralPath_takes_brackets_as_typed()
        {
            var r = Run($"Invoke-DrBackup -Path {Quote(Path.Combine(_root, "Da*"))}, {Quote(Path.Combine(_root, "Conf*"))} -Repository {Quote(Repo)}");
            Ok(r);
            Assert.Equal(2L, ((BackupSet)r.Output.Single().BaseObject).Files);

            var odd = Path.Combine(_root, "logs[1]");
            Directory.CreateDirectory(odd);
            File.WriteAllText(Path.Combine(odd, "l.txt"), "log");
            var literal = Run($"Invoke-DrBackup -LiteralPath {Quote(odd)} -Repository {Quote(Repo)}");
            Ok(literal);
            Assert.Equal(1L, ((BackupSet)literal.Output.Single().BaseObject).Files);
        }

        [Fact]
        public void Invoke_DrBackup_with_a_missing_path_backs_up_the_others_and_reports_the_missing_one()
        {
            var r = Run($"Invoke-DrBackup -Path {Quote(Path.Combine(_root, "Data"))}, {Quote(Path.Combine(_root, "gone"))}, {Quote(Path.Combine(_root, "nomatch*"))} -Repository {Quote(Repo)}");
            Assert.Null(r.Terminating);
            Assert.Equal(1L, ((BackupSet)r.Output.Single().BaseObject).Files);
            Assert.Equal(2, r.Errors.Count);
            Assert.All(r.Errors, e => Assert.StartsWith(BackupErrorIds.SourceNotFound, e.FullyQualifiedErrorId));
        }

        // ---- tables, times, repository locations

        [Theory]
        [InlineData("s3://")]
        [InlineData("s3:/corp-dr/fs01")]
        [InlineData("ftp://files.example.com/dr")]
        [InlineData("https://corp-dr.s3.us-west-2.amazonaws.com/fs01")]
        [InlineData("s3://Corp Backups/fs01")]
        [InlineData("nosuchdrive:/dr")]
        public void A_bad_repository_location_is_a_DrTools_error_that_says_what_a_repository_is(string location)
        {
            var r = Run($"Get-DrBackup -Repository {Quote(location)}");
            var e = Assert.Single(r.AllErrors);
            Assert.StartsWith("DrTools.InvalidParameter", e.FullyQualifiedErrorId);
            Assert.Contains("s3://bucket/prefix", e.ErrorDetails.RecommendedAction);
        }

        // ---- Route 53, Test-DrRestore, approvals, -WhatIf without credentials

        [Fact]
        public void Get_DrTrafficWeight_without_a_plan_needs_no_region()
        {
            var zone = new FakeRoute53Zone();
            zone.Sites["onprem"] = (100, "192.0.2.10", "hc-onprem");
            zone.Healthy["hc-onprem"] = true;
            using var server = new FakeAwsServer(zone.Handle);
            var r = Run($"Get-DrTrafficWeight example.com www.example.com {Keys} -EndpointUrl {server.Url}",
                new System.Collections.Generic.Dictionary<string, object?> { ["StoredAWSRegion"] = null });
            Assert.DoesNotContain(r.AllErrors, e => e.FullyQualifiedErrorId.StartsWith("DrTools.NoRegion"));
            Ok(r);
            Assert.Single(r.Output);
        }

        [Fact]
        public void Test_DrRestore_WhatIf_restores_nothing()
        {
            Backup();
            var r = Run($"Get-DrBackup -Repository {Quote(Repo)} -Latest | Test-DrRestore -WhatIf");
            Ok(r);
            Assert.Empty(r.Output);
            Assert.Contains("What if:", r.HostText);
            Assert.Contains("scratch folder", r.HostText);
        }

        [Fact]
        public void Test_DrRestore_drill_WhatIf_launches_nothing()
        {
            var now = DateTime.UtcNow;
            using var aws = new FakeAwsServer(q => new FakeResponse(200,
                "<DescribeImagesResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"><requestId>r</requestId><imagesSet><item><imageId>ami-0abc</imageId>" +
                $"<imageState>available</imageState><name>n</name><creationDate>{now:yyyy-MM-ddTHH:mm:ss.fffZ}</creationDate><tagSet>" +
                "<item><key>DrTools:CreatedBy</key><value>DrTools</value></item><item><key>DrTools:Source</key><value>i-a</value></item>" +
                "<item><key>DrTools:Kind</key><value>Image</value></item></tagSet></item></imagesSet></DescribeImagesResponse>"));
            var r = Run($"Test-DrRestore -Kind Image -Id ami-0abc -SubnetId subnet-1 -Region us-east-1 -WhatIf -EndpointUrl {aws.Url} {Keys}");
            Ok(r);
            Assert.Contains("Launch an instance from AMI ami-0abc", r.HostText);
            Assert.DoesNotContain(aws.Requests, q => q.Action is "RunInstances" or "CreateVolume" or "RestoreDBInstanceFromDBSnapshot");
        }

        [Fact]
        public void A_recovery_WhatIf_needs_no_credentials_and_names_the_approvals()
        {
            var plan = Quote(Path.Combine(RepoRoot, "docs", "examples", "plans", "pilot-light.json"));
            var empty = Path.Combine(_root, "no-credentials");
            File.WriteAllText(empty, "");
            var r = Run($"Invoke-DrFailover -Plan {plan} -WhatIf -ProfileLocation {Quote(empty)} -Approve ChangeDns");
            // The profile location has no profile: resolving credentials would fail; -WhatIf calls no AWS API.
            Assert.DoesNotContain(r.AllErrors, e => e.FullyQualifiedErrorId.StartsWith("DrTools.NoCredentials"));
            Assert.Contains("Approval approve-change-dns: given in advance (-Approve)", r.HostText);

            var typo = Run($"Invoke-DrFailover -Plan {plan} -WhatIf -Approve ChangDns {Keys}");
            var e = Assert.Single(typo.AllErrors);
            Assert.StartsWith("DrTools.InvalidParameter", e.FullyQualifiedErrorId);
            Assert.Contains("approve-change-dns", e.ToString());
        }

        [Fact]
        public void An_approval_answered_with_Enter_is_No_and_Approve_gives_it_in_advance()
        {
            // The pilot-light example with its approval moved before the launch, the first step of the run.
            var json = File.ReadAllText(Path.Combine(RepoRoot, "docs", "examples", "plans", "pilot-light.json"))
                .Replace("\"before\": \"ChangeDns\"", "\"before\": \"LaunchInstances\"");
            Assert.Contains("\"before\": \"LaunchInstances\"", json);
            var plan = Path.Combine(_root, "orders.json");
            File.WriteAllText(plan, json);
            var journals = Quote(Path.Combine(_root, "journals"));

            using (var aws = new FakeAwsServer(FakeAws.Healthy))
            {
                var enter = Run($"Invoke-DrFailover -Plan {Quote(plan)} -Force -JournalPath {journals} -EndpointUrl {aws.Url} {Keys}", confirmAnswer: PressEnter);
                Assert.Contains("PROMPT:", enter.HostText);
                Assert.Contains(enter.AllErrors, e => e.FullyQualifiedErrorId.StartsWith("DrTools.ApprovalDenied"));
                Assert.DoesNotContain(aws.Requests, q => q.Action == "RunInstances");
            }
            using (var aws = new FakeAwsServer(FakeAws.Healthy))
            {
                var approved = Run($"Invoke-DrFailover -Plan {Quote(plan)} -Force -Approve LaunchInstances -JournalPath {journals} -EndpointUrl {aws.Url} {Keys}");
                Assert.DoesNotContain("PROMPT:", approved.HostText); // nobody was asked
                Assert.DoesNotContain(approved.AllErrors, e => e.FullyQualifiedErrorId.StartsWith("DrTools.Approval"));
                Assert.Contains(approved.Warnings, w => w.StartsWith("Approval given in advance by -Approve"));
            }
        }

        [Fact]
        public void Set_DrTrafficWeight_and_the_recovery_cmdlets_take_Force_and_the_renamed_overrides()
        {
            var r = Run("'Set-DrTrafficWeight','Remove-DrBackup','Restore-DrBackup','Invoke-DrFailback','New-DrPlan','Test-DrRestore','Invoke-DrFailover' | " +
                        "ForEach-Object { $k = [string[]]@((Get-Command $_).Parameters.Keys | Where-Object { $_ -in 'Force','OverrideSafety','IgnoreLock','Overwrite','SkipPrimaryCheck','Approve' }); [Array]::Sort($k); '{0}:{1}' -f $_, ($k -join ',') }");
            Ok(r);
            Assert.Equal(new[]
            {
                "Set-DrTrafficWeight:Force,OverrideSafety", "Remove-DrBackup:Force,IgnoreLock", "Restore-DrBackup:Force,Overwrite",
                "Invoke-DrFailback:Approve,Force,SkipPrimaryCheck", "New-DrPlan:Force,Overwrite", "Test-DrRestore:Force", "Invoke-DrFailover:Approve,Force",
            }, r.Output.Select(o => o.ToString()));
        }
    }
}
