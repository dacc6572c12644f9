using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Recovery.Engine;
using DrTools.Core.Recovery.Steps;

namespace DrTools.Core.Reprotect
{
    /// <summary>
    /// The last step of a failover, re-protect or failback: records in the journal store which side is active now and
    /// where the writer and its replica are (<see cref="ActiveSideStore"/>). A step rather than code after the run, so
    /// that it is journaled and -Resume finishes it. <paramref name="update"/> turns the current record (null: none)
    /// into the new one; it may read the outputs of earlier steps from the context.
    /// </summary>
    public sealed class RecordActiveSideStep : RecoveryStepBase
    {
        readonly ActiveSideStore _store;
        readonly string _plan;
        readonly Func<ActiveSide?, StepContext, ActiveSide> _update;
        readonly string _summary;

        /// <param name="summary">What the record will say, for -WhatIf ("active side: DR; writer orders-db-dr (us-west-2)").</param>
        public RecordActiveSideStep(string id, ActiveSideStore store, string plan, string summary, Func<ActiveSide?, StepContext, ActiveSide> update) : base(id)
        {
            _store = store ?? throw new ArgumentNullException(nameof(store));
            _plan = plan ?? throw new ArgumentNullException(nameof(plan));
            _update = update ?? throw new ArgumentNullException(nameof(update));
            _summary = summary ?? "";
        }

        public override StepKind Kind => StepKind.RecordActiveSide;
        public override string Description => "Record " + _summary;
        public override IReadOnlyList<StepResource> Resources => new[] { new StepResource("DrTools active side", _store.PathOf(_plan), null, "write") };

        /// <summary>Always written again: the record is small and the newest run must win.</summary>
        public override Task<StepOutcome?> CheckDoneAsync(StepContext context, CancellationToken cancellationToken) => Task.FromResult<StepOutcome?>(null);

        public override async Task<StepOutcome> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
        {
            var current = await _store.LoadAsync(_plan, cancellationToken).ConfigureAwait(false);
            var next = _update(current, context) with { Plan = _plan, RunId = context.RunId, ChangedAt = DateTimeOffset.UtcNow };
            var path = await _store.SaveAsync(next, cancellationToken).ConfigureAwait(false);
            var message = $"Active side {next.Active.ToString().ToUpperInvariant()}" + (next.Writer != null ? $"; writer {next.Writer}" : "")
                          + (next.Writer != null ? next.Replica != null ? $"; replica {next.Replica}" : "; NOT protected (no replica)" : "");
            return new StepOutcome(message, new[] { path });
        }
    }
}
