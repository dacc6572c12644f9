using System;
using System.IO;
using System.Text;
using DrTools.Core.Diagnostics;

namespace DrTools.Core.IO
{
    /// <summary>
    /// Small text files DrTools writes for the user (plans from New-DrPlan, policies from Get-DrIamPolicy): written
    /// beside the target, flushed to disk and renamed into place, so an interrupted write never leaves half a file
    /// where a good one was.
    /// </summary>
    public static class AtomicTextFile
    {
        /// <summary>Writes <paramref name="text"/> and a newline as UTF-8 without a BOM to <paramref name="path"/>, replacing it.</summary>
        /// <exception cref="DrToolsException">DrTools.InvalidParameter (WriteError) when it cannot be written; nothing is left behind.</exception>
        public static void Write(string path, string text, string recommendedAction)
        {
            var temp = path + ".tmp-" + Guid.NewGuid().ToString("N").Substring(0, 8);
            try
            {
                var bytes = new UTF8Encoding(false).GetBytes(text + Environment.NewLine);
                using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
                {
                    stream.Write(bytes, 0, bytes.Length);
                    stream.Flush(true);
                }
                if (File.Exists(path)) File.Replace(temp, path, null);
                else File.Move(temp, path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                try { File.Delete(temp); } catch (Exception) { /* best effort */ }
                throw new DrToolsException(ErrorIds.InvalidParameter, DrErrorCategory.WriteError, $"Could not write '{path}': {ex.Message}", path, recommendedAction, ex);
            }
        }
    }
}
