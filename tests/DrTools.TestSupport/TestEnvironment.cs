using System;
using System.IO;

namespace DrTools.TestSupport
{
    /// <summary>
    /// Keeps tests independent of the machine: no AWS settings from the environment or ~/.aws, no instance
    /// metadata lookups (which would stall for seconds off EC2), and no journals or active-side records
    /// (active/&lt;plan&gt;.json) in the machine's default journal folder: cmdlets run without -JournalPath read and
    /// write RecoveryJournalStore.DefaultDirectory, so a record one test leaves there would change another test's
    /// result (and the user's own plans).
    /// </summary>
    public static class TestEnvironment
    {
        static readonly object Gate = new();
        static bool _done;

        public static string EmptyAwsDir { get; } = Path.Combine(Path.GetTempPath(), "drtools-tests-aws-" + Environment.ProcessId);

        /// <summary>
        /// Per-run data folder (XDG_DATA_HOME): LocalApplicationData, and so the default journal folder, is under it
        /// on Linux and macOS. Windows takes LocalApplicationData from the shell, not from an environment variable,
        /// so there the default folder stays the user's own.
        /// </summary>
        public static string DataHome { get; } = Path.Combine(Path.GetTempPath(), "drtools-tests-data-" + Environment.ProcessId);

        public static void Isolate()
        {
            lock (Gate)
            {
                if (_done) return;
                _done = true;
                Directory.CreateDirectory(EmptyAwsDir);
                foreach (var name in new[]
                         {
                             "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                             "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN",
                             "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                         })
                {
                    // The live suite passes its endpoint and keys through DRTOOLS_* variables, never these.
                    Environment.SetEnvironmentVariable(name, null);
                }
                Environment.SetEnvironmentVariable("AWS_SHARED_CREDENTIALS_FILE", Path.Combine(EmptyAwsDir, "credentials"));
                Environment.SetEnvironmentVariable("AWS_CONFIG_FILE", Path.Combine(EmptyAwsDir, "config"));
                Environment.SetEnvironmentVariable("AWS_EC2_METADATA_DISABLED", "true");
            }
            IsolateData();
        }

        static bool _dataDone;

        /// <summary>
        /// Only the per-run data folder (<see cref="DataHome"/>), for the live suite: it keeps the caller's AWS settings
        /// (real AWS runs use the caller's own credential chain) but must not read or leave active-side records either.
        /// </summary>
        public static void IsolateData()
        {
            lock (Gate)
            {
                if (_dataDone) return;
                _dataDone = true;
                Directory.CreateDirectory(DataHome);
                Environment.SetEnvironmentVariable("XDG_DATA_HOME", DataHome);
                AppDomain.CurrentDomain.ProcessExit += (_, _) =>
                {
                    try { Directory.Delete(DataHome, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
                };
            }
        }
    }
}
