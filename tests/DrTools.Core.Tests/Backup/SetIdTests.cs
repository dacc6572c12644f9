using System;
using DrTools.Core.Backup;
using Xunit;

namespace DrTools.Core.Tests.Backup
{
    public class SetIdTests
    {
        [Fact]
        public void Ids_of_sets_taken_in_the_same_second_sort_in_the_order_they_were_taken()
        {
            // -Latest and the incremental base follow id order; a random suffix must never decide it.
            var t = new DateTime(2026, 11, 24, 7, 19, 7, 100, DateTimeKind.Utc);
            for (int i = 0; i < 50; i++)
            {
                var first = BackupRepository.NewSetId(t);
                var second = BackupRepository.NewSetId(t.AddMilliseconds(1));
                Assert.True(string.CompareOrdinal(first, second) < 0, $"{first} sorts after {second}");
            }
        }
    }
}
