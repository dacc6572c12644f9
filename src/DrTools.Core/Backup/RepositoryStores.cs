using System;
using Amazon.S3;
using DrTools.Core.Backup.Storage;
using DrTools.Core.Connection;

namespace DrTools.Core.Backup
{
    /// <summary>Makes the store for a repository location. The S3 client is only asked for when the location is in S3.</summary>
    public static class RepositoryStores
    {
        public static IRepositoryStore Create(RepositoryLocation location, Func<(IAmazonS3 Client, AwsConnection? Connection)>? s3, S3StoreOptions? options = null)
        {
            if (!location.IsS3) return new FolderStore(location.Folder!);
            if (s3 == null) throw new InvalidOperationException("An S3 repository needs an S3 client.");
            var (client, connection) = s3();
            return new S3Store(client, location.Bucket!, location.Prefix, options, connection);
        }
    }
}
