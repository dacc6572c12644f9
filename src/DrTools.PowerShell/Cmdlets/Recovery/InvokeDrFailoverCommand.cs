using System.Management.Automation;
using DrTools.Core.Recovery.Engine;
using DrTools.Core.Recovery.Strategies;
using DrTools.PowerShell.Infrastructure;

namespace DrTools.PowerShell.Cmdlets.Recovery
{
    [Cmdlet(VerbsLifecycle.Invoke, "DrFailover", HelpUri = HelpLinks.Cmdlets + "Invoke-DrFailover.md", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(RecoveryResult))]
    public sealed class InvokeDrFailoverCommand : RecoveryCmdlet
    {
        /// <summary>After a successful failover, re-protect the database as its own run (as the plan's reprotect.afterFailover does).</summary>
        [Parameter]
        public SwitchParameter Reprotect { get; set; }

        protected override RecoveryOperation Operation => RecoveryOperation.Failover;
        protected override bool ReprotectRequested => Reprotect.IsPresent;
        protected override string ActionName => "Fail over";
    }
}
