using System;
using DrTools.Core.Aws.S3;
using DrTools.Core.Backup.Storage;

namespace DrTools.Core.Backup
{
    /// <summary>Makes the store for a repository location. The S3 service is only asked for when the location is in S3.</summary>
    public static class RepositoryStores
    {
        public static IRepositoryStore Create(RepositoryLocation location, Func<IS3Service>? s3, S3StoreOptions? options = null)
        {
            if (!location.IsS3) return new FolderStore(location.Folder!);
            if (s3 == null) throw new InvalidOperationException("An S3 repository needs an S3 service.");
            return new S3Store(s3(), location.Bucket!, location.Prefix, options);
        }
    }
}
