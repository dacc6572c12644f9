using System;
using System.Management.Automation;
using DrTools.Core.Connection;
using DrTools.PowerShell.Infrastructure;

namespace DrTools.PowerShell.Cmdlets.Connection
{
    [Cmdlet(VerbsDiagnostic.Test, "DrConnection", HelpUri = HelpLinks.Cmdlets + "Test-DrConnection.md")]
    [OutputType(typeof(ConnectionReport))]
    public sealed class TestDrConnectionCommand : DrCmdlet
    {
        [Parameter(Position = 0)]
        [ValidateSet("S3", "EC2", "Route53", "RDS", "AutoScaling", IgnoreCase = true)]
        public string[]? Service { get; set; }

        [Parameter]
        [ValidateRange(1, 600)]
        public int TimeoutSec { get; set; } = 20;

        protected override void ConfigureConnection(ConnectionRequest request)
        {
            // A probe should answer within its timeout, not after the SDK's full retry schedule: -TimeoutSec bounds each
            // whole call (and the silence within it, unless -RequestTimeoutSec is given); one retry unless -MaximumRetryCount.
            request.Timeout = TimeSpan.FromSeconds(TimeoutSec);
            request.IdleTimeout ??= request.Timeout;
            request.MaxErrorRetry ??= 1;
        }

        protected override void EndProcessing()
        {
            var tester = new ConnectionTester(new AwsClientFactory(Connection), Reporter);
            Run(async ct => Emit(await tester.TestAsync(Service, ct).ConfigureAwait(false)));
        }
    }
}
