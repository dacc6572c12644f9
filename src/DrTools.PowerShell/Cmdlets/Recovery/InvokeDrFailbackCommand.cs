using System.Management.Automation;
using DrTools.Core.Recovery.Engine;
using DrTools.Core.Recovery.Strategies;
using DrTools.PowerShell.Infrastructure;

namespace DrTools.PowerShell.Cmdlets.Recovery
{
    [Cmdlet(VerbsLifecycle.Invoke, "DrFailback", HelpUri = HelpLinks.Cmdlets + "Invoke-DrFailback.md", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(RecoveryResult))]
    public sealed class InvokeDrFailbackCommand : RecoveryCmdlet
    {
        /// <summary>Leave out the check that the primary is healthy and writable. Does not allow data loss.</summary>
        [Parameter]
        public SwitchParameter SkipPrimaryCheck { get; set; }

        protected override RecoveryOperation Operation => RecoveryOperation.Failback;
        protected override bool SkipPrimaryCheckRequested => SkipPrimaryCheck.IsPresent;
        protected override string ActionName => "Fail back to the primary site";
    }
}
