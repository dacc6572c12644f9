using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Diagnostics;
using DrTools.Core.Recovery.Engine;
using Xunit;

namespace DrTools.Core.Tests.Recovery
{
    public sealed class RecoveryEngineTests : IDisposable
    {
        static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
        readonly string _dir = Path.Combine(Path.GetTempPath(), "drtools-journal-" + Guid.NewGuid().ToString("N"));
        readonly RecoveryJournalStore _store;
        readonly RecordingReporter _reporter = new();

        public RecoveryEngineTests() => _store = new RecoveryJournalStore(_dir);

        public void Dispose()
        {
            try { Directory.Delete(_dir, true); } catch (IOException) { }
        }

        RecoveryEngine Engine() => new(_store, _reporter);

        static RecoveryRequest Request(params IRecoveryStep[] steps) => new()
        {
            PlanName = "orders", Strategy = "PILOT_LIGHT", RtoTarget = TimeSpan.FromHours(1), Steps = steps, DefaultStepTimeout = TimeSpan.FromSeconds(30),
        };

        static StepResult Step(RecoveryResult r, string id) => r.Steps.Single(s => s.StepId == id);

        [Fact]
        public async Task Each_step_records_its_wave_in_the_result_and_the_journal_for_reports()
        {
            var launch = new FakeStep("launch");
            var db = new FakeStep("db");
            var eip = new FakeStep("eip", "launch");
            var dns = new FakeStep("dns", "eip", "db");
            var result = await Engine().RunAsync(Request(dns, eip, launch, db), CancellationToken.None);
            Assert.True(result.Succeeded, result.ToString());
            Assert.Equal((1, 1, 2, 3), (Step(result, "launch").Wave, Step(result, "db").Wave, Step(result, "eip").Wave, Step(result, "dns").Wave));
            var journal = _store.Load("orders", result.RunId);
            Assert.Equal(new[] { ("launch", 1), ("db", 1), ("eip", 2), ("dns", 3) }, journal.Steps.Select(j => (j.Id, j.Wave)));
            // Found by run id alone, under its plan's folder (Export-DrReport -RunId without -Plan).
            Assert.Equal(result.RunId, _store.FindRun(result.RunId)?.RunId);
            Assert.Null(_store.FindRun("no-such-run"));
        }

        [Fact]
        public async Task Steps_run_after_their_dependencies_and_the_result_has_the_timeline()
        {
            var order = new ConcurrentQueue<string>();
            FakeStep Make(string id, params string[] deps)
            {
                var s = new FakeStep(id, deps);
                s.Work = async (ctx, ct) => { order.Enqueue("start " + id); await Task.Delay(5, ct); order.Enqueue("end " + id); return StepOutcome.Done(id + " ok", id + "-id"); };
                return s;
            }
            // Declared out of order on purpose.
            var dns = Make("dns", "eip", "db");
            var eip = Make("eip", "launch");
            var launch = Make("launch");
            var db = Make("db");
            var result = await Engine().RunAsync(Request(dns, eip, launch, db), CancellationToken.None);

            Assert.True(result.Succeeded, result.ToString());
            var log = order.ToList();
            int At(string e) => log.IndexOf(e);
            Assert.True(At("end launch") < At("start eip"));
            Assert.True(At("end eip") < At("start dns"));
            Assert.True(At("end db") < At("start dns"));
            Assert.Equal(new[] { "launch", "db", "eip", "dns" }, result.Steps.Select(s => s.StepId));
            var d = Step(result, "dns");
            Assert.Equal(StepStatus.Succeeded, d.Status);
            Assert.Equal(new[] { "dns-id" }, d.ResourceIds);
            Assert.Equal("dns ok", d.Message);
            Assert.NotNull(d.Started);
            Assert.True(d.Finished >= d.Started);
            Assert.Equal(d.Finished - d.Started, d.Duration);
            Assert.Equal("orders", result.Plan);
            Assert.Equal("PILOT_LIGHT", result.Strategy);
            Assert.True(result.RtoMet);
            Assert.Equal(result.Finished - result.Started, result.AchievedRto);
            Assert.Contains(_reporter.Verbose, v => v.StartsWith("Step dns started", StringComparison.Ordinal));
            Assert.Contains(_reporter.Verbose, v => v.StartsWith("Step dns succeeded", StringComparison.Ordinal));
        }

        [Fact]
        public async Task Independent_steps_run_in_parallel()
        {
            // Both must be running at the same time: each waits for a gate that opens only when both have started.
            var aStarted = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            var bStarted = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            var bothStarted = Task.WhenAll(aStarted.Task, bStarted.Task);
            var a = new FakeStep("a") { Work = FakeStep.Gated(aStarted, bothStarted) };
            var b = new FakeStep("b") { Work = FakeStep.Gated(bStarted, bothStarted) };
            var after = new FakeStep("after", "a", "b");

            var result = await Engine().RunAsync(Request(a, b, after), CancellationToken.None).WaitAsync(Patience);

            Assert.True(result.Succeeded, result.ToString());
            Assert.Equal(1, after.Executions);
            // One progress activity per running step, under the run's activity.
            var activities = _reporter.Progress.Where(p => p.ParentActivityId == 1000 && !p.Completed).Select(p => p.ActivityId).Distinct().Count();
            Assert.Equal(3, activities);
        }

        [Fact]
        public async Task MaxParallelism_bounds_how_many_steps_run_at_once()
        {
            var running = 0;
            var peak = 0;
            var steps = Enumerable.Range(1, 6).Select(i => new FakeStep("s" + i)
            {
                Work = async (ctx, ct) =>
                {
                    var now = Interlocked.Increment(ref running);
                    InterlockedMax(ref peak, now);
                    await Task.Delay(20, ct);
                    Interlocked.Decrement(ref running);
                    return StepOutcome.Done("ok");
                },
            }).ToArray<IRecoveryStep>();
            var result = await Engine().RunAsync(new RecoveryRequest { PlanName = "orders", Steps = steps, MaxParallelism = 2 }, CancellationToken.None);
            Assert.True(result.Succeeded);
            Assert.True(peak <= 2, $"peak {peak}");
        }

        static void InterlockedMax(ref int target, int value)
        {
            int current;
            while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current) { }
        }

        [Fact]
        public async Task A_failing_step_stops_its_dependents_while_running_independent_steps_finish()
        {
            var slowStarted = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            var release = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            // launch is still running when promote fails, and finishes only after the failure is recorded.
            _reporter.OnVerbose = line => { if (line.StartsWith("Step promote failed", StringComparison.Ordinal)) release.TrySetResult(true); };
            var promote = new FakeStep("promote") { Work = async (ctx, ct) => { await slowStarted.Task; throw new DrToolsException(ErrorIds.InvalidState, DrErrorCategory.InvalidOperation, "replica is not replicating"); } };
            var resize = new FakeStep("resize", "promote");
            var dns = new FakeStep("dns", "resize");
            var launch = new FakeStep("launch") { Work = FakeStep.Gated(slowStarted, release.Task) };
            var laterIndependent = new FakeStep("eip", "launch");

            var result = await Engine().RunAsync(Request(promote, resize, dns, launch, laterIndependent), CancellationToken.None).WaitAsync(Patience);

            Assert.False(result.Succeeded);
            Assert.False(result.RtoMet);
            var failed = Step(result, "promote");
            Assert.Equal(StepStatus.Failed, failed.Status);
            Assert.Equal(ErrorIds.InvalidState, failed.ErrorId);
            Assert.Contains("replica is not replicating", failed.Message);
            Assert.IsType<DrToolsException>(failed.Error);
            Assert.Equal(StepStatus.Succeeded, Step(result, "launch").Status); // was already running: it finishes
            Assert.Equal(StepStatus.NotStarted, Step(result, "resize").Status);
            Assert.Contains("depends on 'promote', which failed", Step(result, "resize").Message);
            Assert.Contains("depends on 'resize'", Step(result, "dns").Message);
            // Without ContinueOnError nothing new starts, not even independent steps.
            Assert.Equal(StepStatus.NotStarted, Step(result, "eip").Status);
            Assert.Contains("ContinueOnError", Step(result, "eip").Message);
            Assert.Equal(0, resize.Executions + dns.Executions + laterIndependent.Executions);
            Assert.Equal("1 done, 1 failed, 3 not started, 0 cancelled", result.Summary);
        }

        [Fact]
        public async Task No_step_starts_once_another_failed_even_when_the_failure_lands_while_the_engine_is_starting_it()
        {
            // "fail" waits at its gate while "first" finishes, which makes "second" ready. The gate opens just before the
            // engine starts "second", and the test waits until the failure is recorded: starting "second" must see it.
            var gate = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            var failureRecorded = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            _reporter.OnVerbose = line => { if (line.StartsWith("Step fail failed", StringComparison.Ordinal)) failureRecorded.TrySetResult(true); };
            var fail = new FakeStep("fail")
            {
                Work = async (ctx, ct) =>
                {
                    await gate.Task.WaitAsync(ct);
                    throw new DrToolsException(ErrorIds.InvalidState, DrErrorCategory.InvalidOperation, "replica is not replicating");
                },
            };
            var first = new FakeStep("first");
            var second = new FakeStep("second", "first");
            var engine = Engine();
            var failureSeenInTime = true;
            engine.BeforeStepStart = id =>
            {
                if (id != "second") return;
                gate.TrySetResult(true);
                failureSeenInTime = failureRecorded.Task.Wait(Patience);
            };

            var result = await engine.RunAsync(Request(fail, first, second), CancellationToken.None).WaitAsync(Patience);

            Assert.True(failureSeenInTime);
            Assert.Equal(StepStatus.Failed, Step(result, "fail").Status);
            Assert.Equal(StepStatus.Succeeded, Step(result, "first").Status);
            Assert.Equal(StepStatus.NotStarted, Step(result, "second").Status);
            Assert.Contains("after step 'fail' failed", Step(result, "second").Message);
            Assert.Equal(0, second.Checks + second.Executions);
            Assert.Null(Step(result, "second").Started);
        }

        [Fact]
        public async Task ContinueOnError_runs_the_independent_steps_but_never_the_dependents()
        {
            var promote = new FakeStep("promote") { Work = FakeStep.Fails() };
            var resize = new FakeStep("resize", "promote");
            var launch = new FakeStep("launch");
            var eip = new FakeStep("eip", "launch");
            var request = Request(promote, resize, launch, eip);
            request = new RecoveryRequest
            {
                PlanName = request.PlanName, Steps = request.Steps, ContinueOnError = true, MaxParallelism = 1,
            };
            var result = await Engine().RunAsync(request, CancellationToken.None);
            Assert.False(result.Succeeded);
            Assert.Equal(StepStatus.Failed, Step(result, "promote").Status);
            Assert.Equal(ErrorIds.NotFound, Step(result, "promote").ErrorId);
            Assert.Equal(StepStatus.NotStarted, Step(result, "resize").Status);
            Assert.Equal(StepStatus.Succeeded, Step(result, "launch").Status);
            Assert.Equal(StepStatus.Succeeded, Step(result, "eip").Status);
            Assert.Equal(0, resize.Executions);
            Assert.Null(result.RtoMet);
        }

        [Fact]
        public async Task Cancel_mid_run_then_resume_does_not_repeat_finished_steps()
        {
            using var cts = new CancellationTokenSource();
            var launch = new FakeStep("launch");
            var promoteStarted = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            var promote = new FakeStep("promote") { Work = FakeStep.Gated(promoteStarted, Task.Delay(Timeout.Infinite)) };
            var eip = new FakeStep("eip", "launch", "promote");
            _ = promoteStarted.Task.ContinueWith(_ => cts.Cancel(), TaskScheduler.Default);

            var request = Request(launch, promote, eip);
            var cancelled = await Assert.ThrowsAsync<RecoveryCancelledException>(() => Engine().RunAsync(request, cts.Token)).WaitAsync(Patience);
            var first = cancelled.Result;
            Assert.True(first.Cancelled);
            Assert.Equal(StepStatus.Succeeded, Step(first, "launch").Status);
            Assert.Equal(StepStatus.Cancelled, Step(first, "promote").Status);
            Assert.Equal(StepStatus.NotStarted, Step(first, "eip").Status);
            var journal = _store.Load("orders", first.RunId);
            Assert.Equal(RunState.Cancelled, journal.State);
            Assert.Equal(StepStatus.Cancelled, journal.Steps.Single(s => s.Id == "promote").Status);

            // Re-run with Resume (latest unfinished run of the plan): launch is not executed, nor even checked, again.
            promote.Work = (ctx, _) => Task.FromResult(StepOutcome.Done("promoted", "orders-db-dr"));
            var resumed = await Engine().RunAsync(new RecoveryRequest { PlanName = "orders", Steps = request.Steps, Resume = true }, CancellationToken.None);

            Assert.True(resumed.Succeeded, resumed.ToString());
            Assert.True(resumed.Resumed);
            Assert.Equal(first.RunId, resumed.RunId);
            Assert.Equal(first.Started, resumed.Started); // the RTO clock runs from the first attempt
            Assert.Equal(2, resumed.Attempt);
            Assert.Equal(1, launch.Executions);
            Assert.Equal(1, launch.Checks);
            Assert.Equal(2, promote.Executions);
            Assert.Equal(2, promote.LastContext!.Attempt);
            Assert.Equal(1, eip.Executions);
            Assert.Equal(Step(first, "launch").Finished, Step(resumed, "launch").Finished); // the timeline keeps the first attempt's times
            Assert.Equal(RunState.Succeeded, _store.Load("orders", first.RunId).State);
        }

        [Fact]
        public async Task Resume_after_a_crash_rechecks_the_step_that_was_running_and_keeps_outputs_of_finished_ones()
        {
            var launch = new FakeStep("launch") { Work = (ctx, _) => Task.FromResult(StepOutcome.Done("launched", "i-1", "i-2").WithOutput("instanceIds", "i-1,i-2")) };
            var eip = new FakeStep("eip", "launch") { Work = FakeStep.Fails() };
            var result = await Engine().RunAsync(Request(launch, eip), CancellationToken.None);
            Assert.False(result.Succeeded);

            // Simulate a process that died during "eip": the journal says Running.
            var path = _store.PathOf("orders", result.RunId);
            var journal = _store.Load("orders", result.RunId);
            journal.Steps.Single(s => s.Id == "eip").Status = StepStatus.Running;
            journal.State = RunState.Running;
            _store.Save(journal);

            string? seenOutputs = null;
            eip.AlreadyDone = ctx => { seenOutputs = ctx.OutputsOf("launch")["instanceIds"]; return StepOutcome.Done("address already on i-1", "eipassoc-1"); };
            var resumed = await Engine().RunAsync(new RecoveryRequest { PlanName = "orders", RunId = result.RunId, Resume = true, Steps = new IRecoveryStep[] { launch, eip } }, CancellationToken.None);

            Assert.True(resumed.Succeeded);
            Assert.Equal("i-1,i-2", seenOutputs);
            Assert.Equal(StepStatus.Skipped, Step(resumed, "eip").Status);
            Assert.StartsWith("Already done", Step(resumed, "eip").Message);
            Assert.Equal(1, eip.Executions); // only the failed attempt executed
            Assert.Equal(1, launch.Executions);
            Assert.Contains(_reporter.Warnings, w => w.Contains("interrupted while running"));
            Assert.True(File.Exists(path));
        }

        [Fact]
        public async Task The_journal_is_complete_json_after_every_save_and_no_temp_files_remain()
        {
            var saves = 0;
            _store.AfterSave = path =>
            {
                Interlocked.Increment(ref saves);
                using var doc = JsonDocument.Parse(File.ReadAllBytes(path)); // throws if torn
                Assert.Equal("orders", doc.RootElement.GetProperty("planName").GetString());
            };
            var observedRunning = false;
            var a = new FakeStep("a");
            a.Work = (ctx, _) =>
            {
                // While a step runs, a reader (e.g. a second console) sees it as Running.
                using var doc = JsonDocument.Parse(File.ReadAllBytes(_store.PathOf("orders", ctx.RunId)));
                observedRunning = doc.RootElement.GetProperty("steps").EnumerateArray()
                    .Any(s => s.GetProperty("id").GetString() == "a" && s.GetProperty("status").GetString() == "Running");
                return Task.FromResult(StepOutcome.Done("ok"));
            };
            var steps = new IRecoveryStep[] { a, new FakeStep("b", "a"), new FakeStep("c"), new FakeStep("d", "b", "c") };
            var result = await Engine().RunAsync(Request(steps), CancellationToken.None);

            Assert.True(result.Succeeded);
            Assert.True(observedRunning);
            Assert.True(saves >= 1 + 2 * 4 + 1, $"saves: {saves}"); // open, start+end per step, finish
            Assert.All(Directory.GetFiles(_dir, "*", SearchOption.AllDirectories), f => Assert.EndsWith(".json", f)); // no temporaries left
            var journal = _store.Load("orders", result.RunId);
            Assert.All(journal.Steps, s => Assert.Equal(StepStatus.Succeeded, s.Status));
            Assert.Equal(result.JournalPath, _store.PathOf("orders", result.RunId));
        }

        [Fact]
        public async Task A_fresh_run_skips_steps_whose_work_is_already_done()
        {
            var launch = new FakeStep("launch") { AlreadyDone = _ => StepOutcome.Done("2 instances tagged for this plan are running", "i-1", "i-2") };
            var eip = new FakeStep("eip", "launch");
            var first = await Engine().RunAsync(Request(launch, eip), CancellationToken.None);
            var second = await Engine().RunAsync(Request(launch, eip), CancellationToken.None); // a new run, new journal

            Assert.NotEqual(first.RunId, second.RunId);
            Assert.Equal(0, launch.Executions);
            Assert.Equal(2, launch.Checks);
            Assert.Equal(StepStatus.Skipped, Step(second, "launch").Status);
            Assert.Equal(new[] { "i-1", "i-2" }, Step(second, "launch").ResourceIds);
            Assert.True(second.Succeeded);
        }

        [Fact]
        public async Task Ctrl_C_stops_promptly_and_marks_the_running_steps_cancelled()
        {
            using var cts = new CancellationTokenSource();
            var started = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            var waitForever = new FakeStep("wait") { Work = FakeStep.Gated(started, Task.Delay(Timeout.Infinite)) };
            // A step that ignores its token: the engine still returns within the grace period.
            var stubbornStarted = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            var stubborn = new FakeStep("stubborn") { Work = async (ctx, _) => { stubbornStarted.TrySetResult(true); await Task.Delay(TimeSpan.FromMinutes(5)); return StepOutcome.Done("late"); } };
            var after = new FakeStep("after", "wait");
            var request = new RecoveryRequest { PlanName = "orders", Steps = new IRecoveryStep[] { waitForever, stubborn, after }, StopGracePeriod = TimeSpan.FromMilliseconds(200) };

            var run = Engine().RunAsync(request, cts.Token);
            await Task.WhenAll(started.Task, stubbornStarted.Task).WaitAsync(Patience);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            cts.Cancel();
            var ex = await Assert.ThrowsAsync<RecoveryCancelledException>(() => run).WaitAsync(Patience);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"took {clock.Elapsed}");

            Assert.Equal(StepStatus.Cancelled, Step(ex.Result, "wait").Status);
            Assert.Equal(StepStatus.Cancelled, Step(ex.Result, "stubborn").Status);
            Assert.Contains("did not stop", Step(ex.Result, "stubborn").Message);
            Assert.Equal(StepStatus.NotStarted, Step(ex.Result, "after").Status);
            Assert.Equal(0, after.Executions);
            var journal = _store.Load("orders", ex.Result.RunId);
            Assert.Equal(RunState.Cancelled, journal.State);
            Assert.Equal(StepStatus.Cancelled, journal.Steps.Single(s => s.Id == "wait").Status);
            Assert.Contains(ex.Result.RunId, ex.Message);
        }

        [Fact]
        public async Task A_step_that_runs_past_its_timeout_fails_with_DrTools_Timeout()
        {
            var slow = new FakeStep("slow") { Timeout = TimeSpan.FromMilliseconds(100), Work = async (ctx, ct) => { await Task.Delay(Timeout.Infinite, ct); return StepOutcome.Done("never"); } };
            var after = new FakeStep("after", "slow");
            var result = await Engine().RunAsync(Request(slow, after), CancellationToken.None).WaitAsync(Patience);

            var s = Step(result, "slow");
            Assert.Equal(StepStatus.Failed, s.Status);
            Assert.Equal(ErrorIds.Timeout, s.ErrorId);
            Assert.Equal(ErrorIds.Timeout, Assert.IsType<DrToolsException>(s.Error).ErrorId);
            Assert.Contains("did not finish within", s.Message);
            Assert.Equal(StepStatus.NotStarted, Step(result, "after").Status);
        }

        [Fact]
        public void Plan_lists_every_step_in_order_with_waves_and_executes_nothing()
        {
            var launch = new FakeStep("launch") { Kind = StepKind.LaunchInstances };
            var db = new FakeStep("promote") { Kind = StepKind.PromoteDatabase };
            var resize = new FakeStep("resize", "promote") { Kind = StepKind.ResizeDatabase };
            var eip = new FakeStep("eip", "launch") { Kind = StepKind.AssociateElasticIp };
            var dns = new FakeStep("dns", "eip", "resize") { Kind = StepKind.ChangeDns };
            var steps = new IRecoveryStep[] { dns, resize, eip, launch, db };

            var plan = RecoveryEngine.Plan("orders", steps, "PILOT_LIGHT");

            Assert.Equal(new[] { "launch", "promote", "resize", "eip", "dns" }, plan.Steps.Select(s => s.Id));
            Assert.Equal(new[] { 1, 1, 2, 2, 3 }, plan.Steps.Select(s => s.Wave));
            Assert.Equal(new[] { 1, 2, 3, 4, 5 }, plan.Steps.Select(s => s.Order));
            Assert.Equal(3, plan.WaveCount);
            Assert.Equal("dns-res", plan.Steps[4].Resources[0].Id);
            var lines = RecoveryPlanFormatter.Format(plan).ToList();
            Assert.Equal("Recovery plan 'orders' (PILOT_LIGHT): 5 steps in 3 waves; nothing has been changed.", lines[0]);
            Assert.Contains("Wave 1 (2 steps, run in parallel):", lines);
            Assert.Contains("  5. dns [ChangeDns] Fake step dns", lines);
            Assert.Contains("       after: eip, resize", lines);
            Assert.Contains("       create: AWS::Fake::Thing dns-res (us-west-2)", lines);
            Assert.All(steps.Cast<FakeStep>(), s => Assert.Equal(0, s.Executions + s.Checks));
            Assert.False(Directory.Exists(_dir)); // no journal either
        }

        [Fact]
        public async Task A_cycle_or_an_unknown_dependency_is_a_clear_error_before_anything_runs()
        {
            var a = new FakeStep("a", "c");
            var b = new FakeStep("b", "a");
            var c = new FakeStep("c", "b");
            var ex = Assert.Throws<DrToolsException>(() => RecoveryEngine.Plan("orders", new IRecoveryStep[] { a, b, c }));
            Assert.Equal(ErrorIds.InvalidRecoveryGraph, ex.ErrorId);
            Assert.Contains("cycle: a -> c -> b -> a", ex.Message);

            var ex2 = await Assert.ThrowsAsync<DrToolsException>(() => Engine().RunAsync(Request(new FakeStep("x", "nope"), new FakeStep("x")), CancellationToken.None));
            Assert.Equal(ErrorIds.InvalidRecoveryGraph, ex2.ErrorId);
            Assert.Contains("'x' depends on 'nope', which is not a step", ex2.Message);
            Assert.Contains("two steps have the id 'x'", ex2.Message);
            Assert.Equal(0, a.Executions + b.Executions + c.Executions);
            Assert.False(Directory.Exists(_dir));
        }

        [Fact]
        public async Task Resume_without_an_unfinished_run_is_an_error_and_a_new_run_warns_about_one()
        {
            var ex = await Assert.ThrowsAsync<DrToolsException>(() => Engine().RunAsync(new RecoveryRequest { PlanName = "orders", Steps = new[] { new FakeStep("a") }, Resume = true }, CancellationToken.None));
            Assert.Equal(ErrorIds.NotFound, ex.ErrorId);

            var failing = new FakeStep("a") { Work = FakeStep.Fails() };
            var first = await Engine().RunAsync(Request(failing), CancellationToken.None);
            await Engine().RunAsync(Request(new FakeStep("a")), CancellationToken.None);
            Assert.Contains(_reporter.Warnings, w => w.Contains($"unfinished run {first.RunId}"));
        }

        [Fact]
        public async Task Manual_approval_asks_through_the_callback_and_a_no_stops_the_dependents()
        {
            var questions = new List<string>();
            var answer = false;
            var approval = new ManualApprovalStep("approve-dns", "Is the primary fenced?", new[] { "launch" });
            var launch = new FakeStep("launch");
            var dns = new FakeStep("dns", "approve-dns");
            RecoveryRequest Make(bool resume, string? runId) => new()
            {
                PlanName = "orders", Steps = new IRecoveryStep[] { launch, approval, dns }, Resume = resume, RunId = runId,
                Approve = (q, ct) => { lock (questions) questions.Add(q); return Task.FromResult(answer); },
            };

            var declined = await Engine().RunAsync(Make(false, null), CancellationToken.None);
            Assert.Equal(new[] { "Is the primary fenced?" }, questions);
            Assert.Equal(StepStatus.Failed, Step(declined, "approve-dns").Status);
            Assert.Equal(ErrorIds.ApprovalDenied, Step(declined, "approve-dns").ErrorId);
            Assert.Equal(0, dns.Executions);

            answer = true;
            var approved = await Engine().RunAsync(Make(true, declined.RunId), CancellationToken.None);
            Assert.True(approved.Succeeded);
            Assert.Equal(2, questions.Count);
            Assert.Equal(1, dns.Executions);
            Assert.Equal(1, launch.Executions);

            var noAsker = await Engine().RunAsync(new RecoveryRequest { PlanName = "unattended", Steps = new IRecoveryStep[] { new ManualApprovalStep("ok", "go?") } }, CancellationToken.None);
            Assert.Equal(ErrorIds.ApprovalUnavailable, noAsker.Steps[0].ErrorId);
        }

        [Fact]
        public async Task An_unexpected_exception_is_recorded_as_a_failed_step_not_a_crash()
        {
            var bug = new FakeStep("bug") { Work = (_, _) => throw new NullReferenceException("oops") };
            var result = await Engine().RunAsync(Request(bug), CancellationToken.None);
            var s = Step(result, "bug");
            Assert.Equal(StepStatus.Failed, s.Status);
            Assert.Equal(ErrorIds.StepFailed, s.ErrorId);
            Assert.Contains("NullReferenceException: oops", s.Message);
        }

        [Fact]
        public void Client_tokens_are_stable_per_run_and_step_and_fit_ec2()
        {
            var a = new StepContext("orders", "run1", "launch");
            Assert.Equal(a.ClientToken, new StepContext("orders", "run1", "launch").ClientToken);
            Assert.NotEqual(a.ClientToken, new StepContext("orders", "run2", "launch").ClientToken);
            Assert.NotEqual(a.ClientToken, new StepContext("orders", "run1", "eip").ClientToken);
            Assert.True(a.ClientToken.Length <= 64);
        }
    }
}
