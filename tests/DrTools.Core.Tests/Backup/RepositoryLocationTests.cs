using DrTools.Core.Backup;
using DrTools.Core.Diagnostics;
using Xunit;

namespace DrTools.Core.Tests.Backup
{
    public class RepositoryLocationTests
    {
        [Theory]
        [InlineData("s3://", "names no bucket", "s3://bucket/prefix")]
        [InlineData("s3:/corp-dr/fs01", "two slashes", "s3://corp-dr/fs01")]
        [InlineData("s3:corp-dr", "two slashes", "s3://corp-dr")]
        [InlineData("ftp://files.example.com/dr", "ftp:// is not", "s3://bucket/prefix")]
        [InlineData("https://corp-dr.s3.us-west-2.amazonaws.com/fs01", "S3 web address", "-Repository s3://corp-dr/fs01")]
        [InlineData("https://s3.us-west-2.amazonaws.com/corp-dr/fs01", "S3 web address", "-Repository s3://corp-dr/fs01")]
        [InlineData("s3://a!b/fs01", "not a valid S3 bucket name", "3-63 lowercase letters")]
        [InlineData("s3://ab/fs01", "not a valid S3 bucket name", "3-63 lowercase letters")]
        public void A_bad_location_says_what_a_valid_repository_looks_like(string location, string message, string action)
        {
            var ex = Assert.Throws<DrToolsException>(() => RepositoryLocation.Parse(location));
            Assert.Equal(ErrorIds.InvalidParameter, ex.ErrorId);
            Assert.Contains(message, ex.Message);
            Assert.Contains(action, ex.RecommendedAction);
            Assert.Contains("A repository is s3://bucket/prefix", ex.RecommendedAction);
        }

        [Theory]
        [InlineData("s3://corp-dr/fs01", true)]
        [InlineData("s3:/corp-dr", true)]
        [InlineData("https://x.example.com/a", true)]
        [InlineData("file:///srv/dr", true)]
        [InlineData(@"D:\DrBackup", false)]
        [InlineData(@"\\server\share\dr", false)]
        [InlineData("TestDrive:/repo", false)]
        [InlineData("./backup", false)]
        public void Uris_are_told_apart_from_paths_and_PowerShell_drives(string value, bool uri) =>
            Assert.Equal(uri, RepositoryLocation.LooksLikeUri(value));

        [Fact]
        public void Valid_locations_still_parse()
        {
            var s3 = RepositoryLocation.Parse("s3://corp-dr-backups/fs01/");
            Assert.Equal(("corp-dr-backups", "fs01/"), (s3.Bucket, s3.Prefix));
            Assert.False(RepositoryLocation.Parse(System.IO.Path.GetTempPath()).IsS3);
        }
    }
}
