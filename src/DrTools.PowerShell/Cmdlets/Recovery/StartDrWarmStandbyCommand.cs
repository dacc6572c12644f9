using System.Management.Automation;
using DrTools.Core.Plans;
using DrTools.Core.Recovery.Engine;
using DrTools.Core.Recovery.Strategies;
using DrTools.PowerShell.Infrastructure;

namespace DrTools.PowerShell.Cmdlets.Recovery
{
    [Cmdlet(VerbsLifecycle.Start, "DrWarmStandby", HelpUri = HelpLinks.Cmdlets + "Start-DrWarmStandby.md", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(RecoveryResult))]
    public sealed class StartDrWarmStandbyCommand : RecoveryCmdlet
    {
        protected override RecoveryOperation Operation => RecoveryOperation.Failover;
        protected override DrStrategy? RequiredStrategy => DrStrategy.WarmStandby;
        protected override string ActionName => "Start warm standby recovery";
    }
}
