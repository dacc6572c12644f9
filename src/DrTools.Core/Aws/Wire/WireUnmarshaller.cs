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
            var root = Parse(input.Stream) ?? new XElement("Empty");
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

        private static string? HeaderRequestId(IWebResponseData? data)
        {
            if (data == null) return null;
            foreach (var h in new[] { "x-amzn-RequestId", "x-amz-request-id" })
                if (data.IsHeaderPresent(h)) return data.GetHeaderValue(h);
            return null;
        }

        private static XElement? Parse(Stream stream) => TryParse(ReadAll(stream));

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
