using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Runtime.InteropServices;
using DrTools.Core.Connection;
using DrTools.Core.Diagnostics;
using DrTools.Core.Drills;
using DrTools.Core.Plans;
using DrTools.Core.Recovery.Engine;
using DrTools.Core.Reports;
using DrTools.PowerShell.Infrastructure;

namespace DrTools.PowerShell.Cmdlets.Reports
{
    /// <summary>
    /// Writes one report (HTML, Markdown or JSON) of what was piped in (recovery results, drills, readiness checks,
    /// backups, restore tests) or of a plan's recorded runs (-Plan [-Last], -RunId). The core builds and renders it.
    /// </summary>
    [Cmdlet(VerbsData.Export, "DrReport", HelpUri = HelpLinks.Cmdlets + "Export-DrReport.md", DefaultParameterSetName = "Input",
        SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(FileInfo))]
    public sealed class ExportDrReportCommand : DrCmdlet
    {
        readonly ReportInputs _inputs = new();
        readonly List<object> _refused = new();
        DrPlan? _plan;

        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = "Input")]
        [AllowEmptyCollection]
        public object[] InputObject { get; set; } = Array.Empty<object>();

        /// <summary>A plan object, a .json/.psd1 path or a hashtable: the report covers its recorded runs.</summary>
        [Parameter(Mandatory = true, ParameterSetName = "Plan")]
        [Parameter(ParameterSetName = "RunId")]
        [ValidateNotNull]
        [ArgumentCompleter(typeof(PlanFileCompleter))]
        public object? Plan { get; set; }

        [Parameter(ParameterSetName = "Plan")]
        [ValidateRange(1, 1000)]
        public int Last { get; set; } = 10;

        [Parameter(Mandatory = true, ParameterSetName = "RunId")]
        [ValidateNotNullOrEmpty]
        public string[] RunId { get; set; } = Array.Empty<string>();

        [Parameter(Mandatory = true)]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = "";

        /// <summary>Html (default; .md and .json paths default to Markdown and Json).</summary>
        [Parameter]
        [ValidateSet("Html", "Markdown", "Json", IgnoreCase = true)]
        public string? Format { get; set; }

        [Parameter]
        public SwitchParameter Open { get; set; }

        [Parameter]
        public SwitchParameter Redact { get; set; }

        [Parameter(ParameterSetName = "Plan")]
        [Parameter(ParameterSetName = "RunId")]
        [ValidateNotNullOrEmpty]
        public string? JournalPath { get; set; }

        /// <summary>The time zone of every time in the report, e.g. UTC or Europe/Berlin; default the computer's.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? TimeZone { get; set; }

        /// <summary>Replace an existing report file and skip the confirmation prompt.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        ReportInputs Inputs => _inputs;

        /// <summary>The identity is asked in the DR region of the plan, or the region of the first thing reported on.</summary>
        protected override string? PlanRegion =>
            _plan?.DrRegion
            ?? Inputs.Readiness.Select(c => c.Region).FirstOrDefault(r => r != Core.Plans.Readiness.ReadinessChecker.GlobalRegion)
            ?? Inputs.RecoveryPoints.Select(p => p.Region).FirstOrDefault()
            ?? Inputs.Recoveries.SelectMany(r => r.Steps).SelectMany(s => s.Resources).Select(x => x.Region).FirstOrDefault(r => r != null);

        protected override void ProcessRecord()
        {
            if (ParameterSetName != "Input") return;
            foreach (var item in InputObject ?? Array.Empty<object>())
            {
                var value = item is PSObject pso ? pso.BaseObject : item;
                if (value == null) continue;
                // `Invoke-DrFailover ... 2>&1 | Export-DrReport`: a failed step's error carries the run's result, which came first.
                if (value is ErrorRecord error && error.TargetObject is { } target && (target is PSObject t ? t.BaseObject : target) is RecoveryResult run)
                {
                    if (!Inputs.Recoveries.Contains(run)) Inputs.Recoveries.Add(run);
                    continue;
                }
                if (Inputs.Add(value)) continue;
                _refused.Add(value);
                WriteError(ErrorRecords.From(new DrToolsException(ReportErrorIds.UnsupportedInput, DrErrorCategory.InvalidArgument,
                    $"Export-DrReport cannot report on a {value.GetType().Name}; it is left out of the report.", value,
                    "Pipe " + ReportInputs.AcceptedTypes + ", or use -Plan to report a plan's recorded runs.")));
            }
        }

        protected override void EndProcessing()
        {
            if (ParameterSetName != "Input") CollectRuns();
            if (Inputs.IsEmpty)
                Fail(new DrToolsException(ReportErrorIds.NothingToReport, DrErrorCategory.InvalidArgument,
                    _refused.Count > 0 ? "None of the piped objects can be reported on; no report was written." : "There is nothing to report; no report was written.",
                    Path, "Pipe " + ReportInputs.AcceptedTypes + ", or use -Plan with a plan that has recorded runs (check -JournalPath)."));

            var path = GetUnresolvedProviderPathFromPSPath(Path);
            var format = Format != null ? (ReportFormat)Enum.Parse(typeof(ReportFormat), Format, ignoreCase: true) : ReportFile.FormatOf(path);
            var zone = ResolveZone();
            if (File.Exists(path) && !Force)
                Fail(new DrToolsException(ErrorIds.AlreadyExists, DrErrorCategory.ResourceExists, $"The report '{path}' already exists.", path,
                    "Add -Force to replace it, or choose another -Path."));
            var what = Describe();
            var formatName = format switch { ReportFormat.Html => "an HTML", ReportFormat.Json => "a JSON", _ => "a Markdown" };
            if (!Confirmed(path, (File.Exists(path) ? "Replace with " : "Write ") + $"{formatName} DR report of {what}")) return;

            var options = new ReportOptions { TimeZone = zone, Redact = Redact };
            AddSecrets(options);
            var connection = CallerConnection(options);
            Run(async ct =>
            {
                if (connection != null) await ReportCaller.FillAsync(new AwsClientFactory(connection), options, ct).ConfigureAwait(false);
                var report = ReportBuilder.Build(Inputs, options);
                ReportFile.WriteAtomic(path, ReportFile.Render(report, format), overwrite: Force);
                Reporter.Verbose($"Wrote {formatName} report of {what} to {path} ({report.Result}).");
            });
            var file = new FileInfo(path);
            WriteObject(file);
            if (Open) OpenFile(file.FullName);
        }

        /// <summary>-Plan [-Last] and -RunId: the recorded runs from the journal location (a folder or S3).</summary>
        void CollectRuns()
        {
            if (Plan != null)
            {
                _plan = PlanInput.Resolve(this, Plan);
                Inputs.Plans.Add(_plan);
            }
            RecoveryJournalStore journals;
            try { journals = OpenJournals(JournalPath); }
            catch (DrToolsException ex) { Fail(ex); return; }
            Run(async ct =>
            {
                if (ParameterSetName == "Plan")
                {
                    var runs = journals.List(_plan!.Name);
                    foreach (var run in runs.Take(Last)) Inputs.Journals.Add(run);
                    // Drills are kept beside the journals (Invoke-DrDrill): the newest -Last of them join the report.
                    var drills = await new DrillHistory(journals).ListAsync(_plan.Name, last: Last, reporter: Reporter, ct: ct).ConfigureAwait(false);
                    foreach (var drill in drills) Inputs.Add(drill);
                    Reporter.Verbose($"Plan '{_plan.Name}': {runs.Count} recorded run(s) and {drills.Count} drill(s) in {journals.Location}; " +
                                     $"reporting the newest {Math.Min(Last, runs.Count)} run(s).");
                }
                else
                {
                    foreach (var id in RunId)
                    {
                        var journal = _plan != null ? journals.Load(_plan.Name, id) : journals.FindRun(id)
                            ?? throw new DrToolsException(ErrorIds.NotFound, DrErrorCategory.ObjectNotFound,
                                $"There is no recovery run '{id}' in '{journals.Location}'.", id,
                                "Check the run id (RecoveryResult.RunId) and -JournalPath, or add -Plan.");
                        Inputs.Journals.Add(journal);
                    }
                }
            });
        }

        string Describe()
        {
            var parts = new List<string>();
            void Add(int n, string what) { if (n > 0) parts.Add($"{n} {what}{(n == 1 ? "" : "s")}"); }
            Add(Inputs.Recoveries.Count + Inputs.Journals.Count, "recovery run");
            Add(Inputs.Drills.Count, "drill");
            Add(Inputs.Readiness.Count, "readiness check");
            Add(Inputs.BackupSets.Count + Inputs.RecoveryPoints.Count, "backup");
            Add(Inputs.RestoreTests.Count, "restore test");
            return string.Join(", ", parts);
        }

        TimeZoneInfo ResolveZone()
        {
            if (TimeZone == null) return TimeZoneInfo.Local;
            if (string.Equals(TimeZone, "UTC", StringComparison.OrdinalIgnoreCase)) return TimeZoneInfo.Utc;
            try { return TimeZoneInfo.FindSystemTimeZoneById(TimeZone); }
            catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
            {
                Fail(new DrToolsException(ErrorIds.InvalidParameter, DrErrorCategory.InvalidArgument, $"'{TimeZone}' is not a time zone this computer knows.", TimeZone,
                    "Pass UTC, or an id from Get-TimeZone -ListAvailable (Windows ids such as 'W. Europe Standard Time', or IANA ids such as 'Europe/Berlin')."));
                throw; // not reached
            }
        }

        /// <summary>The connection's secrets and those given as parameters: removed from every text of the report.</summary>
        void AddSecrets(ReportOptions options)
        {
            if (SecretKey != null) options.Secrets.Add(SecretKey);
            if (SessionToken != null) options.Secrets.Add(SessionToken);
        }

        bool ConnectionParametersGiven => new[] { "Region", "ProfileName", "ProfileLocation", "Credential", "AccessKey", "EndpointUrl" }
            .Any(MyInvocation.BoundParameters.ContainsKey);

        /// <summary>
        /// The connection to ask the AWS caller identity with, when the report is about AWS (or connection parameters were
        /// given) and credentials are there; otherwise null and a note that says why. Never fails the report.
        /// </summary>
        AwsConnection? CallerConnection(ReportOptions options)
        {
            if (!Inputs.HasAwsInput && !ConnectionParametersGiven)
            {
                options.Notes.Add("The AWS caller identity was not checked: nothing in this report came from AWS.");
                return null;
            }
            var connection = TryConnection(out var whyNot);
            if (connection == null)
            {
                options.Notes.Add("The AWS caller identity was not checked: " + (whyNot?.Message ?? "there is no AWS connection."));
                return null;
            }
            options.Secrets.AddRange(ReportOptions.SecretsOf(connection));
            return connection;
        }

        /// <summary>Opens the report with the platform's opener; a report is never lost because there is none.</summary>
        void OpenFile(string path)
        {
            try
            {
                ProcessStartInfo psi;
                if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) psi = new ProcessStartInfo(path) { UseShellExecute = true };
                else if (RuntimeInformation.IsOSPlatform(OSPlatform.OSX)) psi = new ProcessStartInfo("open", Quote(path)) { UseShellExecute = false };
                else
                {
                    // A server or a container has no desktop to open a browser in.
                    if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DISPLAY")) && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("WAYLAND_DISPLAY")))
                    {
                        WriteWarning($"-Open: there is no desktop session to open the report in; it is at {path}.");
                        return;
                    }
                    psi = new ProcessStartInfo("xdg-open", Quote(path)) { UseShellExecute = false };
                }
                using var p = Process.Start(psi);
                WriteVerbose($"Opened {path}.");
            }
            catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException or FileNotFoundException or PlatformNotSupportedException)
            {
                WriteWarning($"-Open: the report could not be opened ({ex.Message}); it is at {path}.");
            }
        }

        static string Quote(string path) => "\"" + path.Replace("\"", "\\\"") + "\"";

        void Fail(DrToolsException ex) => ThrowTerminatingError(ErrorRecords.From(ex));
    }
}
