using System;
using Amazon.Runtime;
using Xunit;

namespace DrTools.TestSupport
{
    /// <summary>
    /// Where the opt-in live suite runs. DRTOOLS_LIVE_ENDPOINT names an AWS-compatible endpoint (moto from
    /// ../shared/tools/moto-up.sh, LocalStack...); DRTOOLS_LIVE=1 with no endpoint means real AWS through the
    /// normal credential chain. Neither set: live tests are skipped with a visible reason.
    /// </summary>
    public static class Live
    {
        public static string? Endpoint => Env("DRTOOLS_LIVE_ENDPOINT");
        public static bool Enabled => Endpoint != null || Env("DRTOOLS_LIVE") == "1";
        public static string Region => Env("DRTOOLS_LIVE_REGION") ?? "us-east-1";
        public static string DrRegion => Env("DRTOOLS_LIVE_DR_REGION") ?? "us-west-2";
        public static bool IsMoto => Endpoint != null && Env("DRTOOLS_LIVE_KIND") is null or "moto";

        /// <summary>Emulators take any keys; real AWS uses the caller's own chain (no keys passed).</summary>
        public static string AccessKey => Env("DRTOOLS_LIVE_ACCESS_KEY") ?? "test";
        public static string SecretKey => Env("DRTOOLS_LIVE_SECRET_KEY") ?? "test";

        public const string SkipReason =
            "Live suite is opt-in: set DRTOOLS_LIVE_ENDPOINT=http://127.0.0.1:5000 (moto) or DRTOOLS_LIVE=1 (real AWS).";

        /// <summary>Connection parameters for a cmdlet call, e.g. "-Region us-east-1 -EndpointUrl ... -AccessKey ...".</summary>
        public static string Params(string? region = null)
        {
            var p = $"-Region {region ?? Region}";
            if (Endpoint != null) p += $" -EndpointUrl {Endpoint} -AccessKey {AccessKey} -SecretKey {SecretKey}";
            return p;
        }

        /// <summary>A connection for core-level live tests.</summary>
        public static DrTools.Core.Connection.AwsConnection Connection(string? region = null)
        {
            var request = new DrTools.Core.Connection.ConnectionRequest { Region = region ?? Region };
            if (Endpoint != null)
            {
                request.EndpointUrl = Endpoint;
                request.AccessKey = AccessKey;
                request.SecretKey = SecretKey;
            }
            return new DrTools.Core.Connection.ConnectionResolver().Resolve(request);
        }

        /// <summary>A unique, recognisable name for resources a live test creates (and must delete).</summary>
        public static string Name(string prefix) => $"drtools-live-{prefix}-{Guid.NewGuid():N}".Substring(0, Math.Min(60, 14 + prefix.Length + 12));

        static string? Env(string name) => string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(name)) ? null : Environment.GetEnvironmentVariable(name);
    }

    /// <summary>A [Fact] that runs only when the live suite is switched on; otherwise reports why it was skipped.</summary>
    public sealed class LiveFactAttribute : FactAttribute
    {
        public LiveFactAttribute()
        {
            if (!Live.Enabled) Skip = Live.SkipReason;
        }
    }

    /// <summary>A live [Fact] that needs moto specifically (it asserts moto's fixed account id, for example).</summary>
    public sealed class MotoFactAttribute : FactAttribute
    {
        public MotoFactAttribute()
        {
            if (!Live.IsMoto) Skip = "Needs moto: set DRTOOLS_LIVE_ENDPOINT to a moto server (../shared/tools/moto-up.sh).";
        }
    }
}
