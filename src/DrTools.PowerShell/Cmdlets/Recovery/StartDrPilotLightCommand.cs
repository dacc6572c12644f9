using System.Management.Automation;
using DrTools.Core.Plans;
using DrTools.Core.Recovery.Engine;
using DrTools.Core.Recovery.Strategies;
using DrTools.PowerShell.Infrastructure;

namespace DrTools.PowerShell.Cmdlets.Recovery
{
    [Cmdlet(VerbsLifecycle.Start, "DrPilotLight", HelpUri = HelpLinks.Cmdlets + "Start-DrPilotLight.md", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(RecoveryResult))]
    public sealed class StartDrPilotLightCommand : RecoveryCmdlet
    {
        protected override RecoveryOperation Operation => RecoveryOperation.Failover;
        protected override DrStrategy? RequiredStrategy => DrStrategy.PilotLight;
        protected override string ActionName => "Start pilot light recovery";
    }
}
