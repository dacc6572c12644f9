using System.Text;
using Amazon.Runtime;
using Amazon.Runtime.Internal;
using Amazon.Runtime.Internal.Transform;

namespace DrTools.Core.Aws.Wire
{
    /// <summary>Turns a <see cref="WireRequest"/> into the SDK's IRequest, the way generated *RequestMarshaller classes do.</summary>
    internal sealed class WireMarshaller : IMarshaller<IRequest, AmazonWebServiceRequest>
    {
        private readonly string _serviceName;
        public WireMarshaller(string serviceName) { _serviceName = serviceName; }

        public IRequest Marshall(AmazonWebServiceRequest input)
        {
            var w = (WireRequest)input;
            IRequest r = new DefaultRequest(w, _serviceName) { HttpMethod = w.HttpMethod, ResourcePath = w.Path };
            foreach (var kv in w.PathParameters) r.AddPathResource("{" + kv.Key + "}", kv.Value);
            foreach (var kv in w.Parameters) r.Parameters[kv.Key] = kv.Value;
            foreach (var kv in w.Headers) r.Headers[kv.Key] = kv.Value;

            // Query protocol: leave Parameters in place with no Content; the SDK form-encodes them into the
            // POST body (Content-Type application/x-www-form-urlencoded) and signs that body.
            // REST: parameters belong in the URL.
            if (!w.FormEncoded) r.UseQueryString = true;

            if (w.Body != null)
            {
                r.Content = Encoding.UTF8.GetBytes("<?xml version=\"1.0\" encoding=\"UTF-8\"?>" + w.Body.ToString(System.Xml.Linq.SaveOptions.DisableFormatting));
                r.Headers["Content-Type"] = "application/xml";
            }
            if (w.JsonBody != null)
            {
                r.Content = Encoding.UTF8.GetBytes(w.JsonBody);
                r.Headers["Content-Type"] = "application/x-amz-json-1.1";
                r.Headers["X-Amz-Target"] = w.JsonTarget ?? w.Operation;
            }
            return r;
        }
    }
}
