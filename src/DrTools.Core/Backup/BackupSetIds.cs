using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace DrTools.Core.Backup
{
    /// <summary>
    /// Backup set ids as an admin types them: the whole id, or a unique prefix of it (as git and restic accept), so
    /// an id read off a narrow screen or typed by hand still names exactly one set.
    /// </summary>
    public static class BackupSetIds
    {
        /// <summary>The full id <paramref name="idOrPrefix"/> names among <paramref name="ids"/>.</summary>
        /// <exception cref="Diagnostics.DrToolsException">DrTools.BackupSetNotFound when nothing matches; DrTools.InvalidParameter
        /// when the prefix matches several sets (the message lists them).</exception>
        public static string Resolve(string idOrPrefix, IReadOnlyCollection<string> ids, string repository)
        {
            var text = (idOrPrefix ?? "").Trim();
            if (text.Length == 0) throw BackupErrors.SetNotFound(idOrPrefix ?? "", repository);
            if (ids.Contains(text, StringComparer.Ordinal)) return text;
            var matches = ids.Where(id => id.StartsWith(text, StringComparison.OrdinalIgnoreCase)).ToList();
            if (matches.Count == 1) return matches[0];
            if (matches.Count == 0) throw BackupErrors.SetNotFound(text, repository);
            throw BackupErrors.InvalidArgument(
                $"'{text}' is the start of {matches.Count} backup set ids in {repository}: {string.Join(", ", matches.Take(5))}{(matches.Count > 5 ? ", ..." : "")}.",
                text, "Type more of the id, or pipe the set from Get-DrBackup.");
        }

        /// <summary>Resolves each id or prefix against the sets in <paramref name="repo"/> (one listing for all of them).</summary>
        public static async Task<string> ResolveAsync(BackupRepository repo, string idOrPrefix, CancellationToken ct) =>
            Resolve(idOrPrefix, await repo.ListSetIdsAsync(ct).ConfigureAwait(false), repo.Location);
    }
}
