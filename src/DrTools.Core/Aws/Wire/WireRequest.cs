using System;
using System.Collections.Generic;
using System.Net;
using System.Xml.Linq;
using Amazon.Runtime;

namespace DrTools.Core.Aws.Wire
{
    /// <summary>
    /// One API call in wire form. Query protocol: <see cref="Parameters"/> become the form-encoded POST body.
    /// REST-XML: <see cref="Path"/> (with {Name} tokens filled from <see cref="PathParameters"/>),
    /// <see cref="Parameters"/> become the query string, <see cref="Body"/> the XML payload.
    /// </summary>
    public sealed class WireRequest : AmazonWebServiceRequest
    {
        public WireRequest(string operation) { Operation = operation; }

        /// <summary>API operation name (Query "Action"; also used in logs and errors).</summary>
        public string Operation { get; }
        public string HttpMethod { get; set; } = "POST";
        public string Path { get; set; } = "/";
        public IDictionary<string, string> PathParameters { get; } = new Dictionary<string, string>(StringComparer.Ordinal);
        public IDictionary<string, string> Parameters { get; } = new Dictionary<string, string>(StringComparer.Ordinal);
        public IDictionary<string, string> Headers { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        public XElement? Body { get; set; }
        /// <summary>JSON 1.1 protocol (Service Quotas...): the request document, sent with X-Amz-Target <see cref="JsonTarget"/>.</summary>
        public string? JsonBody { get; set; }
        /// <summary>JSON 1.1 protocol: "{TargetPrefix}.{Operation}", e.g. "ServiceQuotasV20190624.GetServiceQuota".</summary>
        public string? JsonTarget { get; set; }
        /// <summary>True for Query protocol: parameters go into the form body, not the URL.</summary>
        internal bool FormEncoded { get; set; }
    }

    /// <summary>The parsed response: XML root (namespaces stripped, see <see cref="WireXml"/>), status code, request id.</summary>
    public sealed class WireResponse : AmazonWebServiceResponse
    {
        public XElement Xml { get; set; } = new XElement("Empty");
        /// <summary>JSON 1.1 protocol: the response document as sent; null for XML responses.</summary>
        public string? Json { get; set; }
        public string? RequestId => ResponseMetadata?.RequestId;
        public HttpStatusCode StatusCode => HttpStatusCode;
    }
}
