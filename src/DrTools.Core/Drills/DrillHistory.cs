using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Backup.Storage;
using DrTools.Core.Diagnostics;
using DrTools.Core.Recovery.Engine;

namespace DrTools.Core.Drills
{
    /// <summary>
    /// Drill results kept where the recovery journals live (a folder or an S3 prefix): key
    /// drills/&lt;plan&gt;/&lt;utc start&gt;-&lt;run id&gt;.json, each written whole (folder: temporary file, flush, rename; S3: one put).
    /// A resumed drill writes its result under the same key, replacing the earlier attempt's.
    /// </summary>
    public sealed class DrillHistory
    {
        static readonly JsonSerializerOptions Json = new()
        {
            WriteIndented = true,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            Converters = { new JsonStringEnumConverter() },
        };

        readonly IRepositoryStore _store;

        public DrillHistory(IRepositoryStore store) => _store = store ?? throw new ArgumentNullException(nameof(store));
        public DrillHistory(RecoveryJournalStore journals) : this((journals ?? throw new ArgumentNullException(nameof(journals))).Store) { }

        public string Location => _store.Location;

        static string Prefix(string plan) => "drills/" + RecoveryJournalStore.SafeName(plan) + "/";

        static string KeyOf(DrillResult r) =>
            Prefix(r.Plan) + r.Started.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture) + "-" + RecoveryJournalStore.SafeName(r.RunId) + ".json";

        /// <summary>Writes the result atomically; returns where.</summary>
        /// <exception cref="DrToolsException">DrTools.JournalError when it cannot be written.</exception>
        public async Task<string> SaveAsync(DrillResult result, CancellationToken ct)
        {
            var key = KeyOf(result);
            var bytes = JsonSerializer.SerializeToUtf8Bytes(result, Json);
            byte[] sha;
            using (var h = SHA256.Create()) sha = h.ComputeHash(bytes);
            try
            {
                await _store.PutAsync(key, bytes, bytes.Length, sha, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is DrToolsException or IOException or UnauthorizedAccessException or NotSupportedException)
            {
                throw new DrToolsException(ErrorIds.JournalError, DrErrorCategory.WriteError,
                    $"Could not save the result of drill {result.RunId} in '{Location}': {ex.Message}", key,
                    "Check that the journal location (-JournalPath) is writable; the drill itself has finished (its result is still returned).", ex);
            }
            return key;
        }

        /// <summary>The plan's drills, newest first (by start, then run id); unreadable records are skipped with a warning.</summary>
        public async Task<IReadOnlyList<DrillResult>> ListAsync(string plan, string? runId = null, int? last = null, IOperationReporter? reporter = null,
            CancellationToken ct = default)
        {
            var prefix = Prefix(plan);
            IReadOnlyList<StoredObject> objects;
            try { objects = await _store.ListAsync(prefix, ct).ConfigureAwait(false); }
            catch (Exception ex) when (ex is DrToolsException or IOException or UnauthorizedAccessException)
            {
                throw new DrToolsException(ErrorIds.JournalError, DrErrorCategory.ReadError,
                    $"Could not list the drill history of plan '{plan}' in '{Location}': {ex.Message}", plan, "Check -JournalPath and access to it.", ex);
            }
            var results = new List<DrillResult>();
            foreach (var o in objects)
            {
                var name = o.Key.Substring(prefix.Length);
                if (name.IndexOf('/') >= 0 || !name.EndsWith(".json", StringComparison.OrdinalIgnoreCase)) continue;
                if (runId != null && !name.EndsWith("-" + RecoveryJournalStore.SafeName(runId) + ".json", StringComparison.Ordinal)) continue;
                try
                {
                    using var stream = await _store.OpenReadAsync(o.Key, ct).ConfigureAwait(false);
                    if (stream == null) continue;
                    var r = await JsonSerializer.DeserializeAsync<DrillResult>(stream, Json, ct).ConfigureAwait(false);
                    if (r != null && string.Equals(r.Plan, plan, StringComparison.Ordinal) && (runId == null || r.RunId == runId)) results.Add(r);
                }
                catch (Exception ex) when (ex is JsonException or DrToolsException or IOException or NotSupportedException)
                {
                    reporter?.Warning($"Skipping the unreadable drill record '{o.Key}' in '{Location}': {ex.Message}");
                }
            }
            IEnumerable<DrillResult> ordered = results.OrderByDescending(r => r.Started).ThenByDescending(r => r.RunId, StringComparer.Ordinal);
            if (last is { } n) ordered = ordered.Take(n);
            return ordered.ToList();
        }

        /// <summary>The newest drill of the plan that passed, or null (the readiness check compares it with drill.maxAge).</summary>
        public async Task<DrillResult?> LatestPassingAsync(string plan, CancellationToken ct = default) =>
            (await ListAsync(plan, ct: ct).ConfigureAwait(false)).FirstOrDefault(r => r.Passed);
    }
}
