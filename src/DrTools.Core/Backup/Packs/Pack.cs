using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace DrTools.Core.Backup.Packs
{
    /// <summary>File content (chunks) and backup-set trees are packed separately, so reading a set's trees reads no file data.</summary>
    public enum BlobKind
    {
        Data = 0,
        Tree = 1,
    }

    /// <summary>One blob inside a pack: its name (SHA-256 of the raw bytes, hex) and where its stored bytes are.</summary>
    public sealed record BlobEntry(string Id, BlobKind Kind, bool Compressed, int Offset, int Length, int RawLength);

    /// <summary>A stored pack and the blobs in it, as an index file lists them.</summary>
    public sealed record PackContents(string PackId, IReadOnlyList<BlobEntry> Blobs)
    {
        public long StoredBytes
        {
            get
            {
                long n = 0;
                foreach (var b in Blobs) n += b.Length;
                return n;
            }
        }
    }

    /// <summary>
    /// The binary layouts of packs and index files (docs/repository-format.md). Both are named by the SHA-256 of
    /// their bytes. A pack ends with a header listing its blobs, so an index can be rebuilt from the packs alone.
    /// </summary>
    internal static class PackFormat
    {
        public const int EntrySize = 32 + 1 + 4 + 4;
        const int IndexEntrySize = 32 + 1 + 4 + 4 + 4;
        static readonly byte[] PackMagic = Encoding.ASCII.GetBytes("DRPK");
        static readonly byte[] IndexMagic = Encoding.ASCII.GetBytes("DRIX");
        const byte IndexVersion = 1;

        public static byte Flags(BlobEntry e) => (byte)((e.Compressed ? 1 : 0) | (e.Kind == BlobKind.Tree ? 2 : 0));

        /// <summary>The header and trailer that end a pack holding <paramref name="blobs"/> (offsets implied by order).</summary>
        public static byte[] Trailer(IReadOnlyList<BlobEntry> blobs)
        {
            var ms = new MemoryStream(8 + blobs.Count * EntrySize + 8);
            var w = new BinaryWriter(ms);
            w.Write((uint)blobs.Count);
            foreach (var b in blobs)
            {
                w.Write(Json.FromHex(b.Id));
                w.Write(Flags(b));
                w.Write((uint)b.Length);
                w.Write((uint)b.RawLength);
            }
            var headerLength = (uint)ms.Length;
            w.Write(headerLength);
            w.Write(PackMagic);
            w.Flush();
            return ms.ToArray();
        }

        /// <summary>The header length a pack's last 8 bytes announce; null when they are not a DrTools pack trailer.</summary>
        public static int? HeaderLength(byte[] tail, int tailLength)
        {
            if (tailLength < 8) return null;
            for (int i = 0; i < 4; i++)
                if (tail[tailLength - 4 + i] != PackMagic[i]) return null;
            var length = BitConverter.ToUInt32(tail, tailLength - 8);
            return length < 4 || length > int.MaxValue ? null : (int)length;
        }

        /// <summary>Parses a pack header (the bytes before the 8-byte trailer); null when it is malformed.</summary>
        public static IReadOnlyList<BlobEntry>? ParseHeader(byte[] header, int offset, int length)
        {
            if (length < 4) return null;
            var count = BitConverter.ToUInt32(header, offset);
            if ((long)count * EntrySize + 4 != length) return null;
            var result = new CompactBlobList.Builder((int)count);
            int pos = offset + 4, blobOffset = 0;
            for (int i = 0; i < count; i++)
            {
                var flags = header[pos + 32];
                var len = (int)BitConverter.ToUInt32(header, pos + 33);
                var raw = (int)BitConverter.ToUInt32(header, pos + 37);
                result.Add(BlobKey.FromBytes(header, pos), (byte)(flags & 3), blobOffset, len, raw);
                blobOffset += len;
                pos += EntrySize;
            }
            return result.Build();
        }

        public static byte[] SerializeIndex(IEnumerable<PackContents> packs)
        {
            var ms = new MemoryStream();
            var w = new BinaryWriter(ms);
            w.Write(IndexMagic);
            w.Write(IndexVersion);
            var list = new List<PackContents>(packs);
            w.Write((uint)list.Count);
            foreach (var p in list)
            {
                w.Write(Json.FromHex(p.PackId));
                w.Write((uint)p.Blobs.Count);
                foreach (var b in p.Blobs)
                {
                    w.Write(Json.FromHex(b.Id));
                    w.Write(Flags(b));
                    w.Write((uint)b.Offset);
                    w.Write((uint)b.Length);
                    w.Write((uint)b.RawLength);
                }
            }
            w.Flush();
            return ms.ToArray();
        }

        /// <summary>Parses an index file; throws <see cref="InvalidDataException"/> when it is malformed.</summary>
        public static List<PackContents> ParseIndex(byte[] data)
        {
            var r = new BinaryReader(new MemoryStream(data));
            try
            {
                var magic = r.ReadBytes(4);
                if (magic.Length != 4 || Encoding.ASCII.GetString(magic) != "DRIX") throw new InvalidDataException("not a DrTools index file");
                var version = r.ReadByte();
                if (version != IndexVersion) throw new InvalidDataException($"index version {version} is not supported");
                var packs = r.ReadUInt32();
                var result = new List<PackContents>();
                for (uint p = 0; p < packs; p++)
                {
                    var packId = Json.Hex(r.ReadBytes(32));
                    var count = r.ReadUInt32();
                    if (count > data.Length / IndexEntrySize) throw new InvalidDataException("blob count past the end of the file");
                    var blobs = new CompactBlobList.Builder((int)count);
                    var id = new byte[32];
                    for (uint i = 0; i < count; i++)
                    {
                        if (r.Read(id, 0, 32) != 32) throw new EndOfStreamException();
                        var flags = r.ReadByte();
                        var offset = (int)r.ReadUInt32();
                        var length = (int)r.ReadUInt32();
                        var raw = (int)r.ReadUInt32();
                        blobs.Add(BlobKey.FromBytes(id, 0), (byte)(flags & 3), offset, length, raw);
                    }
                    result.Add(new PackContents(packId, blobs.Build()));
                }
                if (r.BaseStream.Position != data.Length) throw new InvalidDataException("trailing bytes");
                return result;
            }
            catch (EndOfStreamException)
            {
                throw new InvalidDataException("truncated");
            }
        }
    }
}
