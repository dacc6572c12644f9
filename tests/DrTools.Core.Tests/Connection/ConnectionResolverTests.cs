using System;
using System.Collections.Generic;
using System.IO;
using Amazon.Runtime;
using DrTools.Core.Connection;
using DrTools.Core.Diagnostics;
using Xunit;

namespace DrTools.Core.Tests.Connection
{
    public class ConnectionResolverTests
    {
        sealed class FakeEnv : IEnvironment
        {
            readonly Dictionary<string, string> _values;
            public FakeEnv(params (string Name, string Value)[] values)
            {
                _values = new Dictionary<string, string>();
                foreach (var (n, v) in values) _values[n] = v;
            }
            public string? Get(string name) => _values.TryGetValue(name, out var v) ? v : null;
        }

        static readonly AWSCredentials ChainCredentials = new BasicAWSCredentials("CHAINKEY", "chainsecret");

        static ConnectionResolver Resolver(params (string, string)[] env) => new(new FakeEnv(env), () => ChainCredentials);

        static string CredentialsFile(string content)
        {
            var path = Path.Combine(Path.GetTempPath(), "drtools-creds-" + Guid.NewGuid().ToString("N"));
            File.WriteAllText(path, content);
            return path;
        }

        [Fact]
        public void Region_parameter_beats_stored_region_and_environment()
        {
            var c = Resolver(("AWS_REGION", "eu-west-1")).Resolve(new ConnectionRequest { Region = "us-west-2", StoredRegion = "ap-southeast-2" });
            Assert.Equal("us-west-2", c.Region);
            Assert.Equal("Parameter", c.RegionSource);
        }

        [Fact]
        public void A_plans_DR_region_beats_session_and_environment_but_not_the_Region_parameter()
        {
            var fromPlan = Resolver(("AWS_REGION", "eu-west-1")).Resolve(new ConnectionRequest { PlanRegion = "us-west-2", StoredRegion = "ap-southeast-2" });
            Assert.Equal(("us-west-2", "Plan"), (fromPlan.Region, fromPlan.RegionSource));
            var fromParam = Resolver().Resolve(new ConnectionRequest { Region = "eu-central-1", PlanRegion = "us-west-2" });
            Assert.Equal("eu-central-1", fromParam.Region);
        }

        [Fact]
        public void Stored_region_beats_environment_variables()
        {
            var c = Resolver(("AWS_REGION", "eu-west-1")).Resolve(new ConnectionRequest { StoredRegion = "ap-southeast-2" });
            Assert.Equal("ap-southeast-2", c.Region);
            Assert.Equal("Session:$StoredAWSRegion", c.RegionSource);
        }

        [Fact]
        public void AWS_REGION_beats_AWS_DEFAULT_REGION()
        {
            var c = Resolver(("AWS_DEFAULT_REGION", "eu-central-1"), ("AWS_REGION", "eu-west-1")).Resolve(new ConnectionRequest());
            Assert.Equal("eu-west-1", c.Region);
            Assert.Equal("Environment:AWS_REGION", c.RegionSource);
            Assert.Equal("eu-central-1", Resolver(("AWS_DEFAULT_REGION", "eu-central-1")).Resolve(new ConnectionRequest()).Region);
        }

        [Fact]
        public void Profile_region_is_the_last_resort()
        {
            var file = CredentialsFile("[dr]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = profilesecret\nregion = ca-central-1\n");
            var c = Resolver().Resolve(new ConnectionRequest { ProfileName = "dr", ProfileLocation = file });
            Assert.Equal("ca-central-1", c.Region);
            Assert.Equal("Profile:dr", c.RegionSource);
            Assert.Equal("AKIDPROFILE", c.Credentials.GetCredentials().AccessKey);
            Assert.Equal("Profile:dr", c.CredentialSource);
        }

        [Fact]
        public void No_region_anywhere_is_DrTools_NoRegion_saying_how_to_set_one()
        {
            var ex = Assert.Throws<DrToolsException>(() => Resolver().Resolve(new ConnectionRequest()));
            Assert.Equal(ErrorIds.NoRegion, ex.ErrorId);
            Assert.Equal(DrErrorCategory.InvalidArgument, ex.Category);
            Assert.Contains("-Region", ex.RecommendedAction);
            Assert.Contains("Set-DefaultAWSRegion", ex.RecommendedAction);
        }

        [Theory]
        [InlineData("useast1")]
        [InlineData("us_east_1")]
        [InlineData("https://us-east-1")]
        public void A_malformed_region_is_DrTools_InvalidRegion(string region)
        {
            var ex = Assert.Throws<DrToolsException>(() => Resolver().Resolve(new ConnectionRequest { Region = region }));
            Assert.Equal(ErrorIds.InvalidRegion, ex.ErrorId);
            Assert.Equal(region, ex.Target);
        }

        [Fact]
        public void Credential_precedence_follows_AWS_Tools()
        {
            var explicitCreds = new BasicAWSCredentials("AKIDOBJECT", "s1");
            var file = CredentialsFile("[p]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = s2\n");
            var resolver = Resolver(("AWS_ACCESS_KEY_ID", "AKIDENV"), ("AWS_SECRET_ACCESS_KEY", "envsecret"));
            string Key(ConnectionRequest r) { r.Region = "us-east-1"; return resolver.Resolve(r).Credentials.GetCredentials().AccessKey; }

            Assert.Equal("AKIDOBJECT", Key(new ConnectionRequest { Credential = explicitCreds, AccessKey = "AKIDPARAM", SecretKey = "x", ProfileName = "p", ProfileLocation = file }));
            Assert.Equal("AKIDPARAM", Key(new ConnectionRequest { AccessKey = "AKIDPARAM", SecretKey = "x", ProfileName = "p", ProfileLocation = file }));
            Assert.Equal("AKIDPROFILE", Key(new ConnectionRequest { ProfileName = "p", ProfileLocation = file, StoredCredentials = explicitCreds }));
            Assert.Equal("AKIDOBJECT", Key(new ConnectionRequest { StoredCredentials = explicitCreds }));
            Assert.Equal("AKIDENV", Key(new ConnectionRequest()));
            Assert.Equal("CHAINKEY", Resolver().Resolve(new ConnectionRequest { Region = "us-east-1" }).Credentials.GetCredentials().AccessKey);
        }

        [Fact]
        public void Stored_credentials_as_a_profile_name_or_a_wrapper_object_are_understood()
        {
            var file = CredentialsFile("[ops]\naws_access_key_id = AKIDOPS\naws_secret_access_key = s\n");
            var byName = Resolver().Resolve(new ConnectionRequest { Region = "us-east-1", StoredCredentials = "ops", ProfileLocation = file });
            Assert.Equal("AKIDOPS", byName.Credentials.GetCredentials().AccessKey);
            var wrapped = Resolver().Resolve(new ConnectionRequest { Region = "us-east-1", StoredCredentials = new Wrapper(new BasicAWSCredentials("AKIDWRAP", "s")) });
            Assert.Equal("AKIDWRAP", wrapped.Credentials.GetCredentials().AccessKey);
            Assert.Equal("Session:$StoredAWSCredentials", wrapped.CredentialSource);
        }

        sealed class Wrapper
        {
            public Wrapper(AWSCredentials c) => Credentials = c;
            public AWSCredentials Credentials { get; }
        }

        // The shape of another AWS SDK's credentials (AWS.Tools loads its own AWSSDK.Core beside DrTools'): an object with
        // GetCredentials() returning AccessKey/SecretKey/Token, of a type DrTools' SDK does not know.
        sealed class ForeignImmutableCredentials
        {
            public string AccessKey { get; init; } = "";
            public string SecretKey { get; init; } = "";
            public string Token { get; init; } = "";
        }

        sealed class ForeignCredentials
        {
            readonly string _prefix;
            public int Calls;
            public Exception? Failure;
            public ForeignCredentials(string prefix) => _prefix = prefix;
            public ForeignImmutableCredentials GetCredentials()
            {
                if (Failure != null) throw Failure;
                Calls++;
                return new ForeignImmutableCredentials { AccessKey = _prefix + Calls, SecretKey = "foreign-secret", Token = Calls > 1 ? "token" + Calls : "" };
            }
        }

        // AWS.Tools' $StoredAWSCredentials: a wrapper holding its SDK's credentials and the profile name.
        sealed class ForeignSessionCredentials
        {
            public ForeignSessionCredentials(object c) => Credentials = c;
            public string Name => "ops";
            public object Credentials { get; }
        }

        [Fact]
        public async System.Threading.Tasks.Task Credential_of_another_AWS_SDK_is_read_by_shape_and_asked_again_for_every_signature()
        {
            var foreign = new ForeignCredentials("AKIDFOREIGN");
            var c = Resolver(("AWS_ACCESS_KEY_ID", "AKIDENV"), ("AWS_SECRET_ACCESS_KEY", "envsecret"))
                .Resolve(new ConnectionRequest { Region = "us-east-1", Credential = foreign });
            Assert.Equal("Parameter:-Credential", c.CredentialSource);
            var first = c.Credentials.GetCredentials();
            Assert.Equal(("AKIDFOREIGN1", "foreign-secret", false), (first.AccessKey, first.SecretKey, first.UseToken));
            // Refreshing credentials (assumed roles, instance profiles) stay live: each signature reads the source again.
            var second = await c.Credentials.GetCredentialsAsync();
            Assert.Equal(("AKIDFOREIGN2", "token2"), (second.AccessKey, second.Token));
        }

        [Fact]
        public void Stored_credentials_of_another_AWS_SDK_are_understood_bare_or_wrapped()
        {
            var bare = Resolver().Resolve(new ConnectionRequest { Region = "us-east-1", StoredCredentials = new ForeignCredentials("AKIDBARE") });
            Assert.Equal(("AKIDBARE1", "Session:$StoredAWSCredentials"), (bare.Credentials.GetCredentials().AccessKey, bare.CredentialSource));
            var wrapped = Resolver().Resolve(new ConnectionRequest { Region = "us-east-1", StoredCredentials = new ForeignSessionCredentials(new ForeignCredentials("AKIDWRAPPED")) });
            Assert.Equal(("AKIDWRAPPED1", "Session:$StoredAWSCredentials"), (wrapped.Credentials.GetCredentials().AccessKey, wrapped.CredentialSource));
        }

        [Fact]
        public void A_Credential_that_is_no_AWS_credentials_object_fails_with_DrTools_InvalidParameter()
        {
            var ex = Assert.Throws<DrToolsException>(() => Resolver().Resolve(new ConnectionRequest { Region = "us-east-1", Credential = new Uri("http://example.invalid/") }));
            Assert.Equal(ErrorIds.InvalidParameter, ex.ErrorId);
            Assert.Equal(DrErrorCategory.InvalidArgument, ex.Category);
            Assert.Contains("System.Uri", ex.Message);
            Assert.Contains("Get-AWSCredential", ex.RecommendedAction);
        }

        [Fact]
        public void A_failing_foreign_credentials_source_surfaces_as_an_SDK_credentials_error()
        {
            var foreign = new ForeignCredentials("AKID") { Failure = new InvalidOperationException("SSO token expired") };
            var c = Resolver().Resolve(new ConnectionRequest { Region = "us-east-1", Credential = foreign });
            var ex = Assert.Throws<AmazonClientException>(() => c.Credentials.GetCredentials());
            Assert.Contains("credentials", ex.Message);
            Assert.Contains("SSO token expired", ex.Message);
        }

        [Fact]
        public void Session_token_makes_temporary_credentials()
        {
            var c = Resolver().Resolve(new ConnectionRequest { Region = "us-east-1", AccessKey = "ASIA1", SecretKey = "s", SessionToken = "tok" });
            Assert.Equal("tok", c.Credentials.GetCredentials().Token);
        }

        [Fact]
        public void AccessKey_without_SecretKey_is_rejected()
        {
            var ex = Assert.Throws<DrToolsException>(() => Resolver().Resolve(new ConnectionRequest { Region = "us-east-1", AccessKey = "AKID" }));
            Assert.Equal(ErrorIds.InvalidParameter, ex.ErrorId);
        }

        [Fact]
        public void A_missing_profile_is_DrTools_ProfileNotFound()
        {
            var file = CredentialsFile("[other]\naws_access_key_id = A\naws_secret_access_key = s\n");
            var ex = Assert.Throws<DrToolsException>(() => Resolver().Resolve(new ConnectionRequest { Region = "us-east-1", ProfileName = "nope", ProfileLocation = file }));
            Assert.Equal(ErrorIds.ProfileNotFound, ex.ErrorId);
            Assert.Equal("nope", ex.Target);
        }

        [Fact]
        public void No_credentials_anywhere_is_DrTools_NoCredentials()
        {
            var resolver = new ConnectionResolver(new FakeEnv(), () => throw new AmazonClientException("Failed to resolve AWS credentials."));
            var ex = Assert.Throws<DrToolsException>(() => resolver.Resolve(new ConnectionRequest { Region = "us-east-1" }));
            Assert.Equal(ErrorIds.NoCredentials, ex.ErrorId);
            Assert.Equal(DrErrorCategory.AuthenticationError, ex.Category);
        }

        [Fact]
        public void Endpoint_comes_from_parameter_then_AWS_ENDPOINT_URL()
        {
            var fromEnv = Resolver(("AWS_ENDPOINT_URL", "http://127.0.0.1:5000")).Resolve(new ConnectionRequest { Region = "us-east-1" });
            Assert.Equal(new Uri("http://127.0.0.1:5000"), fromEnv.EndpointUrl);
            var fromParam = Resolver(("AWS_ENDPOINT_URL", "http://127.0.0.1:5000")).Resolve(new ConnectionRequest { Region = "us-east-1", EndpointUrl = "https://s3.example.test:9000" });
            Assert.Equal(new Uri("https://s3.example.test:9000"), fromParam.EndpointUrl);
            Assert.Null(Resolver().Resolve(new ConnectionRequest { Region = "us-east-1" }).EndpointUrl);
        }

        [Theory]
        [InlineData("localhost:5000")]
        [InlineData("ftp://127.0.0.1")]
        [InlineData("not a url")]
        [InlineData("/relative/path")]
        public void A_malformed_endpoint_is_DrTools_InvalidEndpoint(string url)
        {
            var ex = Assert.Throws<DrToolsException>(() => Resolver().Resolve(new ConnectionRequest { Region = "us-east-1", EndpointUrl = url }));
            Assert.Equal(ErrorIds.InvalidEndpoint, ex.ErrorId);
            Assert.Equal(url, ex.Target);
            Assert.Contains("http://", ex.RecommendedAction);
        }

        [Fact]
        public void ForRegion_keeps_identity_and_endpoint()
        {
            var c = Resolver().Resolve(new ConnectionRequest { Region = "us-east-1", AccessKey = "A", SecretKey = "secretvalue", EndpointUrl = "http://127.0.0.1:1" });
            var dr = c.ForRegion("us-west-2");
            Assert.Equal("us-west-2", dr.Region);
            Assert.Same(c.Credentials, dr.Credentials);
            Assert.Equal(c.EndpointUrl, dr.EndpointUrl);
            Assert.Equal("failed: ****", dr.Redact("failed: secretvalue"));
        }

        [Fact]
        public void A_global_service_works_without_a_region_but_any_configured_region_still_wins()
        {
            var global = Resolver().Resolve(new ConnectionRequest { GlobalServiceRegion = "us-east-1" });
            Assert.Equal(("us-east-1", "GlobalService"), (global.Region, global.RegionSource));
            var configured = Resolver(("AWS_REGION", "eu-west-1")).Resolve(new ConnectionRequest { GlobalServiceRegion = "us-east-1" });
            Assert.Equal("eu-west-1", configured.Region);
            var ex = Assert.Throws<DrToolsException>(() => Resolver().Resolve(new ConnectionRequest()));
            Assert.Equal(ErrorIds.NoRegion, ex.ErrorId);
        }

        [Fact]
        public void Missing_credentials_are_deferred_for_WhatIf_and_fail_with_NoCredentials_at_the_first_call()
        {
            var resolver = new ConnectionResolver(new FakeEnv(), () => throw new InvalidOperationException("no chain"));
            Assert.Equal(ErrorIds.NoCredentials,
                Assert.Throws<DrToolsException>(() => resolver.Resolve(new ConnectionRequest { Region = "us-east-1" })).ErrorId);

            var deferred = resolver.Resolve(new ConnectionRequest { Region = "us-east-1", DeferMissingCredentials = true });
            Assert.Equal("us-east-1", deferred.Region);
            Assert.Equal(ErrorIds.NoCredentials, Assert.Throws<DrToolsException>(() => deferred.Credentials.GetCredentials()).ErrorId);
        }
    }
}
