using System.Management.Automation;
using DrTools.Core.Aws.S3;
using DrTools.Core.Backup;
using DrTools.Core.Backup.Storage;
using DrTools.Core.Connection;
using DrTools.Core.RecoveryPoints;
using DrTools.PowerShell.Infrastructure;

namespace DrTools.PowerShell.Cmdlets.Backup
{
    /// <summary>
    /// Shared by the backup cmdlets: the -Repository location, S3 compatibility, and the EC2/RDS services for
    /// recovery points. A folder repository never
    /// resolves an AWS connection, so folder backups need no region or credentials.
    /// </summary>
    public abstract class BackupCmdlet : DrCmdlet
    {
        /// <summary>The file backup repository; each cmdlet declares it for its file parameter sets (recovery points have none).</summary>
        public abstract string Repository { get; set; }

        [Parameter]
        public SwitchParameter S3Compatible { get; set; }

        /// <summary>The parameter sets that work on servers and databases instead of a repository.</summary>
        protected bool IsRecoveryPointSet => ParameterSetName.StartsWith("RecoveryPoint", System.StringComparison.Ordinal) || ParameterSetName.StartsWith("Kind", System.StringComparison.Ordinal)
                                             || ParameterSetName is "Instance" or "DBInstance" or "DBCluster";

        /// <summary>EC2 and RDS in the connection's region and any other (the DR region); dispose after use.</summary>
        protected IRecoveryPointServices OpenRecoveryPointServices() => new AwsRecoveryPointServices(new AwsClientFactory(Connection), Reporter);

        protected override void ConfigureConnection(ConnectionRequest request)
        {
            // Ceph RGW, MinIO and other S3-compatible servers reject the SDK's default checksum trailers.
            if (S3Compatible) request.S3ChecksumWhenRequired = true;
        }

        /// <summary>The store for <paramref name="repository"/>; resolves the AWS connection only for s3:// locations.</summary>
        protected IRepositoryStore OpenStore(string repository, S3StoreOptions? options = null, string? region = null)
        {
            options ??= new S3StoreOptions();
            var location = RepositoryLocation.Parse(repository);
            return RepositoryStores.Create(location, () =>
            {
                var factory = new AwsClientFactory(Connection);
                if (S3Compatible && options != null && options.KmsKeyId == null)
                {
                    // SSE-S3 is an AWS feature most S3-compatible servers lack (Ceph RGW answers 400): at-rest
                    // encryption there is the server's own configuration.
                    options.NoServerSideEncryption = true;
                    WriteVerbose("-S3Compatible: not requesting SSE-S3; objects are encrypted at rest only if the server encrypts them itself.");
                }
                return new S3Service(factory, region, Reporter);
            }, options);
        }
    }
}
