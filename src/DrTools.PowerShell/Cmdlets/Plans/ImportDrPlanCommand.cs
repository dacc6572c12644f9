using System;
using System.Management.Automation;
using DrTools.Core.Diagnostics;
using DrTools.Core.Plans;
using DrTools.PowerShell.Infrastructure;

namespace DrTools.PowerShell.Cmdlets.Plans
{
    /// <summary>
    /// Reads and validates plan files (.json, .psd1) or a hashtable and emits the typed plan. An invalid plan is ONE
    /// DrTools.InvalidPlan error listing every error by JSON path; unknown fields are warnings. Needs no AWS connection.
    /// </summary>
    [Cmdlet(VerbsData.Import, "DrPlan", HelpUri = HelpLinks.Cmdlets + "Import-DrPlan.md", DefaultParameterSetName = PathSet)]
    [OutputType(typeof(DrPlan))]
    public sealed class ImportDrPlanCommand : PSCmdlet
    {
        const string PathSet = "Path";
        const string PlanSet = "Plan";

        /// <summary>Plan files; wildcards allowed. FileInfo objects bind by FullName.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = PathSet)]
        [Alias("FullName")]
        [ValidateNotNullOrEmpty]
        public string[] Path { get; set; } = Array.Empty<string>();

        /// <summary>A hashtable in the plan schema, or a plan object (validated again).</summary>
        [Parameter(Mandatory = true, ParameterSetName = PlanSet)]
        [ValidateNotNull]
        public object Plan { get; set; } = null!;

        protected override void ProcessRecord()
        {
            // Each plan is one item: an invalid or missing file is its own non-terminating error and the next file is
            // still imported (Get-ChildItem *.json | Import-DrPlan); -ErrorAction Stop makes it end the pipeline.
            if (ParameterSetName == PlanSet)
            {
                Write(PlanInput.ResolveItem(this, Plan));
                return;
            }
            foreach (var path in Path)
            {
                if (!WildcardPattern.ContainsWildcardCharacters(path))
                {
                    Write(PlanInput.ResolveItem(this, path));
                    continue;
                }
                System.Collections.ObjectModel.Collection<string> resolved;
                try { resolved = SessionState.Path.GetResolvedProviderPathFromPSPath(path, out _); }
                catch (ItemNotFoundException) { resolved = new System.Collections.ObjectModel.Collection<string>(); }
                if (resolved.Count == 0)
                    WriteError(ErrorRecords.From(new DrToolsException(ErrorIds.NotFound, DrErrorCategory.ObjectNotFound,
                        $"No plan file matches '{path}'.", path, "Check the path and the wildcard.")));
                foreach (var file in resolved) Write(PlanInput.ResolveItem(this, file));
            }
        }

        void Write(DrPlan? plan)
        {
            if (plan != null) WriteObject(plan);
        }
    }
}
