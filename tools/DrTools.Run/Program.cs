// drrun: runs a runbook (.ps1) or a command with DrTools imported, in the PowerShell engine hosted in-process.
//   drrun [--module <DrTools.psd1>] <script.ps1> [args...]
//   drrun [--module <DrTools.psd1>] -c "<command>"
// Output is formatted by PowerShell (the module's table views) and written to the console. Errors stop the
// runbook ($ErrorActionPreference = 'Stop'), as a runbook in an automation account should; exit code 1 then.
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Reflection;
using System.Threading;
using DrTools.Run;

var moduleDir = typeof(ConsoleHost).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().First(a => a.Key == "ModuleDir").Value!;
var manifest = Path.Combine(moduleDir, "DrTools.psd1");
var rest = new List<string>(args);
if (rest.Count >= 2 && rest[0] == "--module") { manifest = Path.GetFullPath(rest[1]); rest.RemoveRange(0, 2); }
if (rest.Count == 0 || rest[0] is "-h" or "--help")
{
    Console.Error.WriteLine("usage: drrun [--module DrTools.psd1] <script.ps1> [args...]\n       drrun [--module DrTools.psd1] -c \"<command>\"");
    return 2;
}

var host = new ConsoleHost();
var iss = InitialSessionState.CreateDefault2();
using var runspace = RunspaceFactory.CreateRunspace(host, iss);
runspace.Open();
using var ps = PowerShell.Create();
ps.Runspace = runspace;
ps.AddScript("$ErrorActionPreference = 'Stop'; $ProgressPreference = 'SilentlyContinue'").Invoke();
ps.Commands.Clear();
try
{
    ps.AddCommand("Import-Module").AddParameter("Name", manifest).Invoke();
}
catch (RuntimeException ex)
{
    Console.Error.WriteLine($"drrun: cannot import the DrTools module from '{manifest}': {ex.Message}\nBuild it first (dotnet build DrTools.sln -c Release) or pass --module <path to DrTools.psd1>.");
    return 2;
}
ps.Commands.Clear();

if (rest[0] == "-c") ps.AddScript(string.Join(" ", rest.Skip(1)));
else
{
    var script = Path.GetFullPath(rest[0]);
    if (!File.Exists(script)) { Console.Error.WriteLine($"drrun: no such script: {script}"); return 2; }
    ps.AddCommand(script);
    foreach (var a in rest.Skip(1)) ps.AddArgument(a);
}
ps.AddCommand("Out-Default");

// Ctrl+C stops the pipeline the way it does in PowerShell: the cmdlets' StopProcessing cancels AWS calls.
Console.CancelKeyPress += (_, e) => { e.Cancel = true; ps.BeginStop(null, null); };
try
{
    ps.Invoke();
}
catch (RuntimeException ex)
{
    var record = ex.ErrorRecord;
    Console.Error.WriteLine($"ERROR: {record?.ErrorDetails?.Message ?? ex.Message}");
    if (!string.IsNullOrEmpty(record?.ErrorDetails?.RecommendedAction)) Console.Error.WriteLine($"  What to do: {record!.ErrorDetails!.RecommendedAction}");
    if (record != null) Console.Error.WriteLine($"  ErrorId: {record.FullyQualifiedErrorId}  Category: {record.CategoryInfo.Category}  Target: {record.TargetObject}");
    return 1;
}
return ps.HadErrors || host.ErrorsWritten > 0 ? 1 : 0;
