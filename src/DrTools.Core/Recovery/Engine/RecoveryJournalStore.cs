using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading;
using System.Security.Cryptography;
using DrTools.Core.Backup.Storage;
using DrTools.Core.Diagnostics;

namespace DrTools.Core.Recovery.Engine
{
    /// <summary>
    /// Recovery journals in a folder or an S3 prefix (the backup repository's stores): key &lt;plan name&gt;/&lt;run id&gt;.json.
    /// Every save is atomic: a folder store writes a temporary file, flushes it to disk and renames it over the journal;
    /// an S3 store puts the whole object. A journal is always either the previous or the new complete JSON document.
    /// The engine saves under its state lock, so this class is synchronous over the async store (the core installs no
    /// synchronization context, and every store call has its own timeout).
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

        readonly IRepositoryStore _store;

        /// <summary>Journals in a folder (created on the first save).</summary>
        public RecoveryJournalStore(string directory)
        {
            if (string.IsNullOrWhiteSpace(directory)) throw new ArgumentException("A journal directory is required.", nameof(directory));
            _store = new FolderStore(Path.GetFullPath(directory));
        }

        /// <summary>Journals in any repository store: a <see cref="FolderStore"/> or an <see cref="S3Store"/> prefix.</summary>
        public RecoveryJournalStore(IRepositoryStore store) => _store = store ?? throw new ArgumentNullException(nameof(store));

        /// <summary>%LOCALAPPDATA%\DrTools\journals on Windows, ~/.local/share/DrTools/journals elsewhere.</summary>
        public static string DefaultDirectory =>
            Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create),
                "DrTools", "journals");

        /// <summary>The store under the journals; drill history (DrillHistory) is kept beside them.</summary>
        public IRepositoryStore Store => _store;

        /// <summary>Where the journals are, as users see it: a folder path or s3://bucket/prefix.</summary>
        public string Location => _store.Location;

        /// <summary>Called after each successful save with the journal path (tests check the file at every point).</summary>
        internal Action<string>? AfterSave { get; set; }

        static string KeyOf(string planName, string runId) => SafeName(planName) + "/" + SafeName(runId) + ".json";

        /// <summary>The journal's file path, or its s3://bucket/prefix/plan/run.json URI.</summary>
        public string PathOf(string planName, string runId) => Display(KeyOf(planName, runId));

        string Display(string key) => _store is FolderStore
            ? Path.Combine(_store.Location, key.Replace('/', Path.DirectorySeparatorChar))
            : _store.Location.TrimEnd('/') + "/" + key;

        /// <summary>Writes the journal atomically.</summary>
        /// <exception cref="DrToolsException">DrTools.JournalError when it cannot be written.</exception>
        public string Save(RecoveryJournal journal)
        {
            var key = KeyOf(journal.PlanName, journal.RunId);
            var path = Display(key);
            var bytes = JsonSerializer.SerializeToUtf8Bytes(journal, Json);
            byte[] sha256;
            using (var sha = SHA256.Create()) sha256 = sha.ComputeHash(bytes);
            // Not cancellable: the last save of a cancelled run records which steps were cancelled.
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    _store.PutAsync(key, bytes, bytes.Length, sha256, CancellationToken.None).GetAwaiter().GetResult();
                    break;
                }
                catch (Exception ex) when (_store is FolderStore && attempt < 5 && IsTransientFileError(ex))
                {
                    // Windows: replacing the file can fail briefly while a scanner holds it.
                    Thread.Sleep(20 * attempt);
                }
                catch (Exception ex) when (ex is DrToolsException or IOException or UnauthorizedAccessException or NotSupportedException)
                {
                    throw new DrToolsException(ErrorIds.JournalError, DrErrorCategory.WriteError,
                        $"Could not write the recovery journal '{path}': {ex.Message}", path,
                        "Check that the journal location (folder or S3 prefix) exists, is writable and has free space, or pass another -JournalPath.", ex);
                }
            }
            AfterSave?.Invoke(path);
            return path;
        }

        /// <summary>True when the run has a journal.</summary>
        /// <exception cref="DrToolsException">DrTools.JournalError when the location cannot be read.</exception>
        public bool Exists(string planName, string runId)
        {
            var path = PathOf(planName, runId);
            try { return _store.ExistsAsync(KeyOf(planName, runId), CancellationToken.None).GetAwaiter().GetResult(); }
            catch (Exception ex) when (ex is DrToolsException or IOException or UnauthorizedAccessException)
            {
                throw ReadError(path, ex);
            }
        }

        /// <summary>Reads one run's journal.</summary>
        /// <exception cref="DrToolsException">DrTools.NotFound when there is no such run; DrTools.JournalError when it is unreadable.</exception>
        public RecoveryJournal Load(string planName, string runId)
        {
            var key = KeyOf(planName, runId);
            var path = Display(key);
            var journal = Read(key)
                ?? throw new DrToolsException(ErrorIds.NotFound, DrErrorCategory.ObjectNotFound,
                    $"There is no recovery run '{runId}' of plan '{planName}' in '{Location}'.", runId,
                    "Check the run id (the journals are in the folder named after the plan) and -JournalPath, or start a new run without -Resume.");
            if (!string.Equals(journal.PlanName, planName, StringComparison.Ordinal))
                throw new DrToolsException(ErrorIds.JournalError, DrErrorCategory.InvalidData,
                    $"The journal '{path}' belongs to plan '{journal.PlanName}', not '{planName}'.", path,
                    "Resume the run with the plan it was started with.");
            return journal;
        }

        /// <summary>All runs of a plan, newest first; unreadable journals are skipped.</summary>
        /// <exception cref="DrToolsException">DrTools.JournalError when the location cannot be listed.</exception>
        public IReadOnlyList<RecoveryJournal> List(string planName)
        {
            var prefix = SafeName(planName) + "/";
            IReadOnlyList<StoredObject> objects;
            try { objects = _store.ListAsync(prefix, CancellationToken.None).GetAwaiter().GetResult(); }
            catch (Exception ex) when (ex is DrToolsException or IOException or UnauthorizedAccessException)
            {
                throw ReadError(Display(prefix), ex);
            }
            var runs = new List<RecoveryJournal>();
            foreach (var o in objects)
            {
                // Only <plan>/<run>.json: not temporaries, not anything in deeper folders.
                var name = o.Key.Substring(prefix.Length);
                if (name.IndexOf('/') >= 0 || !name.EndsWith(".json", StringComparison.OrdinalIgnoreCase)) continue;
                try
                {
                    var j = Read(o.Key);
                    if (j != null && string.Equals(j.PlanName, planName, StringComparison.Ordinal)) runs.Add(j);
                }
                catch (DrToolsException) { /* a foreign or damaged journal must not hide the other runs */ }
            }
            return runs.OrderByDescending(r => r.Started).ThenByDescending(r => r.RunId, StringComparer.Ordinal).ToList();
        }

        /// <summary>The journal of a run of any plan (Export-DrReport -RunId without -Plan), or null when there is none.</summary>
        /// <exception cref="DrToolsException">DrTools.JournalError when the location cannot be listed or the journal read.</exception>
        public RecoveryJournal? FindRun(string runId)
        {
            var file = "/" + SafeName(runId) + ".json";
            IReadOnlyList<StoredObject> objects;
            try { objects = _store.ListAsync("", CancellationToken.None).GetAwaiter().GetResult(); }
            catch (Exception ex) when (ex is DrToolsException or IOException or UnauthorizedAccessException)
            {
                throw ReadError(Location, ex);
            }
            // <plan>/<run>.json only; the newest when two plans have a run of that id.
            return objects.Where(o => o.Key.EndsWith(file, StringComparison.Ordinal) && o.Key.IndexOf('/') == o.Key.Length - file.Length)
                .Select(o => Read(o.Key)).Where(j => j != null && j.RunId == runId)
                .OrderByDescending(j => j!.Started).FirstOrDefault();
        }

        /// <summary>The newest run of the plan that did not succeed, or null.</summary>
        public RecoveryJournal? FindLatestUnfinished(string planName) => List(planName).FirstOrDefault(r => r.IsUnfinished);

        /// <summary>The journal under the key; null when there is none.</summary>
        RecoveryJournal? Read(string key)
        {
            var path = Display(key);
            try
            {
                byte[] bytes;
                using (var stream = _store.OpenReadAsync(key, CancellationToken.None).GetAwaiter().GetResult())
                {
                    if (stream == null) return null;
                    using var buffer = new MemoryStream();
                    stream.CopyToAsync(buffer, 81920, CancellationToken.None).GetAwaiter().GetResult();
                    bytes = buffer.ToArray();
                }
                var journal = JsonSerializer.Deserialize<RecoveryJournal>(bytes, Json)
                              ?? throw new JsonException("the file is empty (null)");
                if (journal.FormatVersion > RecoveryJournal.CurrentFormatVersion)
                    throw new JsonException($"format version {journal.FormatVersion} is newer than this DrTools understands ({RecoveryJournal.CurrentFormatVersion})");
                return journal;
            }
            catch (Exception ex) when (ex is JsonException or DrToolsException or IOException or UnauthorizedAccessException or NotSupportedException)
            {
                throw ReadError(path, ex);
            }
        }

        static DrToolsException ReadError(string path, Exception ex) =>
            new(ErrorIds.JournalError, DrErrorCategory.ReadError,
                $"Could not read the recovery journal '{path}': {ex.Message}", path,
                "Start a new run without -Resume (completed steps are detected and skipped), check -JournalPath and access to it, " +
                "or update DrTools if the journal is from a newer version.", ex);

        static bool IsTransientFileError(Exception ex) =>
            ex is IOException or UnauthorizedAccessException
            || ex is DrToolsException d && (d.ErrorId == ErrorIds.ServiceError || d.ErrorId == ErrorIds.AccessDenied) && d.InnerException is IOException or UnauthorizedAccessException;

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
