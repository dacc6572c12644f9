using System;
using System.Collections.Generic;
using System.Text.RegularExpressions;
using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using Amazon.Runtime.Credentials;
using DrTools.Core.Diagnostics;

namespace DrTools.Core.Connection
{
    /// <summary>
    /// Turns a <see cref="ConnectionRequest"/> into an <see cref="AwsConnection"/> with the precedence of
    /// AWS Tools for PowerShell, so an admin's existing habits (Set-DefaultAWSRegion, Set-AWSCredential,
    /// AWS_PROFILE...) carry over:
    ///   region:      -Region, the plan's DR region (plan cmdlets), $StoredAWSRegion, AWS_REGION, AWS_DEFAULT_REGION,
    ///                the chosen profile's region.
    ///   credentials: -Credential, -AccessKey/-SecretKey[/-SessionToken], -ProfileName, $StoredAWSCredentials,
    ///                AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY[/AWS_SESSION_TOKEN], AWS_PROFILE, then the SDK's default chain.
    ///   endpoint:    -EndpointUrl, AWS_ENDPOINT_URL, else the AWS endpoints.
    /// </summary>
    public sealed class ConnectionResolver
    {
        static readonly Regex RegionPattern = new("^[a-z]{2}(-[a-z]+)+-[0-9]+$", RegexOptions.CultureInvariant);

        readonly IEnvironment _env;
        readonly Func<AWSCredentials>? _defaultChain;

        /// <summary>The process's environment and the SDK default chain (a constructor whose signature names no SDK type, for the cmdlets).</summary>
        public ConnectionResolver() : this(null, null) { }

        /// <param name="env">Environment variables; the process's by default.</param>
        /// <param name="defaultChain">The SDK default chain; replaceable in tests.</param>
        public ConnectionResolver(IEnvironment? env = null, Func<AWSCredentials>? defaultChain = null)
        {
            _env = env ?? ProcessEnvironment.Instance;
            _defaultChain = defaultChain;
        }

        public AwsConnection Resolve(ConnectionRequest request)
        {
            var endpoint = ResolveEndpoint(request);
            AWSCredentials credentials;
            string credentialSource;
            CredentialProfile? profile;
            try
            {
                (credentials, credentialSource, profile) = ResolveCredentials(request);
            }
            catch (DrToolsException ex) when (ex.ErrorId == ErrorIds.NoCredentials && request.DeferMissingCredentials)
            {
                (credentials, credentialSource, profile) = (new MissingCredentials(ex), "none (-WhatIf)", null);
            }
            var (region, regionSource) = ResolveRegion(request, profile);
            var secrets = new List<string>();
            if (request.SecretKey != null) secrets.Add(request.SecretKey);
            if (request.SessionToken != null) secrets.Add(request.SessionToken);
            if (_env.Get("AWS_SECRET_ACCESS_KEY") is { } envSecret) secrets.Add(envSecret);
            if (_env.Get("AWS_SESSION_TOKEN") is { } envToken) secrets.Add(envToken);
            return new AwsConnection(region, credentials, credentialSource, regionSource, endpoint)
            {
                S3ChecksumWhenRequired = request.S3ChecksumWhenRequired,
                Timeout = request.Timeout,
                IdleTimeout = request.IdleTimeout ?? AwsConnection.DefaultIdleTimeout,
                MaxErrorRetry = request.MaxErrorRetry,
                Secrets = secrets,
            };
        }

        /// <summary>Checks the shape of a region name; unknown-but-well-formed names pass (new regions appear often).</summary>
        public static string ValidateRegion(string region, string source)
        {
            var trimmed = region.Trim().ToLowerInvariant();
            if (!RegionPattern.IsMatch(trimmed))
                throw new DrToolsException(ErrorIds.InvalidRegion, DrErrorCategory.InvalidArgument,
                    $"'{region}' (from {source}) is not an AWS region name.", region,
                    "Use a region code such as us-east-1, eu-west-1 or ap-southeast-2.");
            return trimmed;
        }

        Uri? ResolveEndpoint(ConnectionRequest request)
        {
            var (value, source) = request.EndpointUrl != null ? (request.EndpointUrl, "-EndpointUrl")
                : _env.Get("AWS_ENDPOINT_URL") is { } env ? (env, "AWS_ENDPOINT_URL") : (null, null);
            if (value == null) return null;
            if (!Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri)
                || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
                || string.IsNullOrEmpty(uri.Host))
            {
                throw new DrToolsException(ErrorIds.InvalidEndpoint, DrErrorCategory.InvalidArgument,
                    $"The endpoint '{value}' (from {source}) is not an absolute http:// or https:// URL.", value,
                    "Give the full URL of the AWS-compatible endpoint, for example -EndpointUrl http://127.0.0.1:5000, or leave it out to use AWS.");
            }
            return uri;
        }

        (string Region, string Source) ResolveRegion(ConnectionRequest request, CredentialProfile? profile)
        {
            if (!string.IsNullOrWhiteSpace(request.Region)) return (ValidateRegion(request.Region!, "-Region"), "Parameter");
            if (!string.IsNullOrWhiteSpace(request.PlanRegion)) return (ValidateRegion(request.PlanRegion!, "the plan's drRegion"), "Plan");
            if (!string.IsNullOrWhiteSpace(request.StoredRegion)) return (ValidateRegion(request.StoredRegion!, "$StoredAWSRegion"), "Session:$StoredAWSRegion");
            foreach (var name in new[] { "AWS_REGION", "AWS_DEFAULT_REGION" })
                if (_env.Get(name) is { } env) return (ValidateRegion(env, name), "Environment:" + name);
            profile ??= FindProfile(request.ProfileName ?? _env.Get("AWS_PROFILE") ?? "default", request.ProfileLocation);
            if (profile?.Region != null) return (profile.Region.SystemName, "Profile:" + profile.Name);
            if (!string.IsNullOrWhiteSpace(request.GlobalServiceRegion)) return (request.GlobalServiceRegion!, "GlobalService");
            throw new DrToolsException(ErrorIds.NoRegion, DrErrorCategory.InvalidArgument,
                "No AWS region is set: no -Region parameter, no $StoredAWSRegion, no AWS_REGION or AWS_DEFAULT_REGION, and the profile has no region.",
                null,
                "Pass -Region (e.g. -Region us-east-1), run Set-DefaultAWSRegion us-east-1 (or $StoredAWSRegion = 'us-east-1') for the session, or set $env:AWS_REGION.");
        }

        (AWSCredentials, string, CredentialProfile?) ResolveCredentials(ConnectionRequest request)
        {
            if (request.Credential != null)
                return (ForeignCredentials.From(request.Credential) ?? throw new DrToolsException(ErrorIds.InvalidParameter, DrErrorCategory.InvalidArgument,
                    $"-Credential takes AWS credentials (an Amazon.Runtime.AWSCredentials object); it was given a {request.Credential.GetType().FullName}.",
                    request.Credential.GetType().FullName,
                    "Pass the result of Get-AWSCredential -ProfileName <name> (AWS Tools), or use -ProfileName, or -AccessKey with -SecretKey."),
                    "Parameter:-Credential", null);

            if (request.AccessKey != null || request.SecretKey != null || request.SessionToken != null)
            {
                if (string.IsNullOrWhiteSpace(request.AccessKey) || string.IsNullOrWhiteSpace(request.SecretKey))
                    throw new DrToolsException(ErrorIds.InvalidParameter, DrErrorCategory.InvalidArgument,
                        "-AccessKey and -SecretKey must be given together.", request.AccessKey,
                        "Pass both -AccessKey and -SecretKey (and -SessionToken for temporary credentials), or use -ProfileName.");
                AWSCredentials keys = request.SessionToken != null
                    ? new SessionAWSCredentials(request.AccessKey, request.SecretKey, request.SessionToken)
                    : new BasicAWSCredentials(request.AccessKey, request.SecretKey);
                return (keys, "Parameter:-AccessKey", null);
            }

            if (!string.IsNullOrWhiteSpace(request.ProfileName))
                return FromProfile(request.ProfileName!, request.ProfileLocation, "Profile:" + request.ProfileName);

            switch (request.StoredCredentials)
            {
                case null: break;
                case string profileName when profileName.Length > 0:
                    return FromProfile(profileName, request.ProfileLocation, "Session:$StoredAWSCredentials (profile " + profileName + ")");
                default:
                    // AWSCredentials of any AWS SDK, or AWS.Tools' wrapper around them.
                    if (ForeignCredentials.From(request.StoredCredentials) is { } stored) return (stored, "Session:$StoredAWSCredentials", null);
                    break;
            }

            if (_env.Get("AWS_ACCESS_KEY_ID") is { } envKey && _env.Get("AWS_SECRET_ACCESS_KEY") is { } envSecret)
            {
                AWSCredentials envCreds = _env.Get("AWS_SESSION_TOKEN") is { } token
                    ? new SessionAWSCredentials(envKey, envSecret, token)
                    : new BasicAWSCredentials(envKey, envSecret);
                return (envCreds, "Environment:AWS_ACCESS_KEY_ID", null);
            }

            if (_env.Get("AWS_PROFILE") is { } envProfile)
                return FromProfile(envProfile, request.ProfileLocation, "Profile:" + envProfile + " (AWS_PROFILE)");

            if (request.ProfileLocation != null && FindProfile("default", request.ProfileLocation) != null)
                return FromProfile("default", request.ProfileLocation, "Profile:default");

            try
            {
                var chain = _defaultChain != null ? _defaultChain() : DefaultAWSCredentialsIdentityResolver.GetCredentials(null);
                return (chain, "SDK default chain (" + chain.GetType().Name + ")", null);
            }
            catch (Exception ex) when (ex is AmazonClientException or InvalidOperationException)
            {
                throw new DrToolsException(ErrorIds.NoCredentials, DrErrorCategory.AuthenticationError,
                    "No AWS credentials were found: no -Credential, -AccessKey or -ProfileName, no $StoredAWSCredentials, no AWS_ACCESS_KEY_ID or AWS_PROFILE, and the SDK's default chain found nothing.",
                    null,
                    "Pass -ProfileName <name> (a profile in ~/.aws/credentials), run Set-AWSCredential -ProfileName <name> for the session, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.",
                    ex);
            }
        }

        (AWSCredentials, string, CredentialProfile?) FromProfile(string name, string? location, string source)
        {
            var profile = FindProfile(name, location);
            var chain = new CredentialProfileStoreChain(location);
            if (profile == null || !chain.TryGetAWSCredentials(name, out var credentials))
                throw new DrToolsException(ErrorIds.ProfileNotFound, DrErrorCategory.ObjectNotFound,
                    $"The credential profile '{name}' was not found" + (location != null ? $" in '{location}'." : " in the SDK store or ~/.aws/credentials and ~/.aws/config."),
                    name,
                    "Check the name with Get-AWSCredential -ListProfileDetail (AWS Tools) or 'aws configure list-profiles', or pass -ProfileLocation with the credentials file.");
            return (credentials, source, profile);
        }

        static CredentialProfile? FindProfile(string name, string? location)
        {
            try
            {
                return new CredentialProfileStoreChain(location).TryGetProfile(name, out var profile) ? profile : null;
            }
            catch (Exception)
            {
                // An unreadable credentials file is the same, to the user, as a missing profile.
                return null;
            }
        }
    }

    /// <summary>Stands in for credentials that were not found: the first AWS call fails with the original DrTools.NoCredentials.</summary>
    internal sealed class MissingCredentials : AWSCredentials
    {
        readonly DrToolsException _error;
        public MissingCredentials(DrToolsException error) => _error = error;
        public override ImmutableCredentials GetCredentials() => throw _error;
        public override System.Threading.Tasks.Task<ImmutableCredentials> GetCredentialsAsync() => throw _error;
    }
}
