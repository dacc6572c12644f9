using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using DrTools.Core.Aws.Route53;
using DrTools.Core.Connection;
using DrTools.Core.Diagnostics;
using DrTools.TestSupport;

namespace DrTools.Core.Tests.Aws.Route53
{
    /// <summary>A FakeAwsServer that answers Route 53 calls from a script, in order, and the service pointed at it.</summary>
    internal sealed class Route53Fake : IDisposable
    {
        public const string Ns = "https://route53.amazonaws.com/doc/2013-04-01/";
        readonly ConcurrentQueue<FakeResponse> _script = new();

        public Route53Fake(params FakeResponse[] responses)
        {
            foreach (var r in responses) _script.Enqueue(r);
            Server = new FakeAwsServer(r => r.Service != "route53"
                ? FakeAwsServer.QueryError(400, "WrongService", "expected a route53-signed request, got " + r.Service)
                : _script.TryDequeue(out var next) ? next
                : Error(500, "ScriptExhausted", "the test supplied no answer for " + r.Method + " " + r.Path + r.Query, "Receiver"));
            var connection = new ConnectionResolver().Resolve(new ConnectionRequest
            {
                Region = "us-east-1", EndpointUrl = Server.Url, AccessKey = "AKIDROUTE53TEST", SecretKey = "route53-test-secret",
                MaxErrorRetry = 2,
            });
            Factory = new AwsClientFactory(connection);
        }

        public FakeAwsServer Server { get; }
        public AwsClientFactory Factory { get; }
        public List<FakeRequest> Requests => Server.Requests.ToList();
        public RecordingReporter Reporter { get; } = new();

        public Route53Service Service(int recordPageSize = 300) => new(Factory, Reporter) { RecordPageSize = recordPageSize };

        public static FakeResponse Ok(string body, int status = 200) => new(status, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + body);

        /// <summary>Route 53's REST-XML error body.</summary>
        public static FakeResponse Error(int status, string code, string message, string type = "Sender") =>
            new(status, $"<?xml version=\"1.0\"?>\n<ErrorResponse xmlns=\"{Ns}\"><Error><Type>{type}</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>req-{code}</RequestId></ErrorResponse>");

        public static FakeResponse Change(string id, string status, string? comment = null) =>
            Ok($"<GetChangeResponse xmlns=\"{Ns}\"><ChangeInfo><Id>/change/{id}</Id><Status>{status}</Status><SubmittedAt>2024-05-01T03:00:00.123Z</SubmittedAt>" +
               (comment == null ? "" : $"<Comment>{comment}</Comment>") + "</ChangeInfo></GetChangeResponse>");

        public void Dispose() => Server.Dispose();
    }

    internal sealed class RecordingReporter : IOperationReporter
    {
        public readonly ConcurrentQueue<string> Verbose = new();
        public readonly ConcurrentQueue<ProgressUpdate> Progress = new();
        public readonly ConcurrentQueue<string> Warnings = new();
        void IOperationReporter.Verbose(string message) => Verbose.Enqueue(message);
        void IOperationReporter.Warning(string message) => Warnings.Enqueue(message);
        void IOperationReporter.Progress(ProgressUpdate update) => Progress.Enqueue(update);
    }
}
