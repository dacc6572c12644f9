using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Xml;
using System.Xml.Linq;
using Amazon.Runtime;
using Amazon.Runtime.Internal.Transform;

namespace DrTools.Core.Aws.Wire
{
    /// <summary>
    /// Hands back the raw XML of a success, and turns an error body into <see cref="AwsWireException"/>.
    /// The SDK's ErrorHandler calls UnmarshallException, then RetryHandler classifies the exception by ErrorCode
    /// (throttling) and StatusCode (5xx), so ErrorCode must be exactly the service's code.
    /// </summary>
    internal sealed class WireUnmarshaller : XmlResponseUnmarshaller
    {
        public static readonly WireUnmarshaller Instance = new WireUnmarshaller();

        public override AmazonWebServiceResponse Unmarshall(XmlUnmarshallerContext input)
        {
            var text = ReadAll(input.Stream);
            if (text.TrimStart().StartsWith("{", StringComparison.Ordinal))
                return new WireResponse { Json = text, ResponseMetadata = new ResponseMetadata { RequestId = HeaderRequestId(input.ResponseData) } };
            var root = TryParse(text) ?? new XElement("Empty");
            var response = new WireResponse { Xml = root };
            // Query protocol carries the id in <ResponseMetadata><RequestId>; REST-XML in a header.
            response.ResponseMetadata = new ResponseMetadata
            {
                RequestId = root.Element("ResponseMetadata")?.Child("RequestId") ?? HeaderRequestId(input.ResponseData),
            };
            return response;
        }

        public override AmazonServiceException UnmarshallException(XmlUnmarshallerContext input, Exception innerException, HttpStatusCode statusCode)
        {
            string text = ReadAll(input.Stream);
            if (text.TrimStart().StartsWith("{", StringComparison.Ordinal)) return JsonError(text, input, innerException, statusCode);
            XElement? root = TryParse(text);
            string? requestId = root?.Find("RequestId") ?? root?.Find("RequestID") ?? HeaderRequestId(input.ResponseData);

            if (root != null && root.Name.LocalName == "InvalidChangeBatch")
            {
                // Route 53 ChangeResourceRecordSets validation errors: a list of messages, no <Error>.
                var messages = root.Descendants("Message").Select(m => m.Value).ToList();
                return new AwsWireException(string.Join("; ", messages), innerException, ErrorType.Sender,
                    "InvalidChangeBatch", requestId, statusCode, messages);
            }

            var error = root?.DescendantsAndSelf("Error").FirstOrDefault();
            if (error != null)
            {
                var type = error.Child("Type") switch
                {
                    "Sender" => ErrorType.Sender,
                    "Receiver" => ErrorType.Receiver,
                    _ => ErrorType.Unknown,
                };
                string? message = error.Child("Message");
                return new AwsWireException(message ?? error.Child("Code") ?? statusCode.ToString(), innerException, type,
                    error.Child("Code"), requestId, statusCode, message == null ? Array.Empty<string>() : new[] { message });
            }

            // Not an AWS error document (proxy page, empty 5xx...): keep the status so 5xx still retries.
            string snippet = text.Length > 512 ? text.Substring(0, 512) : text;
            return new AwsWireException(snippet.Length > 0 ? snippet : statusCode.ToString(), innerException, ErrorType.Unknown,
                null, requestId, statusCode, Array.Empty<string>());
        }

        /// <summary>A JSON 1.0/1.1 error: {"__type": "[namespace#]Code", "message": "..."}; the code may also be in x-amzn-ErrorType.</summary>
        private static AmazonServiceException JsonError(string text, XmlUnmarshallerContext input, Exception innerException, HttpStatusCode statusCode)
        {
            string? code = null, message = null;
            try
            {
                using var doc = System.Text.Json.JsonDocument.Parse(text);
                foreach (var p in doc.RootElement.EnumerateObject())
                {
                    if (p.Value.ValueKind != System.Text.Json.JsonValueKind.String) continue;
                    if (p.NameEquals("__type") || p.NameEquals("code")) code ??= p.Value.GetString();
                    else if (string.Equals(p.Name, "message", StringComparison.OrdinalIgnoreCase)) message ??= p.Value.GetString();
                }
            }
            catch (System.Text.Json.JsonException) { }
            var data = input.ResponseData;
            if (code == null && data != null && data.IsHeaderPresent("x-amzn-ErrorType")) code = data.GetHeaderValue("x-amzn-ErrorType");
            if (code != null)
            {
                code = code.Split(':')[0];
                var hash = code.LastIndexOf('#');
                if (hash >= 0) code = code.Substring(hash + 1);
            }
            var type = (int)statusCode >= 500 ? ErrorType.Receiver : ErrorType.Sender;
            return new AwsWireException(message ?? code ?? statusCode.ToString(), innerException, type, code, HeaderRequestId(data), statusCode,
                message == null ? Array.Empty<string>() : new[] { message });
        }

        private static string? HeaderRequestId(IWebResponseData? data)
        {
            if (data == null) return null;
            foreach (var h in new[] { "x-amzn-RequestId", "x-amz-request-id" })
                if (data.IsHeaderPresent(h)) return data.GetHeaderValue(h);
            return null;
        }

        private static XElement? TryParse(string text)
        {
            if (string.IsNullOrWhiteSpace(text)) return null;
            try { return WireXml.StripNamespaces(XElement.Parse(text)); }
            catch (XmlException) { return null; }
        }

        private static string ReadAll(Stream? stream)
        {
            if (stream == null) return string.Empty;
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
    }

    /// <summary>A service error. ErrorCode/RequestId/StatusCode as the SDK's own exceptions; Messages lists every message (InvalidChangeBatch has several).</summary>
    public class AwsWireException : AmazonServiceException
    {
        public AwsWireException(string message, Exception? inner, ErrorType errorType, string? errorCode, string? requestId,
            HttpStatusCode statusCode, IReadOnlyList<string> messages)
            : base(message, inner, errorType, errorCode, requestId, statusCode)
        {
            Messages = messages;
        }

        public IReadOnlyList<string> Messages { get; }
    }
}
