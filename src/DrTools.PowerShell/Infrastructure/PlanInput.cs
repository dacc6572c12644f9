using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using DrTools.Core.Diagnostics;
using DrTools.Core.Plans;

namespace DrTools.PowerShell.Infrastructure
{
    /// <summary>
    /// What a -Plan parameter accepts: a plan object (from Import-DrPlan or New-DrPlan), a path to a .json or
    /// .psd1 plan file (relative to the PowerShell location), or a hashtable. Every source goes through the same
    /// validation; an invalid plan is DrTools.InvalidPlan listing every error with its JSON path.
    /// </summary>
    internal static class PlanInput
    {
        public static PlanLoadResult Load(PSCmdlet cmdlet, object? value)
        {
            value = Unwrap(value);
            switch (value)
            {
                case DrPlan plan:
                    return DrPlanLoader.Parse(DrPlanWriter.ToJson(plan), plan.Source);
                case string path:
                    return LoadFile(cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path));
                case FileInfo file:
                    return LoadFile(file.FullName);
                case System.Collections.IDictionary table:
                    return DrPlanLoader.FromObject(table, null, Unwrap);
                default:
                    throw new DrToolsException(ErrorIds.InvalidParameter, DrErrorCategory.InvalidArgument,
                        $"-Plan does not accept a {value?.GetType().Name ?? "null"}.", value,
                        "Pass the path of a plan file (.json or .psd1), a hashtable, or the object Import-DrPlan returns.");
            }
        }

        /// <summary>
        /// Loads and validates one plan of several (piped files): a bad plan is a non-terminating error, so the next
        /// plan is still read. Returns null for a bad plan.
        /// </summary>
        public static DrPlan? ResolveItem(PSCmdlet cmdlet, object? value)
        {
            try
            {
                var result = Load(cmdlet, value);
                foreach (var warning in result.Warnings) cmdlet.WriteWarning($"Plan {result.Source ?? ""} {warning}".Replace("  ", " "));
                return result.GetPlanOrThrow();
            }
            catch (DrToolsException ex)
            {
                DrCmdlet.WriteErrorOf(cmdlet, ErrorRecords.From(ex));
                return null;
            }
        }

        /// <summary>Loads and validates; writes warnings (unknown fields...) and ends the cmdlet on errors.</summary>
        public static DrPlan Resolve(PSCmdlet cmdlet, object? value)
        {
            PlanLoadResult result;
            try
            {
                result = Load(cmdlet, value);
            }
            catch (DrToolsException ex)
            {
                DrCmdlet.ThrowTerminatingErrorOf(cmdlet, ErrorRecords.From(ex));
                throw; // not reached
            }
            foreach (var warning in result.Warnings) cmdlet.WriteWarning($"Plan {result.Source ?? ""} {warning}".Replace("  ", " "));
            try
            {
                return result.GetPlanOrThrow();
            }
            catch (DrToolsException ex)
            {
                DrCmdlet.ThrowTerminatingErrorOf(cmdlet, ErrorRecords.From(ex));
                throw; // not reached
            }
        }

        static PlanLoadResult LoadFile(string path)
        {
            if (!File.Exists(path))
                throw new DrToolsException(ErrorIds.NotFound, DrErrorCategory.ObjectNotFound,
                    $"The plan file '{path}' does not exist.", path, "Check the path, or create a plan with New-DrPlan -Path <file>.");
            if (!path.EndsWith(".psd1", StringComparison.OrdinalIgnoreCase)) return DrPlanLoader.LoadFile(path);

            // A PowerShell data file: parsed, never run (the same rule as Import-PowerShellDataFile).
            var ast = Parser.ParseFile(path, out _, out var parseErrors);
            if (parseErrors.Length > 0)
                throw new DrToolsException(ErrorIds.InvalidPlan, DrErrorCategory.InvalidData,
                    $"'{path}' is not a valid PowerShell data file: " + string.Join("; ", parseErrors.Select(e => $"line {e.Extent.StartLineNumber}: {e.Message}")),
                    path, "Fix the syntax, or write the plan as JSON.");
            var table = ast.Find(a => a is HashtableAst, false) as HashtableAst
                ?? throw new DrToolsException(ErrorIds.InvalidPlan, DrErrorCategory.InvalidData,
                    $"'{path}' holds no hashtable (@{{ ... }}).", path, "A .psd1 plan is one hashtable; see docs/plan-schema.md.");
            object? value;
            try
            {
                value = table.SafeGetValue();
            }
            catch (InvalidOperationException ex)
            {
                throw new DrToolsException(ErrorIds.InvalidPlan, DrErrorCategory.InvalidData,
                    $"'{path}' contains something other than data (only literals, arrays and hashtables are allowed): {ex.Message}", path,
                    "Remove variables, commands and expressions from the data file.");
            }
            return DrPlanLoader.FromObject(value, path, Unwrap);
        }

        static object? Unwrap(object? value) => value is PSObject pso ? pso.BaseObject : value;
    }
}
