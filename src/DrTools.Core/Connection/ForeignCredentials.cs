using System;
using System.Linq;
using System.Reflection;
using System.Threading.Tasks;
using Amazon.Runtime;

namespace DrTools.Core.Connection
{
    /// <summary>
    /// Credentials handed over from another module. On PowerShell 7 DrTools runs on an AWS SDK of its own, so the
    /// AWSCredentials that AWS.Tools makes (Get-AWSCredential, $StoredAWSCredentials) are of another SDK's type, even
    /// at the same version: they are read by shape (a GetCredentials() method whose result has AccessKey, SecretKey and
    /// Token), never by type. The source is asked again for every signature, so refreshing credentials (an assumed
    /// role, an instance profile) stay valid through a long backup.
    /// </summary>
    public static class ForeignCredentials
    {
        /// <summary>
        /// AWSCredentials for DrTools' SDK from <paramref name="value"/>: DrTools' own AWSCredentials, another SDK's
        /// AWSCredentials, or an object that carries either in a property (AWS.Tools' session credentials); else null.
        /// </summary>
        public static AWSCredentials? From(object value) => Adapt(value) ?? FromWrapper(value);

        static AWSCredentials? Adapt(object value)
        {
            if (value is AWSCredentials own) return own;
            var method = value.GetType().GetMethod("GetCredentials", BindingFlags.Public | BindingFlags.Instance, null, Type.EmptyTypes, null);
            if (method == null || ReadableString(method.ReturnType, "AccessKey") == null || ReadableString(method.ReturnType, "SecretKey") == null)
                return null;
            return new Adapter(value, method);
        }

        static AWSCredentials? FromWrapper(object value)
        {
            if (value is string) return null;
            foreach (var property in value.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                if (!property.CanRead || property.GetIndexParameters().Length > 0 || property.PropertyType.IsValueType || property.PropertyType == typeof(string))
                    continue;
                object? inner;
                try
                {
                    inner = property.GetValue(value);
                }
                catch (TargetInvocationException)
                {
                    continue;
                }
                if (inner != null && Adapt(inner) is { } credentials) return credentials;
            }
            return null;
        }

        static PropertyInfo? ReadableString(Type type, string name) =>
            type.GetProperty(name, BindingFlags.Public | BindingFlags.Instance) is { CanRead: true } p && p.PropertyType == typeof(string) ? p : null;

        /// <summary>Asks the other SDK's credentials object for its current keys whenever DrTools' SDK signs a request.</summary>
        sealed class Adapter : AWSCredentials
        {
            readonly object _source;
            readonly MethodInfo _getCredentials;

            public Adapter(object source, MethodInfo getCredentials)
            {
                _source = source;
                _getCredentials = getCredentials;
            }

            public override ImmutableCredentials GetCredentials()
            {
                object? keys;
                try
                {
                    keys = _getCredentials.Invoke(_source, null);
                }
                catch (TargetInvocationException ex)
                {
                    var cause = ex.InnerException ?? ex;
                    throw new AmazonClientException($"The AWS credentials from {_source.GetType().FullName} could not be read: {cause.Message}", cause);
                }
                if (keys == null) throw new AmazonClientException($"The AWS credentials from {_source.GetType().FullName} returned no keys.");
                var type = keys.GetType();
                string? Read(string name) => ReadableString(type, name)?.GetValue(keys) as string;
                return new ImmutableCredentials(Read("AccessKey"), Read("SecretKey"), Read("Token") ?? "");
            }

            public override Task<ImmutableCredentials> GetCredentialsAsync() => Task.FromResult(GetCredentials());

            public override string ToString() => "credentials from " + _source.GetType().FullName;
        }
    }
}
