using System;
using System.Collections.Generic;
using System.Linq;
using DrTools.Core.Recovery.Engine;
using DrTools.Core.Reports;
using DrTools.TestSupport;
using Xunit;

namespace DrTools.Core.Tests.Reports
{
    public class ReportBuilderTests
    {
        static DrReport Build(ReportInputs inputs, bool redact = false) => ReportBuilder.Build(inputs, ReportSamples.Options(redact));

        static ReportInputs With(params object[] items)
        {
            var inputs = new ReportInputs();
            foreach (var i in items) Assert.True(inputs.Add(i));
            return inputs;
        }

        [Fact]
        public void A_failover_gives_steps_by_wave_with_offsets_durations_and_the_RTO_against_its_target()
        {
            var report = Build(With(ReportSamples.Failover()));
            var run = Assert.Single(report.Runs);
            Assert.Equal("Recovery", run.Kind);
            Assert.Equal("Succeeded", run.Outcome);
            Assert.Equal(TimeSpan.FromMinutes(22), run.Rto.Achieved);
            Assert.Equal(TimeSpan.FromMinutes(30), run.Rto.Target);
            Assert.True(run.Rto.Met);
            Assert.Equal(0.7333, run.Rto.Ratio);
            Assert.Equal(new[] { 1, 2, 3, 4 }, run.Waves.Select(w => w.Number));
            Assert.Equal(new[] { "promote-db", "launch-web" }, run.Waves[0].StepIds);
            // A wave lasts from its first start to its last finish.
            Assert.Equal(TimeSpan.FromMinutes(9), run.Waves[0].Duration);
            Assert.Equal(TimeSpan.FromMinutes(5), run.Waves[2].Duration);
            var dns = run.Steps.Single(s => s.Id == "change-dns");
            Assert.Equal(TimeSpan.FromMinutes(17), dns.Offset);
            Assert.Equal(TimeSpan.FromMinutes(5), dns.Duration);
            Assert.Equal("Approval", run.Steps.Single(s => s.Id == "approve-dns").Marker);
            Assert.Equal("Wait", run.Steps.Single(s => s.Id == "wait-web").Marker);
            // Regions come from the resources the steps touched (Route 53 has none).
            Assert.Equal(new[] { "us-west-2" }, run.Regions);
            Assert.Equal("Passed", report.Result);
            Assert.Empty(report.Problems);
            // Times are shown in the report's zone, with its offset.
            Assert.Equal(TimeSpan.FromHours(2), run.Started.Offset);
            Assert.Equal(ReportSamples.T0, run.Started);
        }

        [Fact]
        public void A_run_that_succeeded_after_the_RTO_missed_it_and_a_failed_run_never_meets_it()
        {
            var slow = Build(With(ReportSamples.Failover(minutes: 34))).Runs.Single();
            Assert.Equal("Succeeded", slow.Outcome);
            Assert.False(slow.Rto.Met);
            var failed = Build(With(ReportSamples.Failover(succeeded: false)));
            var run = failed.Runs.Single();
            Assert.Equal("Failed", run.Outcome);
            Assert.False(run.Rto.Met);
            Assert.Equal("Failed", failed.Result);
            Assert.Contains(failed.Problems, p => p.Contains("failed") && p.Contains("20260314T020000Z-a1b2c3"));
            var notStarted = run.Steps.Single(s => s.Id == "notify");
            Assert.Equal("NotStarted", notStarted.Status);
            Assert.Null(notStarted.Offset);
            Assert.Equal("DrTools.AccessDenied", run.Steps.Single(s => s.Id == "change-dns").ErrorId);
        }

        [Fact]
        public void Exactly_on_the_target_is_met()
        {
            var run = Build(With(ReportSamples.Failover(minutes: 30))).Runs.Single();
            Assert.True(run.Rto.Met);
            Assert.Equal(1.0, run.Rto.Ratio);
        }

        [Fact]
        public void Journals_without_waves_get_waves_inferred_from_step_times()
        {
            var t0 = ReportSamples.T0;
            var journal = new RecoveryJournal
            {
                PlanName = "orders", RunId = "old-run", RtoTarget = TimeSpan.FromMinutes(30), Started = t0, Updated = t0.AddMinutes(20), Finished = t0.AddMinutes(20),
                State = RunState.Succeeded,
                Steps =
                {
                    new JournalStep { Id = "a", Status = StepStatus.Succeeded, Started = t0, Finished = t0.AddMinutes(5) },
                    new JournalStep { Id = "b", Status = StepStatus.Succeeded, Started = t0.AddSeconds(1), Finished = t0.AddMinutes(8) },
                    new JournalStep { Id = "c", Status = StepStatus.Succeeded, Started = t0.AddMinutes(8), Finished = t0.AddMinutes(15) },
                    new JournalStep { Id = "d", Status = StepStatus.Succeeded, Started = t0.AddMinutes(9), Finished = t0.AddMinutes(20) },
                    new JournalStep { Id = "e", Status = StepStatus.NotStarted },
                },
            };
            var run = Build(With(journal)).Runs.Single();
            Assert.Equal(new[] { 1, 1, 2, 2, 3 }, run.Steps.Select(s => s.Wave));
            Assert.All(run.Waves, w => Assert.True(w.Inferred));
            Assert.Equal(TimeSpan.FromMinutes(20), run.Rto.Achieved);
            Assert.True(run.Rto.Met);
            Assert.Equal("Journal", run.Source);
        }

        [Fact]
        public void A_journal_still_running_has_no_achieved_RTO()
        {
            var t0 = ReportSamples.T0;
            var journal = new RecoveryJournal { PlanName = "orders", RunId = "r", RtoTarget = TimeSpan.FromMinutes(30), Started = t0, Updated = t0.AddMinutes(50), State = RunState.Running };
            var run = Build(With(journal)).Runs.Single();
            Assert.Equal("Running", run.Outcome);
            Assert.Null(run.Rto.Achieved);
            Assert.Null(run.Rto.Met);
            Assert.Null(run.Finished);
        }

        [Fact]
        public void A_run_piped_as_a_result_and_read_from_its_journal_is_shown_once()
        {
            var result = ReportSamples.Failover();
            var journal = new RecoveryJournal { PlanName = result.Plan, RunId = result.RunId, Started = result.Started, Updated = result.Finished, Finished = result.Finished, State = RunState.Succeeded };
            var run = Build(With(result, journal)).Runs.Single();
            Assert.NotEmpty(run.Steps.SelectMany(s => s.Resources));
        }

        [Fact]
        public void A_drill_has_RPO_per_component_validation_cleanup_and_leftovers()
        {
            var report = Build(With(ReportSamples.Drill()));
            var run = report.Runs.Single();
            Assert.Equal("Drill", run.Kind);
            Assert.Equal("failover", run.Scenario);
            Assert.False(run.Rpo.Met);
            Assert.Equal(TimeSpan.FromMinutes(75), run.Rpo.Achieved);
            var d = run.Drill!;
            Assert.Equal(new bool?[] { false, true }, d.Rpo.Select(c => c.Met));
            Assert.Equal(new[] { true, false }, d.Validation.Select(v => v.Passed));
            Assert.Equal(TimeSpan.FromSeconds(3), d.Validation[1].Duration);
            Assert.False(d.CleanedUp);
            Assert.Equal("vol-0abcabcabcabc0001", d.Leftovers.Single().Id);
            // Drill steps carry no waves: inferred from the times (restore-db and launch-web ran together, probe after launch-web ended).
            Assert.Equal(new[] { 1, 1, 2 }, run.Steps.Select(s => s.Wave));
            Assert.Contains(report.Problems, p => p.Contains("RPO"));
            Assert.Contains(report.Problems, p => p.Contains("validations failed"));
            Assert.Contains(report.Problems, p => p.Contains("left 1 resource"));
        }

        [Fact]
        public void Several_runs_of_a_plan_give_a_trend_oldest_first_with_met_counts_best_worst_and_last_change()
        {
            var inputs = With(
                ReportSamples.Failover("r3", ReportSamples.T0.AddDays(2), minutes: 20),
                ReportSamples.Failover("r1", ReportSamples.T0, minutes: 25),
                ReportSamples.Failover("r2", ReportSamples.T0.AddDays(1), minutes: 34));
            var trend = Build(inputs).Trends.Single();
            Assert.Equal("orders", trend.Plan);
            Assert.Equal(new[] { "r1", "r2", "r3" }, trend.Points.Select(p => p.RunId));
            Assert.Equal(2, trend.RtoMetCount);
            Assert.Equal(1, trend.RtoMissedCount);
            Assert.Equal(TimeSpan.FromMinutes(20), trend.BestRto);
            Assert.Equal(TimeSpan.FromMinutes(34), trend.WorstRto);
            Assert.Equal(TimeSpan.FromMinutes(-14), trend.LastChange);
            Assert.Empty(Build(With(ReportSamples.Failover())).Trends);
        }

        [Fact]
        public void A_failed_run_is_in_the_trend_but_not_in_best_or_worst_recovery_time()
        {
            var trend = Build(With(ReportSamples.Failover("r1", ReportSamples.T0, minutes: 25), ReportSamples.Failover("r2", ReportSamples.T0.AddDays(1), succeeded: false))).Trends.Single();
            Assert.Equal(2, trend.Points.Count);
            Assert.Equal(TimeSpan.FromMinutes(25), trend.WorstRto);
            Assert.Null(trend.LastChange);
        }

        [Fact]
        public void Backups_give_the_newest_usable_age_per_source_against_the_RPO_and_the_last_verified_restore()
        {
            var inputs = new ReportInputs();
            inputs.RecoveryPoints.AddRange(ReportSamples.RecoveryPoints());
            inputs.BackupSets.AddRange(ReportSamples.BackupSets());
            inputs.RestoreTests.AddRange(ReportSamples.RestoreTests());
            var report = Build(inputs);
            var db = report.Backups.Single(b => b.Source == "orders-db");
            Assert.Equal(2, db.Count);
            Assert.Equal("orders-db-2026-03-14-0245", db.NewestId);
            // Now (06:00) minus the newest snapshot's data time (02:45).
            Assert.Equal(TimeSpan.FromMinutes(195), db.Age);
            Assert.True(db.RpoMet);
            Assert.Equal(100L << 30, db.SizeBytes);
            Assert.Equal("Drill", db.LastVerifiedRestore!.Mode);
            var image = report.Backups.Single(b => b.Kind == "Image");
            Assert.False(image.RpoMet);
            Assert.Null(image.LastVerifiedRestore);
            var files = report.Backups.Single(b => b.Kind == "Files");
            Assert.Equal("fs01: /data", files.Source);
            Assert.Equal(TimeSpan.FromHours(5), files.Age);
            Assert.True(files.LastVerifiedRestore!.Passed);
            Assert.Contains(report.Problems, p => p.StartsWith("RPO missed: Image of i-0123456789abcdef0", StringComparison.Ordinal));
            Assert.Equal(2, report.RestoreTests.Count);
        }

        [Fact]
        public void Readiness_checks_that_are_not_ready_fail_the_report()
        {
            var inputs = new ReportInputs();
            inputs.Readiness.AddRange(ReportSamples.Readiness());
            var report = Build(inputs);
            Assert.Equal(3, report.Readiness.Count);
            Assert.Equal("Failed", report.Result);
            Assert.Contains("1 of 3 readiness checks are not ready.", report.Problems);
            // Route 53's "global" is not a region.
            Assert.Equal(new[] { "us-west-2" }, report.Regions);
        }

        [Fact]
        public void Objects_that_are_not_report_inputs_are_refused()
        {
            var inputs = new ReportInputs();
            Assert.False(inputs.Add("a string"));
            Assert.False(inputs.Add(42));
            Assert.True(inputs.IsEmpty);
            Assert.True(inputs.Add(new RecoveryCancelledException(ReportSamples.Failover(), default)));
            Assert.Single(inputs.Recoveries);
        }

        [Fact]
        public void Who_ran_it_and_the_identity_note_are_in_the_report()
        {
            var options = ReportSamples.Options();
            options.Account = options.Arn = options.UserId = null;
            options.Notes.Add("The AWS caller identity was not checked: no credentials.");
            var report = ReportBuilder.Build(With(ReportSamples.Failover()), options);
            Assert.Equal("dradmin", report.RanBy.OsUser);
            Assert.Equal("jump01", report.RanBy.Machine);
            Assert.Null(report.RanBy.Arn);
            Assert.Contains(report.Notes, n => n.Contains("no credentials"));
        }
    }
}
