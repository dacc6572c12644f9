using System;
using System.Collections.Generic;
using System.Linq;
using DrTools.Core.Connection;
using DrTools.TestSupport;
using Xunit;

namespace DrTools.Core.Tests.Aws
{
    /// <summary>Helpers for Query-protocol (RDS, Auto Scaling) wire tests against <see cref="FakeAwsServer"/>.</summary>
    internal static class QueryFakes
    {
        public const string AccessKey = "AKIDEXAMPLE";
        public const string SecretKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

        /// <summary>A connection to the fake endpoint in <paramref name="region"/> with fixed keys.</summary>
        public static AwsConnection Connection(FakeAwsServer server, string region = "us-west-2", int? maxErrorRetry = null) =>
            new ConnectionResolver().Resolve(new ConnectionRequest
            {
                Region = region,
                EndpointUrl = server.Url,
                AccessKey = AccessKey,
                SecretKey = SecretKey,
                MaxErrorRetry = maxErrorRetry,
            });

        public static FakeResponse Ok(string action, string ns, string result) =>
            new(200, $"<{action}Response xmlns=\"{ns}\"><{action}Result>{result}</{action}Result>" +
                     $"<ResponseMetadata><RequestId>req-{action}</RequestId></ResponseMetadata></{action}Response>");

        /// <summary>An action that returns only ResponseMetadata (AddTagsToResource, UpdateAutoScalingGroup...).</summary>
        public static FakeResponse Empty(string action, string ns) =>
            new(200, $"<{action}Response xmlns=\"{ns}\"><ResponseMetadata><RequestId>req-{action}</RequestId></ResponseMetadata></{action}Response>");

        /// <summary>The error document RDS and Auto Scaling send, with a distinct request id.</summary>
        public static FakeResponse Error(int status, string code, string message, string requestId = "4f1c8a5e-0000-4000-8000-000000000001",
            string type = "Sender", string ns = "http://rds.amazonaws.com/doc/2014-10-31/") =>
            new(status, $"<ErrorResponse xmlns=\"{ns}\"><Error><Type>{type}</Type><Code>{code}</Code><Message>{message}</Message></Error>" +
                        $"<RequestId>{requestId}</RequestId></ErrorResponse>");

        /// <summary>Asserts the form is exactly <paramref name="expected"/> (order-insensitive), naming what differs.</summary>
        public static void AssertForm(IReadOnlyDictionary<string, string> actual, params (string Key, string Value)[] expected)
        {
            var want = expected.ToDictionary(e => e.Key, e => e.Value);
            var missing = want.Where(kv => !actual.TryGetValue(kv.Key, out var v) || v != kv.Value).Select(kv => $"{kv.Key}={kv.Value}").ToList();
            var extra = actual.Where(kv => !want.ContainsKey(kv.Key)).Select(kv => $"{kv.Key}={kv.Value}").ToList();
            Assert.True(missing.Count == 0 && extra.Count == 0,
                $"Form differs.\nMissing or different: {string.Join(", ", missing)}\nUnexpected: {string.Join(", ", extra)}\nActual: " +
                string.Join("&", actual.Select(kv => kv.Key + "=" + kv.Value)));
        }
    }
}
