using System;
using System.Management.Automation;
using DrTools.Core.Aws.S3;
using DrTools.Core.Backup;
using DrTools.Core.Backup.Storage;
using DrTools.Core.Connection;
using DrTools.Core.Diagnostics;
using DrTools.Core.Recovery.Engine;

namespace DrTools.PowerShell.Infrastructure
{
    /// <summary>
    /// -JournalPath of the recovery cmdlets and Export-DrReport: s3://bucket/prefix (through the cmdlet's connection, like a
    /// backup repository) or a folder (PowerShell paths resolve against the current location); the default is the local
    /// journal folder. A folder needs no AWS connection.
    /// </summary>
    internal static class JournalLocations
    {
        /// <exception cref="DrToolsException">DrTools.InvalidParameter for a malformed s3: path.</exception>
        public static RecoveryJournalStore Open(PSCmdlet cmdlet, string? journalPath, Func<AwsConnection> connection, IOperationReporter reporter)
        {
            if (journalPath == null) return new RecoveryJournalStore(RecoveryJournalStore.DefaultDirectory);
            var location = RepositoryLocation.Parse(RepositoryLocation.LooksLikeUri(journalPath)
                ? journalPath
                : cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(journalPath));
            if (!location.IsS3) return new RecoveryJournalStore(RepositoryStores.Create(location, null));
            var c = connection();
            // An S3-compatible server (-EndpointUrl) usually rejects SSE-S3; AWS encrypts new objects by default anyway.
            var options = new S3StoreOptions { NoServerSideEncryption = c.EndpointUrl != null };
            return new RecoveryJournalStore(RepositoryStores.Create(location, () => new S3Service(new AwsClientFactory(c), null, reporter), options));
        }
    }
}
