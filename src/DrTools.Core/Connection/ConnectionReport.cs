using System;
using System.Collections.Generic;
using System.Linq;

namespace DrTools.Core.Connection
{
    /// <summary>What Test-DrConnection found: who and where DrTools is, and whether each service DrTools uses answers.</summary>
    public sealed class ConnectionReport
    {
        public string Account { get; init; } = "";
        public string Arn { get; init; } = "";
        public string UserId { get; init; } = "";
        public string Region { get; init; } = "";
        /// <summary>The endpoint override, or "AWS" when the AWS endpoints are used.</summary>
        public string Endpoint { get; init; } = "AWS";
        public string CredentialSource { get; init; } = "";
        public string RegionSource { get; init; } = "";
        public IReadOnlyList<ServiceProbeResult> Services { get; init; } = Array.Empty<ServiceProbeResult>();
        public bool AllReachable => Services.All(s => s.Reachable);
        public DateTime TestedAt { get; init; } = DateTime.UtcNow;
    }

    /// <summary>One service's answer to a cheap read call.</summary>
    public sealed class ServiceProbeResult
    {
        public string Service { get; init; } = "";
        public string Operation { get; init; } = "";
        public bool Reachable { get; init; }
        public TimeSpan Latency { get; init; }
        public string? ErrorId { get; init; }
        public string? Error { get; init; }

        public override string ToString() =>
            Reachable ? $"{Service} ok ({Latency.TotalMilliseconds:0} ms)" : $"{Service} FAILED ({ErrorId})";
    }
}
