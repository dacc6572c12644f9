using System;
using System.IO;

namespace DrTools.TestSupport
{
    /// <summary>
    /// Keeps tests independent of the machine: no AWS settings from the environment or ~/.aws, no instance
    /// metadata lookups (which would stall for seconds off EC2).
    /// </summary>
    public static class TestEnvironment
    {
        static readonly object Gate = new();
        static bool _done;

        public static string EmptyAwsDir { get; } = Path.Combine(Path.GetTempPath(), "drtools-tests-aws-" + Environment.ProcessId);

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
        }
    }
}
