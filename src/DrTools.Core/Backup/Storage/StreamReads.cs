using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace DrTools.Core.Backup.Storage
{
    internal static class StreamReads
    {
        /// <summary>Reads until <paramref name="count"/> bytes are in <paramref name="buffer"/> or the stream ends; returns how many were read.</summary>
        public static async Task<int> FillAsync(Stream stream, byte[] buffer, int count, CancellationToken ct)
        {
            int filled = 0, n;
            while (filled < count && (n = await stream.ReadAsync(buffer, filled, count - filled, ct).ConfigureAwait(false)) > 0) filled += n;
            return filled;
        }
    }
}
