using System;
using System.IO;
using System.Text;
using DrTools.Core.Diagnostics;

namespace DrTools.Core.Reports
{
    /// <summary>The three renderings of a report.</summary>
    public enum ReportFormat { Html, Markdown, Json }

    /// <summary>Renders a report and writes it: complete or not at all.</summary>
    public static class ReportFile
    {
        public static string Render(DrReport report, ReportFormat format) => format switch
        {
            ReportFormat.Markdown => MarkdownReportRenderer.Render(report),
            ReportFormat.Json => JsonReportRenderer.Render(report),
            _ => HtmlReportRenderer.Render(report),
        };

        /// <summary>The format a file name asks for: .md/.markdown Markdown, .json Json, else Html.</summary>
        public static ReportFormat FormatOf(string path)
        {
            var ext = Path.GetExtension(path).ToLowerInvariant();
            return ext is ".md" or ".markdown" ? ReportFormat.Markdown : ext == ".json" ? ReportFormat.Json : ReportFormat.Html;
        }

        /// <summary>
        /// Writes <paramref name="text"/> (UTF-8, no BOM) to a temporary file beside <paramref name="path"/>, flushes it to disk and
        /// renames it into place, so a crash or a full disk never leaves half a report in place of a good one.
        /// </summary>
        /// <exception cref="DrToolsException">DrTools.AlreadyExists without <paramref name="overwrite"/>; DrTools.NotFound when the folder
        /// is missing; DrTools.WriteError when it cannot be written (the temporary file is removed).</exception>
        public static void WriteAtomic(string path, string text, bool overwrite)
        {
            var full = Path.GetFullPath(path);
            if (Directory.Exists(full))
                throw new DrToolsException(ErrorIds.InvalidParameter, DrErrorCategory.InvalidArgument, $"'{full}' is a folder.", full,
                    "Pass the path of the report file to write, e.g. .\\failover.html.");
            var folder = Path.GetDirectoryName(full);
            if (!string.IsNullOrEmpty(folder) && !Directory.Exists(folder))
                throw new DrToolsException(ErrorIds.NotFound, DrErrorCategory.ObjectNotFound, $"The folder '{folder}' does not exist.", folder,
                    "Create the folder first, or choose another -Path.");
            if (File.Exists(full) && !overwrite) throw Exists(full);
            var temp = Path.Combine(folder ?? ".", "." + Path.GetFileName(full) + ".tmp-" + Guid.NewGuid().ToString("N").Substring(0, 8));
            try
            {
                var bytes = new UTF8Encoding(false).GetBytes(text);
                using (var f = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
                {
                    f.Write(bytes, 0, bytes.Length);
                    f.Flush(flushToDisk: true);
                }
                if (File.Exists(full))
                {
                    if (!overwrite) throw Exists(full);
                    File.Replace(temp, full, null);
                }
                else File.Move(temp, full);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
            {
                TryDelete(temp);
                if (!overwrite && File.Exists(full)) throw Exists(full);
                throw new DrToolsException(ReportErrorIds.WriteFailed, DrErrorCategory.WriteError, $"Could not write the report '{full}': {ex.Message}", full,
                    "Check that the folder is writable by this account, has free space, and the file is not open elsewhere.", ex);
            }
            catch (DrToolsException)
            {
                TryDelete(temp);
                throw;
            }
        }

        static DrToolsException Exists(string path) =>
            new(ErrorIds.AlreadyExists, DrErrorCategory.ResourceExists, $"The report '{path}' already exists.", path,
                "Add -Force to replace it, or choose another -Path.");

        static void TryDelete(string path)
        {
            try { if (File.Exists(path)) File.Delete(path); }
            catch (Exception) { /* best effort: a leftover temporary is named as one */ }
        }
    }
}

namespace DrTools.Core.Reports
{
    /// <summary>Error ids of Export-DrReport (besides the shared DrTools.AlreadyExists, DrTools.NotFound, DrTools.JournalError).</summary>
    public static class ReportErrorIds
    {
        /// <summary>The report file could not be written (permissions, disk full, file locked); nothing was left in its place.</summary>
        public const string WriteFailed = "DrTools.ReportWriteFailed";
        /// <summary>A piped object is not something a report shows (non-terminating, per object).</summary>
        public const string UnsupportedInput = "DrTools.UnsupportedReportInput";
        /// <summary>Nothing to report: no input object was usable, or the plan has no recorded runs.</summary>
        public const string NothingToReport = "DrTools.NothingToReport";
    }
}
