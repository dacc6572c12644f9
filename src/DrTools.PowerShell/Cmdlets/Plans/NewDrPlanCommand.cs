using System;
using System.IO;
using System.Management.Automation;
using System.Text;
using DrTools.Core.Diagnostics;
using DrTools.Core.IO;
using DrTools.Core.Plans;
using DrTools.PowerShell.Infrastructure;

namespace DrTools.PowerShell.Cmdlets.Plans
{
    /// <summary>Scaffolds a complete example plan for a strategy; optionally writes it as JSON. Needs no AWS connection.</summary>
    [Cmdlet(VerbsCommon.New, "DrPlan", HelpUri = HelpLinks.Cmdlets + "New-DrPlan.md", SupportsShouldProcess = true)]
    [OutputType(typeof(DrPlan))]
    public sealed class NewDrPlanCommand : PSCmdlet
    {
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateSet("BACKUP_AND_RESTORE", "PILOT_LIGHT", "WARM_STANDBY", "MULTI_SITE", IgnoreCase = true)]
        public string Strategy { get; set; } = "";

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string Name { get; set; } = "orders";

        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(RegionCompleter))]
        public string PrimaryRegion { get; set; } = "us-east-1";

        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(RegionCompleter))]
        public string DrRegion { get; set; } = "us-west-2";

        [Parameter(Position = 1)]
        [ValidateNotNullOrEmpty]
        public string? Path { get; set; }

        /// <summary>Replace an existing plan file.</summary>
        [Parameter]
        public SwitchParameter Overwrite { get; set; }

        /// <summary>Skips the confirmation prompt; -WhatIf still only shows.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        protected override void EndProcessing()
        {
            var strategy = (DrStrategy)Enum.Parse(typeof(DrStrategy), Strategy.Replace("_", ""), ignoreCase: true);
            var json = DrPlanWriter.ToJson(DrPlanTemplates.Create(strategy, Name, PrimaryRegion, DrRegion));
            if (Path == null)
            {
                // Loaded back through the validator, so a bad -Name or region fails here, not at Import-DrPlan.
                WriteObject(Load(json, null));
                return;
            }

            var path = GetUnresolvedProviderPathFromPSPath(Path);
            if (path.EndsWith(".psd1", StringComparison.OrdinalIgnoreCase))
                Fail(ErrorIds.InvalidParameter, DrErrorCategory.InvalidArgument, $"New-DrPlan writes JSON, not a PowerShell data file: '{path}'.", path,
                    "Use a .json path.");
            if (Directory.Exists(path))
                Fail(ErrorIds.InvalidParameter, DrErrorCategory.InvalidArgument, $"'{path}' is a folder.", path, "Pass the path of the plan file to write, e.g. .\\orders.json.");
            var folder = System.IO.Path.GetDirectoryName(path);
            if (!string.IsNullOrEmpty(folder) && !Directory.Exists(folder))
                Fail(ErrorIds.NotFound, DrErrorCategory.ObjectNotFound, $"The folder '{folder}' does not exist.", folder, "Create the folder first, or choose another -Path.");
            var exists = File.Exists(path);
            if (exists && !Overwrite)
                Fail(ErrorIds.AlreadyExists, DrErrorCategory.ResourceExists, $"'{path}' already exists; New-DrPlan does not overwrite a plan.", path,
                    "Add -Overwrite to replace it, or choose another -Path.");
            var plan = Load(json, path);
            if (!(DrCmdlet.ConfirmationSkipped(this, Force) || ShouldProcess(path, exists ? $"Overwrite with a new {Strategy.ToUpperInvariant()} DR plan '{Name}'" : $"Write a {Strategy.ToUpperInvariant()} DR plan '{Name}'")))
                return;
            Write(path, json);
            WriteVerbose($"Wrote the {Strategy.ToUpperInvariant()} plan '{Name}' to {path}. Replace the placeholder ids with yours, then run Import-DrPlan.");
            WriteObject(plan);
        }

        DrPlan Load(string json, string? source)
        {
            try
            {
                return DrPlanLoader.Parse(json, source).GetPlanOrThrow();
            }
            catch (DrToolsException ex)
            {
                ThrowTerminatingError(ErrorRecords.From(ex));
                throw; // not reached
            }
        }

        /// <summary>Never a half-written file in place of a good one (<see cref="AtomicTextFile"/>).</summary>
        void Write(string path, string json)
        {
            try { AtomicTextFile.Write(path, json, "Check that the folder is writable by this account and the file is not open elsewhere."); }
            catch (DrToolsException ex) { ThrowTerminatingError(ErrorRecords.From(ex)); }
        }

        void Fail(string errorId, DrErrorCategory category, string message, object target, string action) =>
            ThrowTerminatingError(ErrorRecords.From(new DrToolsException(errorId, category, message, target, action)));
    }
}
