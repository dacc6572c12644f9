using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Diagnostics;
using DrTools.Core.Plans;
using DrTools.Core.Recovery.Engine;
using DrTools.Core.Reprotect;

namespace DrTools.Core.Recovery.Strategies
{
    /// <summary>
    /// The facade the cmdlets use: turns a validated plan into the step graph of its strategy (or of failback),
    /// shows it (-WhatIf, no AWS call) or runs it through the <see cref="RecoveryEngine"/> with journal and resume.
    /// </summary>
    public sealed class RecoveryService
    {
        readonly RecoveryServices _services;
        readonly RecoveryJournalStore _journals;
        readonly IOperationReporter _reporter;

        public RecoveryService(RecoveryServices services, RecoveryJournalStore journals, IOperationReporter? reporter = null)
        {
            _services = services ?? throw new ArgumentNullException(nameof(services));
            _journals = journals ?? throw new ArgumentNullException(nameof(journals));
            _reporter = reporter ?? NullReporter.Instance;
        }

        /// <summary>PILOT_LIGHT, WARM_STANDBY... as plans and Resilience Hub spell them.</summary>
        public static string StrategyName(DrStrategy strategy) => strategy switch
        {
            DrStrategy.BackupAndRestore => "BACKUP_AND_RESTORE",
            DrStrategy.PilotLight => "PILOT_LIGHT",
            DrStrategy.WarmStandby => "WARM_STANDBY",
            _ => "MULTI_SITE",
        };

        /// <summary>Failback runs are journaled apart from failovers, so -Resume of one never picks up the other.</summary>
        public static string RunName(DrPlan plan, RecoveryOperation operation) =>
            operation == RecoveryOperation.Failback ? plan.Name + ".failback" : plan.Name;

        static string Label(DrPlan plan, RecoveryOperation operation) =>
            operation == RecoveryOperation.Failback ? $"FAILBACK ({StrategyName(plan.Strategy)})" : StrategyName(plan.Strategy);

        /// <summary>Ends a strategy-specific cmdlet early when the plan is of another strategy.</summary>
        /// <exception cref="DrToolsException">DrTools.InvalidParameter naming the cmdlet to use instead.</exception>
        public static void RequireStrategy(DrPlan plan, DrStrategy expected, string cmdlet)
        {
            if (plan.Strategy == expected) return;
            throw new DrToolsException(ErrorIds.InvalidParameter, DrErrorCategory.InvalidArgument,
                $"{cmdlet} runs {StrategyName(expected)} plans; plan '{plan.Name}' is {StrategyName(plan.Strategy)}.", plan.Name,
                "Use Invoke-DrFailover, which runs every strategy, or the cmdlet of the plan's strategy.");
        }

        /// <summary>The plan's active side record (null: it never failed over); failback reads it to move the database back.</summary>
        /// <exception cref="DrToolsException">DrTools.JournalError when the record cannot be read.</exception>
        public Task<ActiveSide?> LoadActiveSideAsync(DrPlan plan, CancellationToken cancellationToken) =>
            new ActiveSideStore(_journals).LoadAsync((plan ?? throw new ArgumentNullException(nameof(plan))).Name, cancellationToken);

        /// <summary>The steps of the recovery, wired; builds objects only (no AWS call).</summary>
        /// <param name="activeSide">Failback: the plan's active side record (<see cref="LoadActiveSideAsync"/>); a failed-over database is moved back.</param>
        public IReadOnlyList<IRecoveryStep> BuildSteps(DrPlan plan, RecoveryOperation operation, RecoveryOptions options, ActiveSide? activeSide = null)
        {
            if (plan == null) throw new ArgumentNullException(nameof(plan));
            options ??= new RecoveryOptions();
            // Every run ends by recording which side is active, beside its journal.
            if (options.ActiveSides == null) options = options with { ActiveSides = new ActiveSideStore(_journals) };
            if (operation == RecoveryOperation.Failback)
                return Failback.Build(plan, _services, options, activeSide, options.ActiveSides);
            return plan.Strategy switch
            {
                DrStrategy.PilotLight => PilotLight.Build(plan, _services, options),
                DrStrategy.WarmStandby => WarmStandby.Build(plan, _services, options),
                DrStrategy.MultiSite => MultiSite.Build(plan, _services, options),
                _ => BackupAndRestore.Build(plan, _services, options),
            };
        }

        /// <summary>-WhatIf: the whole ordered plan of steps with waves and resources; changes nothing.</summary>
        public RecoveryPlan Plan(DrPlan plan, RecoveryOperation operation, RecoveryOptions options, ActiveSide? activeSide = null) =>
            RecoveryEngine.Plan(RunName(plan, operation), BuildSteps(plan, operation, options, activeSide), Label(plan, operation));

        /// <summary>Runs (or with <see cref="RecoveryOptions.Resume"/> continues) the recovery.</summary>
        /// <exception cref="RecoveryCancelledException">Ctrl+C; the journal keeps the run for -Resume.</exception>
        /// <remarks>A failback reads the plan's active side record itself (a failed-over database is moved back).</remarks>
        public async Task<RecoveryResult> RunAsync(DrPlan plan, RecoveryOperation operation, RecoveryOptions options, CancellationToken cancellationToken)
        {
            if (plan == null) throw new ArgumentNullException(nameof(plan));
            options ??= new RecoveryOptions();
            var active = operation == RecoveryOperation.Failback ? await LoadActiveSideAsync(plan, cancellationToken).ConfigureAwait(false) : null;
            var steps = BuildSteps(plan, operation, options, active);
            var engine = new RecoveryEngine(_journals, _reporter);
            return await engine.RunAsync(new RecoveryRequest
            {
                PlanName = RunName(plan, operation),
                Strategy = Label(plan, operation),
                RtoTarget = operation == RecoveryOperation.Failover ? plan.Rto : null,
                Steps = steps,
                Resume = options.Resume,
                RunId = options.RunId,
                MaxParallelism = options.MaxParallelism ?? plan.Options.MaxParallelism,
                DefaultStepTimeout = options.StepTimeout ?? plan.Options.StepTimeout,
                ContinueOnError = options.ContinueOnError ?? plan.Options.ContinueOnError,
                Approve = options.Approve,
            }, cancellationToken).ConfigureAwait(false);
        }
    }
}
