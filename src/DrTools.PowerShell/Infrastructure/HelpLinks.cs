namespace DrTools.PowerShell.Infrastructure
{
    /// <summary>Where Get-Help -Online sends an admin: the cmdlet's help source in the project repository (ProjectUri in DrTools.psd1).</summary>
    internal static class HelpLinks
    {
        public const string Cmdlets = "https://github.com/drtools/drtools/blob/main/docs/cmdlets/";
    }
}
