using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Aws.CloudWatch;
using DrTools.Core.Connection;
using DrTools.Core.Diagnostics;
using DrTools.Core.Drills;
using DrTools.Core.Notifications;
using DrTools.Core.Plans;
using DrTools.Core.Recovery.Engine;
using DrTools.Core.Recovery.Strategies;
using DrTools.PowerShell.Cmdlets.Recovery;
using DrTools.PowerShell.Infrastructure;

namespace DrTools.PowerShell.Cmdlets.Drills
{
    /// <summary>
    /// Rehearses the plan's recovery in isolation (docs/drills.md): the drill steps through the recovery engine, then
    /// -Validation and the plan's probes, measured RTO/RPO, cleanup (unless -Keep) and the history record.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Invoke, "DrDrill", HelpUri = HelpLinks.Cmdlets + "Invoke-DrDrill.md", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(DrillResult))]
    public sealed class InvokeDrDrillCommand : PlanRunCmdlet, INotifyingCmdlet
    {
        /// <summary>
        /// Turns alarm names into stop conditions (CloudWatch alarms in the connection's region): one AlarmStopCondition,
        /// which the drill validates before its first step. Tests replace it; null makes alarm names a DrTools.InvalidParameter error.
        /// </summary>
        internal static Func<AwsConnection, IReadOnlyList<string>, IReadOnlyList<IDrillStopCondition>>? StopAlarmConditions { get; set; } =
            (connection, names) => new IDrillStopCondition[] { new AlarmStopCondition(CloudWatchService.Create(new AwsClientFactory(connection)), names) };

        /// <summary>Runs one of the plan's probes against the drill environment's placeholders (DrillProbeRunner). Tests replace it;
        /// null makes plan probes a DrTools.InvalidParameter error.</summary>
        internal static Func<DrillProbeSpec, IReadOnlyDictionary<string, string>, CancellationToken, Task<DrillValidationResult>>? ProbeRunner { get; set; } =
            (probe, placeholders, ct) => new DrillProbeRunner().RunAsync(probe, placeholders, ct);

        [Parameter]
        [ValidateSet("RegionLoss", "PointInTime", "Ransomware")]
        public string Scenario { get; set; } = "RegionLoss";

        [Parameter]
        public DateTime? PointInTime { get; set; }

        [Parameter]
        public DateTime? Before { get; set; }

        [Parameter]
        [ValidateNotNull]
        public ScriptBlock? Validation { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? StopAlarm { get; set; }

        /// <summary>Polled with the stop alarms: $true or a non-empty string (the reason) stops the drill.</summary>
        [Parameter]
        [ValidateNotNull]
        public ScriptBlock? StopCondition { get; set; }

        [Parameter]
        public SwitchParameter Keep { get; set; }

        [Parameter]
        public SwitchParameter Resume { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? Approve { get; set; }

        [Parameter]
        public SwitchParameter Force { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        [ValidateSnsTopicArn]
        public string? NotifyTopicArn { get; set; }

        [Parameter]
        public SwitchParameter NotifyOnSuccess { get; set; }

        protected override void ProcessRecord()
        {
            var plan = ResolvePlan();
            // A drill that does not pass alerts through its errors (failed step, validation or stop reason, leftovers), each with its next step.
            NotifyAbout(plan.Name);
            var scenario = (DrillScenario)Enum.Parse(typeof(DrillScenario), Scenario, ignoreCase: true);
            RecoveryJournalStore journals;
            try { journals = OpenJournals(); }
            catch (DrToolsException ex) { ThrowTerminatingError(ErrorRecords.From(ex)); return; }
            // A drill rehearses a failover to the DR region: refused while the plan runs there (-Resume still cleans up a drill).
            if (!Resume) RefuseIfFailedOver(plan, journals);

            using var services = RecoveryServices.Create(new AwsClientFactory(Connection), plan, Reporter);
            var service = new DrillService(services, journals, Reporter);
            DrillOptions options;
            DrillPlan whatIf;
            try
            {
                options = new DrillOptions
                {
                    Scenario = scenario,
                    PointInTime = PointInTime is { } p ? new DateTimeOffset(p.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(p, DateTimeKind.Local) : p) : null,
                    Before = Before is { } b ? new DateTimeOffset(b.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(b, DateTimeKind.Local) : b) : null,
                    Keep = Keep,
                    Resume = Resume,
                    RunId = RunId,
                    Approve = ApproveAsync,
                    StopConditions = StopConditions(plan),
                    Validations = Validations(plan),
                };
                whatIf = service.Plan(plan, options);
                PreApprove(whatIf.Steps, Approve);
            }
            catch (DrToolsException ex) { ThrowTerminatingError(ErrorRecords.From(ex)); return; }

            var text = string.Join(Environment.NewLine, DrillPlanFormatter.Format(whatIf)) + ApprovalLines(whatIf.Steps);
            var summary = $"Drill of plan '{plan.Name}' ({scenario}) in {Connection.Region}: {whatIf.Steps.Steps.Count} steps, " +
                          (Keep ? "kept afterwards (-Keep)" : "cleaned up afterwards") + (Resume ? ", resuming the earlier drill" : "");
            if (!Confirmed(text, summary + "?", "Run drill")) return;

            Run(async ct =>
            {
                DrillResult result;
                try
                {
                    result = await service.RunAsync(plan, options, ct).ConfigureAwait(false);
                }
                catch (DrillCancelledException ex)
                {
                    Reporter.Warning(ex.Message);
                    throw;
                }
                // The result first, so it reaches the caller also when an error below ends the cmdlet.
                Emit(result);
                if (result.Passed && (result.Kept || result.Leftovers.Count == 0)) NoteSuccess(NotificationItems.ForPassedDrill(result).What);
                // Cleanup deleted what the finished steps created: only a kept drill can be resumed (docs/drills.md).
                foreach (var failed in result.Steps.Where(s => s.Status == StepStatus.Failed))
                    EmitError(result.Kept
                        ? StepError(failed, result, ResumeCommand(plan, result.RunId))
                        : StepError(failed, result, NewDrillCommand(plan), "Then start a new drill (this one was cleaned up, so it cannot be resumed): "));
                if (!result.Passed && !result.Steps.Any(s => s.Status == StepStatus.Failed))
                    EmitError(new DrToolsException(ErrorIds.DrillFailed, DrErrorCategory.InvalidOperation,
                        $"Drill {result.RunId} of plan '{plan.Name}' did not pass: " + (result.StopReason ?? string.Join("; ",
                            result.Validation.Where(v => !v.Passed).Select(v => $"{v.Name}: {v.Message}").DefaultIfEmpty("not every step completed"))) + ".",
                        result, "Read the result's Steps and Validation, fix the cause, and drill again (-Keep leaves the environment up for a look)."));
                if (!result.Kept && result.Leftovers.Count > 0)
                    EmitError(new DrToolsException(ErrorIds.DrillLeftovers, DrErrorCategory.ResourceUnavailable,
                        $"Drill {result.RunId} could not delete {result.Leftovers.Count} resource(s): {string.Join("; ", result.Leftovers)}.", result,
                        $"Run Remove-DrDrill -Plan <plan> -RunId {result.RunId}, or delete them by hand (tag {DrillTags.Drill}={result.RunId})."));
            });
        }

        string NewDrillCommand(DrPlan plan)
        {
            return $"{MyInvocation.MyCommand.Name} -Plan " + plan.CommandArgument("<plan>") + JournalPathArgument;
        }

        IReadOnlyList<IDrillStopCondition> StopConditions(DrPlan plan)
        {
            var names = (StopAlarm ?? Array.Empty<string>()).Concat(plan.Drill?.StopAlarms ?? Array.Empty<string>())
                .Where(n => !string.IsNullOrWhiteSpace(n)).Distinct(StringComparer.Ordinal).ToList();
            var conditions = new List<IDrillStopCondition>();
            if (StopCondition is { } script)
                conditions.Add(new DelegateStopCondition("-StopCondition", async ct =>
                {
                    string? reason = null;
                    // Scriptblocks run only on the pipeline thread; an error in it counts as an unreadable check.
                    await OnPipelineThreadAsync(() => { reason = StopReasonOf(script); return true; }).ConfigureAwait(false);
                    return reason;
                }));
            if (names.Count == 0) return conditions;
            if (StopAlarmConditions == null)
                throw new DrToolsException(ErrorIds.InvalidParameter, DrErrorCategory.InvalidArgument,
                    $"Stop alarms ({string.Join(", ", names)}) cannot be watched: this DrTools build has no CloudWatch alarm support.", names[0],
                    "Leave -StopAlarm out and remove drill.stopAlarms from the plan, or update DrTools. Nothing was changed.");
            conditions.AddRange(StopAlarmConditions(Connection, names));
            return conditions;
        }

        /// <summary>-StopCondition's answer: a non-empty string is the reason, $true stops with a generic one, anything else goes on.</summary>
        static string? StopReasonOf(ScriptBlock script)
        {
            foreach (var o in script.Invoke())
            {
                switch (o?.BaseObject)
                {
                    case string text when !string.IsNullOrWhiteSpace(text): return "-StopCondition: " + text;
                    case bool b when b: return "the -StopCondition scriptblock returned $true";
                }
            }
            return null;
        }

        IReadOnlyList<Func<DrillEnvironment, CancellationToken, Task<IReadOnlyList<DrillValidationResult>>>> Validations(DrPlan plan)
        {
            var list = new List<Func<DrillEnvironment, CancellationToken, Task<IReadOnlyList<DrillValidationResult>>>>();
            var probes = plan.Drill?.Probes ?? Array.Empty<DrillProbeSpec>();
            if (probes.Count > 0)
            {
                var runner = ProbeRunner ?? throw new DrToolsException(ErrorIds.InvalidParameter, DrErrorCategory.InvalidArgument,
                    $"Plan '{plan.Name}' has drill probes ({string.Join(", ", probes.Select(p => p.Name))}) but this DrTools build cannot run them.", plan.Name,
                    "Remove drill.probes from the plan and validate with -Validation, or update DrTools. Nothing was changed.");
                list.Add(async (env, ct) =>
                {
                    var results = new List<DrillValidationResult>();
                    foreach (var probe in probes) results.Add(await runner(probe, env.Placeholders, ct).ConfigureAwait(false));
                    return results;
                });
            }
            if (Validation is { } script)
                list.Add(async (env, ct) =>
                {
                    var started = DateTimeOffset.UtcNow;
                    var message = "";
                    // PowerShell runs scriptblocks only on the pipeline thread: marshal the call there, hand the answer back.
                    var passed = await OnPipelineThreadAsync(() => RunValidation(script, env, out message)).ConfigureAwait(false);
                    var finished = DateTimeOffset.UtcNow;
                    return new[] { new DrillValidationResult("-Validation", passed, message, started, finished, finished - started) };
                });
            return list;
        }

        /// <summary>$_ is the drill environment; any $false in the output, or an error, fails it.</summary>
        static bool RunValidation(ScriptBlock script, DrillEnvironment env, out string message)
        {
            try
            {
                var output = script.InvokeWithContext(null, new List<PSVariable> { new("_", env) }, env);
                var passed = output.All(o => o == null || o.BaseObject is not bool b || b);
                message = passed ? "passed" : "the scriptblock returned $false";
                return passed;
            }
            catch (RuntimeException ex)
            {
                message = ex.Message;
                return false;
            }
        }
    }
}
