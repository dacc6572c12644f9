using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading;
using DrTools.Core.Diagnostics;

namespace DrTools.Core.Recovery.Engine
{
    /// <summary>
    /// Recovery journals on disk: &lt;directory&gt;/&lt;plan name&gt;/&lt;run id&gt;.json. Every save writes a temporary
    /// file in the same folder, flushes it to disk and renames it over the journal, so the file is always either
    /// the previous or the new complete JSON document, even if the process dies mid-write.
    /// </summary>
    public sealed class RecoveryJournalStore
    {
        internal static readonly JsonSerializerOptions Json = new()
        {
            WriteIndented = true,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            Converters = { new JsonStringEnumConverter() },
        };

        public RecoveryJournalStore(string directory)
        {
            if (string.IsNullOrWhiteSpace(directory)) throw new ArgumentException("A journal directory is required.", nameof(directory));
            Directory = Path.GetFullPath(directory);
        }

        /// <summary>%LOCALAPPDATA%\DrTools\journals on Windows, ~/.local/share/DrTools/journals elsewhere.</summary>
        public static string DefaultDirectory =>
            Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create),
                "DrTools", "journals");

        public string Directory { get; }

        /// <summary>Called after each successful save with the journal path (tests check the file at every point).</summary>
        internal Action<string>? AfterSave { get; set; }

        public string PathOf(string planName, string runId) => Path.Combine(Directory, SafeName(planName), SafeName(runId) + ".json");

        /// <summary>Writes the journal atomically (temp file, flush, rename).</summary>
        /// <exception cref="DrToolsException">DrTools.JournalError when the file cannot be written.</exception>
        public string Save(RecoveryJournal journal)
        {
            var path = PathOf(journal.PlanName, journal.RunId);
            var temp = path + "." + Guid.NewGuid().ToString("N").Substring(0, 8) + ".tmp";
            try
            {
                System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                var bytes = JsonSerializer.SerializeToUtf8Bytes(journal, Json);
                using (var fs = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.WriteThrough))
                {
                    fs.Write(bytes, 0, bytes.Length);
                    fs.Flush(true);
                }
                Replace(temp, path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
            {
                TryDelete(temp);
                throw new DrToolsException(ErrorIds.JournalError, DrErrorCategory.WriteError,
                    $"Could not write the recovery journal '{path}': {ex.Message}", path,
                    "Check that the journal folder exists, is writable and has free space, or pass another journal folder.", ex);
            }
            AfterSave?.Invoke(path);
            return path;
        }

        /// <summary>Reads one run's journal.</summary>
        /// <exception cref="DrToolsException">DrTools.NotFound when there is no such run; DrTools.JournalError when the file is unreadable.</exception>
        public RecoveryJournal Load(string planName, string runId)
        {
            var path = PathOf(planName, runId);
            if (!File.Exists(path))
                throw new DrToolsException(ErrorIds.NotFound, DrErrorCategory.ObjectNotFound,
                    $"There is no recovery run '{runId}' of plan '{planName}' in '{Directory}'.", runId,
                    "Check the run id (the journals are in the folder named after the plan), or start a new run without -Resume.");
            var journal = Read(path);
            if (!string.Equals(journal.PlanName, planName, StringComparison.Ordinal))
                throw new DrToolsException(ErrorIds.JournalError, DrErrorCategory.InvalidData,
                    $"The journal '{path}' belongs to plan '{journal.PlanName}', not '{planName}'.", path,
                    "Resume the run with the plan it was started with.");
            return journal;
        }

        /// <summary>All runs of a plan, newest first; unreadable files are skipped.</summary>
        public IReadOnlyList<RecoveryJournal> List(string planName)
        {
            var folder = Path.Combine(Directory, SafeName(planName));
            if (!System.IO.Directory.Exists(folder)) return Array.Empty<RecoveryJournal>();
            var runs = new List<RecoveryJournal>();
            foreach (var file in System.IO.Directory.GetFiles(folder, "*.json"))
            {
                try
                {
                    var j = Read(file);
                    if (string.Equals(j.PlanName, planName, StringComparison.Ordinal)) runs.Add(j);
                }
                catch (DrToolsException) { /* a foreign or damaged file must not hide the other runs */ }
            }
            return runs.OrderByDescending(r => r.Started).ThenByDescending(r => r.RunId, StringComparer.Ordinal).ToList();
        }

        /// <summary>The newest run of the plan that did not succeed, or null.</summary>
        public RecoveryJournal? FindLatestUnfinished(string planName) => List(planName).FirstOrDefault(r => r.IsUnfinished);

        static RecoveryJournal Read(string path)
        {
            try
            {
                var journal = JsonSerializer.Deserialize<RecoveryJournal>(File.ReadAllBytes(path), Json)
                              ?? throw new JsonException("the file is empty (null)");
                if (journal.FormatVersion > RecoveryJournal.CurrentFormatVersion)
                    throw new JsonException($"format version {journal.FormatVersion} is newer than this DrTools understands ({RecoveryJournal.CurrentFormatVersion})");
                return journal;
            }
            catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException or NotSupportedException)
            {
                throw new DrToolsException(ErrorIds.JournalError, DrErrorCategory.ReadError,
                    $"Could not read the recovery journal '{path}': {ex.Message}", path,
                    "Start a new run without -Resume (completed steps are detected and skipped), or update DrTools if the journal is from a newer version.", ex);
            }
        }

        static void Replace(string temp, string path)
        {
            // Windows: File.Replace can fail briefly while a scanner holds the file; retry a few times.
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    if (File.Exists(path)) File.Replace(temp, path, null, ignoreMetadataErrors: true);
                    else File.Move(temp, path);
                    return;
                }
                catch (IOException) when (attempt < 5)
                {
                    Thread.Sleep(20 * attempt);
                }
                catch (UnauthorizedAccessException) when (attempt < 5)
                {
                    Thread.Sleep(20 * attempt);
                }
            }
        }

        static void TryDelete(string path)
        {
            try { if (File.Exists(path)) File.Delete(path); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }

        /// <summary>Keeps names usable as file names on every OS (plan names are already restricted by the loader).</summary>
        internal static string SafeName(string name)
        {
            var sb = new StringBuilder(name.Length);
            foreach (var c in name)
                sb.Append(char.IsLetterOrDigit(c) || c == '-' || c == '_' || c == '.' ? c : '_');
            var s = sb.ToString().Trim('.');
            return s.Length == 0 ? "_" : s;
        }
    }
}
