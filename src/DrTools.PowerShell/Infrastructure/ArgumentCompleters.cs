using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Threading;
using DrTools.Core.Backup;
using DrTools.Core.Backup.Storage;
using DrTools.Core.Connection;

namespace DrTools.PowerShell.Infrastructure
{
    /// <summary>Shared helpers of the DrTools tab completers: they read local files only, never AWS, and never throw.</summary>
    internal static class Completion
    {
        public static IEnumerable<CompletionResult> Matching(string word, IEnumerable<(string Text, string Tooltip)> items)
        {
            var prefix = Unquote(word);
            return items.Where(i => i.Text.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                .Select(i => new CompletionResult(Quote(i.Text), i.Text, CompletionResultType.ParameterValue, string.IsNullOrEmpty(i.Tooltip) ? i.Text : i.Tooltip));
        }

        public static string Unquote(string? word) => (word ?? "").Trim('\'', '"');

        static string Quote(string text) => text.IndexOfAny(new[] { ' ', '$', '`', '\'', '"', ';', '(', ')', '{', '}', '&', '|', ',' }) >= 0
            ? "'" + text.Replace("'", "''") + "'"
            : text;

        /// <summary>The current PowerShell location in the file system (relative paths in bound parameters are relative to it).</summary>
        public static string CurrentDirectory()
        {
            try
            {
                // Completers run on the pipeline thread of the session, so a scriptblock reads its location.
                var location = ScriptBlock.Create("$ExecutionContext.SessionState.Path.CurrentFileSystemLocation.ProviderPath").Invoke()
                    .FirstOrDefault()?.BaseObject as string;
                if (!string.IsNullOrEmpty(location)) return location!;
            }
            catch (Exception ex) when (ex is RuntimeException or InvalidOperationException) { /* fall back */ }
            return Environment.CurrentDirectory;
        }

        public static string? Bound(IDictionary fakeBoundParameters, string name) =>
            fakeBoundParameters.Contains(name) ? (fakeBoundParameters[name] is PSObject pso ? pso.BaseObject : fakeBoundParameters[name])?.ToString() : null;
    }

    /// <summary>-Region: the regions the AWS SDK knows, as AWS Tools for PowerShell completes them.</summary>
    public sealed class RegionCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters) =>
            Completion.Matching(wordToComplete, AwsNames.Regions().Select(r => (r.Name, $"{r.Name} ({r.DisplayName})")));
    }

    /// <summary>-ProfileName: the profiles in the credentials and config files (or -ProfileLocation) and the SDK store.</summary>
    public sealed class ProfileNameCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters) =>
            Completion.Matching(wordToComplete, AwsNames.ProfileNames(Completion.Bound(fakeBoundParameters, "ProfileLocation")).Select(n => (n, n)));
    }

    /// <summary>
    /// Backup set -Id: the ids in the folder repository already given with -Repository, newest first. S3 repositories
    /// are not listed (that would need credentials and a network call while the admin is typing).
    /// </summary>
    public sealed class BackupSetIdCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var repository = Completion.Bound(fakeBoundParameters, "Repository");
            if (string.IsNullOrWhiteSpace(repository) || RepositoryLocation.LooksLikeUri(repository!) && !repository!.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
                return Array.Empty<CompletionResult>();
            try
            {
                var path = Path.IsPathRooted(repository) || repository!.StartsWith("file:", StringComparison.OrdinalIgnoreCase)
                    ? repository! : Path.Combine(Completion.CurrentDirectory(), repository);
                var location = RepositoryLocation.Parse(path);
                if (location.IsS3 || !Directory.Exists(location.Folder)) return Array.Empty<CompletionResult>();
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                var ids = BackupRepository.ListSetIdsAsync(new FolderStore(location.Folder!), cts.Token).GetAwaiter().GetResult();
                return Completion.Matching(wordToComplete, ids.Reverse().Select(id => (id, id))).ToList();
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                return Array.Empty<CompletionResult>();
            }
        }
    }

    /// <summary>-Plan: plan files (.json, .psd1) and folders, as file-name completion offers them.</summary>
    public sealed class PlanFileCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            try
            {
                return CompletionCompleters.CompleteFilename(wordToComplete ?? "")
                    .Where(r => r.ResultType == CompletionResultType.ProviderContainer ||
                                Completion.Unquote(r.CompletionText).EndsWith(".json", StringComparison.OrdinalIgnoreCase) ||
                                Completion.Unquote(r.CompletionText).EndsWith(".psd1", StringComparison.OrdinalIgnoreCase))
                    .ToList();
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                return Array.Empty<CompletionResult>();
            }
        }
    }
}
