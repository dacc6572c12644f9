using System;
using System.Collections;
using System.Collections.Generic;

namespace DrTools.Core.Backup.Packs
{
    /// <summary>
    /// A blob's name (its SHA-256) as 32 bytes in four words: the in-memory index keys on this instead of the 64-character
    /// hex string (about 150 bytes of string per chunk), so a repository of a million chunks fits in tens of megabytes.
    /// </summary>
    public readonly struct BlobKey : IEquatable<BlobKey>
    {
        readonly ulong _a, _b, _c, _d;

        BlobKey(ulong a, ulong b, ulong c, ulong d)
        {
            _a = a;
            _b = b;
            _c = c;
            _d = d;
        }

        /// <summary>The key of a blob name: 64 hex digits (either case); false for anything else.</summary>
        public static bool TryParse(string? hex, out BlobKey key)
        {
            key = default;
            if (hex == null || hex.Length != 64) return false;
            if (!TryWord(hex, 0, out var a) || !TryWord(hex, 16, out var b) || !TryWord(hex, 32, out var c) || !TryWord(hex, 48, out var d)) return false;
            key = new BlobKey(a, b, c, d);
            return true;
        }

        /// <summary>The key of 32 raw bytes at <paramref name="offset"/> (as index files and pack headers hold them).</summary>
        public static BlobKey FromBytes(byte[] data, int offset) =>
            new(Word(data, offset), Word(data, offset + 8), Word(data, offset + 16), Word(data, offset + 24));

        static ulong Word(byte[] data, int offset)
        {
            ulong w = 0;
            for (int i = 0; i < 8; i++) w = (w << 8) | data[offset + i];
            return w;
        }

        static bool TryWord(string hex, int start, out ulong word)
        {
            word = 0;
            for (int i = start; i < start + 16; i++)
            {
                var ch = hex[i];
                int v = ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
                if (v < 0) return false;
                word = (word << 4) | (uint)v;
            }
            return true;
        }

        /// <summary>The blob name: 64 lower-case hex digits.</summary>
        public override string ToString()
        {
            var chars = new char[64];
            Hex(_a, chars, 0);
            Hex(_b, chars, 16);
            Hex(_c, chars, 32);
            Hex(_d, chars, 48);
            return new string(chars);
        }

        static void Hex(ulong word, char[] chars, int at)
        {
            for (int i = 15; i >= 0; i--)
            {
                var v = (int)(word & 0xF);
                chars[at + i] = (char)(v < 10 ? '0' + v : 'a' + v - 10);
                word >>= 4;
            }
        }

        public bool Equals(BlobKey other) => _a == other._a && _b == other._b && _c == other._c && _d == other._d;
        public override bool Equals(object? obj) => obj is BlobKey k && Equals(k);

        // A SHA-256 is uniformly distributed: its first bytes are as good a hash as any.
        public override int GetHashCode() => (int)(_a >> 32) ^ (int)_a;
    }

    /// <summary>
    /// A pack's blobs kept as structs (no object and no string per blob): index files and pack headers are read into
    /// this, and so are the packs a backup writes. <see cref="BlobEntry"/> objects are made only when a caller asks for
    /// one (a restore's lookups, a prune's walk over the packs) and are garbage right after.
    /// </summary>
    internal sealed class CompactBlobList : IReadOnlyList<BlobEntry>
    {
        struct Entry
        {
            public BlobKey Key;
            public int Offset;
            public int Length;
            public int RawLength;
            public byte Flags; // 1 compressed, 2 tree (as stored in the pack format)
        }

        readonly Entry[] _entries;

        CompactBlobList(Entry[] entries) => _entries = entries;

        public int Count => _entries.Length;

        public BlobKey KeyAt(int i) => _entries[i].Key;
        public int OffsetAt(int i) => _entries[i].Offset;
        public int LengthAt(int i) => _entries[i].Length;

        public BlobEntry this[int i]
        {
            get
            {
                ref readonly var e = ref _entries[i];
                return new BlobEntry(e.Key.ToString(), (e.Flags & 2) != 0 ? BlobKind.Tree : BlobKind.Data, (e.Flags & 1) != 0, e.Offset, e.Length, e.RawLength);
            }
        }

        public IEnumerator<BlobEntry> GetEnumerator()
        {
            for (int i = 0; i < _entries.Length; i++) yield return this[i];
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        /// <summary>Builds the list entry by entry (the parsers and the pack writer).</summary>
        public sealed class Builder
        {
            readonly Entry[] _entries;
            int _count;

            public Builder(int capacity) => _entries = new Entry[capacity];

            public void Add(BlobKey key, byte flags, int offset, int length, int rawLength) =>
                _entries[_count++] = new Entry { Key = key, Flags = flags, Offset = offset, Length = length, RawLength = rawLength };

            public CompactBlobList Build()
            {
                if (_count != _entries.Length) throw new InvalidOperationException($"{_count} of {_entries.Length} entries added.");
                return new CompactBlobList(_entries);
            }
        }

        /// <summary>Adds the keys of <paramref name="blobs"/> to <paramref name="keys"/> without making an entry or a string per blob.</summary>
        public static void AddKeys(IReadOnlyList<BlobEntry> blobs, ISet<BlobKey> keys)
        {
            if (blobs is CompactBlobList compact)
            {
                for (int i = 0; i < compact.Count; i++) keys.Add(compact.KeyAt(i));
                return;
            }
            foreach (var b in blobs)
                if (BlobKey.TryParse(b.Id, out var key)) keys.Add(key);
        }

        /// <summary>The compact form of entries the pack writer collected; the list itself if an id is not a blob name (64 hex digits).</summary>
        public static IReadOnlyList<BlobEntry> From(IReadOnlyList<BlobEntry> blobs)
        {
            if (blobs is CompactBlobList) return blobs;
            var builder = new Builder(blobs.Count);
            foreach (var b in blobs)
            {
                if (!BlobKey.TryParse(b.Id, out var key) || b.Id != key.ToString()) return blobs;
                builder.Add(key, PackFormat.Flags(b), b.Offset, b.Length, b.RawLength);
            }
            return builder.Build();
        }
    }
}
