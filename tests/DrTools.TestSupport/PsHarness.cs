using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Reflection;

namespace DrTools.TestSupport
{
    /// <summary>Everything one script run produced: every stream, the host text (-WhatIf, Out-Default) and a terminating failure.</summary>
    public sealed class PsResult
    {
        public Collection<PSObject> Output { get; init; } = new();
        public IReadOnlyList<ErrorRecord> Errors { get; init; } = Array.Empty<ErrorRecord>();
        public IReadOnlyList<string> Warnings { get; init; } = Array.Empty<string>();
        public IReadOnlyList<string> Verbose { get; init; } = Array.Empty<string>();
        public IReadOnlyList<ProgressRecord> Progress { get; init; } = Array.Empty<ProgressRecord>();
        public string HostText { get; init; } = "";
        /// <summary>The terminating error, if the script ended with one.</summary>
        public RuntimeException? Terminating { get; init; }

        /// <summary>Every error: the non-terminating ones and the terminating one.</summary>
        public IEnumerable<ErrorRecord> AllErrors => Terminating?.ErrorRecord != null ? Errors.Append(Terminating.ErrorRecord) : Errors;

        public string Describe() =>
            $"Output: {Output.Count}; Errors: {string.Join(" | ", AllErrors.Select(e => e.FullyQualifiedErrorId + ": " + e))}; Warnings: {string.Join(" | ", Warnings)}";
    }

    /// <summary>
    /// Runs scripts in the real PowerShell engine (System.Management.Automation hosted in-process) after
    /// Import-Module of the built module folder, as a user would.
    /// </summary>
    public static class PsHarness
    {
        /// <summary>The assembled module folder (out/DrTools/&lt;version&gt;), written by the build.</summary>
        public static string ModuleDir { get; } = Metadata("ModuleDir");

        /// <summary>A confirmAnswer: the operator presses Enter, taking each prompt's default choice.</summary>
        public const int PressEnter = TestHostUI.PressEnter;
        public static string RepoRoot { get; } = Metadata("RepoRoot");
        public static string ManifestPath => Path.Combine(ModuleDir, "DrTools.psd1");

        static string Metadata(string key) =>
            typeof(PsHarness).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().First(a => a.Key == key).Value!;

        /// <summary>Runs <paramref name="script"/> with the module imported; -WhatIf and Out-Default text land in <see cref="PsResult.HostText"/>.</summary>
        /// <param name="variables">Session variables set before the script runs (e.g. StoredAWSRegion).</param>
        /// <param name="confirmAnswer">The host's answer to -Confirm prompts (index into the choices; 0 = Yes; <see cref="PressEnter"/> = the default).</param>
        /// <param name="stopAfter">Stops the pipeline after this long, as Ctrl+C would.</param>
        public static PsResult Run(string script, IDictionary<string, object?>? variables = null, int? confirmAnswer = null, TimeSpan? stopAfter = null)
        {
            var host = new TestHost(confirmAnswer);
            var iss = InitialSessionState.CreateDefault2();
            using var runspace = RunspaceFactory.CreateRunspace(host, iss);
            runspace.Open();
            using var ps = System.Management.Automation.PowerShell.Create();
            ps.Runspace = runspace;
            foreach (var kv in variables ?? new Dictionary<string, object?>())
                runspace.SessionStateProxy.SetVariable(kv.Key, kv.Value);
            ps.AddScript($"Import-Module '{ManifestPath.Replace("'", "''")}' -ErrorAction Stop\n{script}");

            RuntimeException? terminating = null;
            var output = new Collection<PSObject>();
            try
            {
                if (stopAfter is { } delay)
                {
                    var async = ps.BeginInvoke();
                    if (!async.AsyncWaitHandle.WaitOne(delay)) ps.Stop();
                    output = ps.EndInvoke(async) is { } o ? new Collection<PSObject>(o.ToList()) : output;
                }
                else
                {
                    output = ps.Invoke();
                }
            }
            catch (RuntimeException ex)
            {
                terminating = ex;
            }
            return new PsResult
            {
                Output = output,
                Errors = ps.Streams.Error.ToList(),
                Warnings = ps.Streams.Warning.Select(w => w.Message).ToList(),
                Verbose = ps.Streams.Verbose.Select(v => v.Message).ToList(),
                Progress = ps.Streams.Progress.ToList(),
                HostText = host.Text,
                Terminating = terminating,
            };
        }

        /// <summary>Quotes a string as a PowerShell single-quoted literal.</summary>
        public static string Quote(string value) => "'" + value.Replace("'", "''") + "'";
    }
}
