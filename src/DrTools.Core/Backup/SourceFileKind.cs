using System;
using System.IO;
using System.Runtime.InteropServices;

namespace DrTools.Core.Backup
{
    /// <summary>
    /// Tells a FIFO, socket or device from a regular file before a backup opens it: opening a FIFO for reading
    /// blocks until a writer comes (not even Ctrl+C ends that call), and a device like /dev/zero never ends.
    /// .NET's FileAttributes say Normal for all of them, and netstandard2.0 has no file-type API, so on Linux and macOS
    /// this asks the runtime's own native shim (libSystem.Native, part of every .NET Core / .NET 5+ runtime):
    /// SystemNative_Stat fills the runtime's FileStatus struct, whose second field is st_mode. The struct is larger
    /// in newer runtimes, never smaller than its first fields, so a generous buffer is passed. Where the shim is missing
    /// (Windows, .NET Framework, another runtime) nothing is known and the backup's open timeout is the safeguard.
    /// Windows folders hold no FIFOs or devices.
    /// </summary>
    internal static class SourceFileKind
    {
        const int FileTypeMask = 0xF000;
        static bool _available = !RuntimeInformation.IsOSPlatform(OSPlatform.Windows);

        [ThreadStatic] static byte[]? _buffer;

        [DllImport("libSystem.Native", EntryPoint = "SystemNative_Stat", CharSet = CharSet.Ansi, BestFitMapping = false)]
        static extern int Stat(string path, byte[] status);

        /// <summary>What <paramref name="path"/> is (following links) when it is not a regular file or folder ("a FIFO"...), else null (also when unknown).</summary>
        public static string? NotRegular(string path)
        {
            if (!_available) return null;
            try
            {
                var buffer = _buffer ??= new byte[1024];
                if (Stat(path, buffer) != 0) return null; // gone or unreadable: opening it reports that
                return (BitConverter.ToInt32(buffer, 4) & FileTypeMask) switch
                {
                    0x8000 or 0x4000 or 0 => null, // regular file, folder
                    0x1000 => "a FIFO (named pipe)",
                    0x2000 => "a character device",
                    0x6000 => "a block device",
                    0xC000 => "a socket",
                    var other => $"not a regular file (type 0x{other:X4})",
                };
            }
            catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
            {
                _available = false;
                return null;
            }
        }
    }
}
