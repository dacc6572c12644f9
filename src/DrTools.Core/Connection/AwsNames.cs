using System;
using System.Collections.Generic;
using System.Linq;
using Amazon;
using Amazon.Runtime.CredentialManagement;

namespace DrTools.Core.Connection
{
    /// <summary>
    /// Names an admin types into the connection parameters, for tab completion: the regions the SDK knows and the
    /// credential profiles on this machine. Reads local files only; never calls AWS.
    /// </summary>
    public static class AwsNames
    {
        /// <summary>Every region system name the AWS SDK knows (us-east-1, eu-central-1...), sorted.</summary>
        public static IReadOnlyList<(string Name, string DisplayName)> Regions() =>
            RegionEndpoint.EnumerableAllRegions
                .Select(r => (r.SystemName, r.DisplayName ?? r.SystemName))
                .OrderBy(r => r.SystemName, StringComparer.Ordinal).ToList();

        /// <summary>
        /// The profile names in the SDK store (Windows) and the shared credentials and config files (or
        /// <paramref name="profileLocation"/>); empty when none can be read.
        /// </summary>
        public static IReadOnlyList<string> ProfileNames(string? profileLocation = null)
        {
            try
            {
                return new CredentialProfileStoreChain(profileLocation).ListProfiles()
                    .Select(p => p.Name).Distinct(StringComparer.Ordinal).OrderBy(n => n, StringComparer.Ordinal).ToList();
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // A damaged credentials file must not break tab completion; the cmdlet reports it when it runs.
                return Array.Empty<string>();
            }
        }
    }
}
