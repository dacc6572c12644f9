using System;
using System.IO;
using System.Management.Automation;
using System.Text;
using DrTools.Core.Access;
using DrTools.Core.Diagnostics;
using DrTools.Core.IO;
using DrTools.PowerShell.Infrastructure;

namespace DrTools.PowerShell.Cmdlets.Access
{
    /// <summary>
    /// The least-privilege IAM policy a role needs to run one plan's cmdlets: actions from the core's IamActions table,
    /// resources scoped to the plan. Returns the document; with -Path also writes it (atomically) to a file.
    /// Calls no AWS API.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "DrIamPolicy", HelpUri = HelpLinks.Cmdlets + "Get-DrIamPolicy.md", SupportsShouldProcess = true)]
    [OutputType(typeof(IamPolicyDocument))]
    public sealed class GetDrIamPolicyCommand : PSCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
        [ValidateNotNull]
        [ArgumentCompleter(typeof(PlanFileCompleter))]
        public object Plan { get; set; } = null!;

        // A string, not the core enum: cmdlet classes must load without DrTools.Core (ModuleLoadingTests).
        [Parameter(Position = 1)]
        [ValidateSet("Operator", "Backup", "Drill", "ReadOnly", IgnoreCase = true)]
        public string Role { get; set; } = "Operator";

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Path { get; set; }

        [Parameter]
        public SwitchParameter Overwrite { get; set; }

        protected override void ProcessRecord()
        {
            var plan = PlanInput.ResolveItem(this, Plan);
            if (plan == null) return;
            var role = (IamRole)Enum.Parse(typeof(IamRole), Role, ignoreCase: true);
            var policy = IamPolicyBuilder.Build(plan, role);
            WriteVerbose($"{policy.Role} policy of plan '{policy.Plan}': {policy.Statements} statements, {policy.Actions} actions, regions {string.Join(", ", policy.Regions)}.");
            if (Path == null)
            {
                WriteObject(policy);
                return;
            }
            var path = GetUnresolvedProviderPathFromPSPath(Path);
            if (Directory.Exists(path))
                Fail(ErrorIds.InvalidParameter, DrErrorCategory.InvalidArgument, $"'{path}' is a folder.", path, "Pass the path of the policy file to write, e.g. .\\orders-operator.json.");
            var folder = System.IO.Path.GetDirectoryName(path);
            if (!string.IsNullOrEmpty(folder) && !Directory.Exists(folder))
                Fail(ErrorIds.NotFound, DrErrorCategory.ObjectNotFound, $"The folder '{folder}' does not exist.", folder, "Create the folder first, or choose another -Path.");
            var exists = File.Exists(path);
            if (exists && !Overwrite)
                Fail(ErrorIds.AlreadyExists, DrErrorCategory.ResourceExists, $"'{path}' already exists; Get-DrIamPolicy does not overwrite it.", path,
                    "Add -Overwrite to replace it, or choose another -Path.");
            if (!ShouldProcess(path, $"{(exists ? "Overwrite with" : "Write")} the {policy.Role} IAM policy of plan '{policy.Plan}' ({policy.Statements} statements)"))
                return;
            Write(path, policy.Json);
            WriteObject(new IamPolicyDocument
            {
                Role = policy.Role, Plan = policy.Plan, Regions = policy.Regions, Json = policy.Json, StatementList = policy.StatementList, Path = path,
            });
        }

        /// <summary>Never a half-written file in place of a good one (<see cref="AtomicTextFile"/>).</summary>
        void Write(string path, string json)
        {
            try { AtomicTextFile.Write(path, json, "Check the path and your permissions on the folder."); }
            catch (DrToolsException ex) { ThrowTerminatingError(ErrorRecords.From(ex)); }
        }

        void Fail(string id, DrErrorCategory category, string message, object target, string action) =>
            ThrowTerminatingError(ErrorRecords.From(new DrToolsException(id, category, message, target, action)));
    }
}
