using DrTools.Core.Backup;
using DrTools.Core.Diagnostics;
using Xunit;

namespace DrTools.Core.Tests.Backup
{
    public class BackupSetIdPrefixTests
    {
        static readonly string[] Ids =
        {
            "20260301T021500123Z-0a1b2c3d",
            "20260301T021500456Z-9f8e7d6c",
            "20260302T021500000Z-11223344",
        };

        [Fact]
        public void A_whole_id_and_a_unique_prefix_name_the_same_set()
        {
            Assert.Equal(Ids[2], BackupSetIds.Resolve(Ids[2], Ids, "repo"));
            Assert.Equal(Ids[2], BackupSetIds.Resolve("20260302", Ids, "repo"));
            Assert.Equal(Ids[1], BackupSetIds.Resolve("20260301t021500456", Ids, "repo")); // typed in lower case
        }

        [Fact]
        public void An_ambiguous_prefix_lists_the_sets_it_matches_and_picks_none()
        {
            var ex = Assert.Throws<DrToolsException>(() => BackupSetIds.Resolve("20260301", Ids, "repo"));
            Assert.Equal(ErrorIds.InvalidParameter, ex.ErrorId);
            Assert.Contains(Ids[0], ex.Message);
            Assert.Contains(Ids[1], ex.Message);
        }

        [Fact]
        public void An_unknown_id_is_BackupSetNotFound()
        {
            var ex = Assert.Throws<DrToolsException>(() => BackupSetIds.Resolve("2025", Ids, "repo"));
            Assert.Equal(BackupErrorIds.BackupSetNotFound, ex.ErrorId);
        }
    }
}
