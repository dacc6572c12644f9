using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Diagnostics;
using DrTools.Core.Recovery.Engine;

namespace DrTools.Core.Tests.Recovery
{
    /// <summary>A step whose work the test scripts; counts how often the engine executes and checks it.</summary>
    internal sealed class FakeStep : IRecoveryStep
    {
        int _executions, _checks;

        public FakeStep(string id, params string[] dependsOn)
        {
            Id = id;
            DependsOn = dependsOn;
            Resources = new[] { new StepResource("AWS::Fake::Thing", id + "-res", "us-west-2", "create") };
        }

        public string Id { get; }
        public StepKind Kind { get; init; } = StepKind.Custom;
        public string Description => $"Fake step {Id}";
        public IReadOnlyList<string> DependsOn { get; }
        public IReadOnlyList<StepResource> Resources { get; }
        public TimeSpan? Timeout { get; init; }

        /// <summary>The work; default: done at once.</summary>
        public Func<StepContext, CancellationToken, Task<StepOutcome>> Work { get; set; } =
            (ctx, _) => Task.FromResult(StepOutcome.Done($"{ctx.StepId} done", ctx.StepId + "-id"));

        /// <summary>What the idempotency check finds; default: nothing done.</summary>
        public Func<StepContext, StepOutcome?> AlreadyDone { get; set; } = _ => null;

        public int Executions => Volatile.Read(ref _executions);
        public int Checks => Volatile.Read(ref _checks);
        public StepContext? LastContext { get; private set; }

        public Task<StepOutcome?> CheckDoneAsync(StepContext context, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _checks);
            return Task.FromResult(AlreadyDone(context));
        }

        public Task<StepOutcome> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _executions);
            LastContext = context;
            return Work(context, cancellationToken);
        }

        public static Func<StepContext, CancellationToken, Task<StepOutcome>> Fails(string errorId = "DrTools.NotFound") =>
            (ctx, _) => Task.FromException<StepOutcome>(new DrToolsException(errorId, DrErrorCategory.ObjectNotFound, $"{ctx.StepId} broke: the replica is gone"));

        /// <summary>Work that signals it started and then waits for the gate (or cancellation).</summary>
        public static Func<StepContext, CancellationToken, Task<StepOutcome>> Gated(TaskCompletionSource<bool> started, Task gate) =>
            async (ctx, ct) =>
            {
                started.TrySetResult(true);
                await gate.WaitAsync(ct);
                return StepOutcome.Done($"{ctx.StepId} done", ctx.StepId + "-id");
            };
    }

    internal sealed class RecordingReporter : IOperationReporter
    {
        public readonly ConcurrentQueue<string> Verbose = new();
        public readonly ConcurrentQueue<string> Warnings = new();
        public readonly ConcurrentQueue<ProgressUpdate> Progress = new();
        public Action<string>? OnVerbose { get; set; }
        void IOperationReporter.Verbose(string message) { Verbose.Enqueue(message); OnVerbose?.Invoke(message); }
        void IOperationReporter.Warning(string message) => Warnings.Enqueue(message);
        void IOperationReporter.Progress(ProgressUpdate update) => Progress.Enqueue(update);
    }
}
