// drbench: runs BackupEngine / RestoreEngine directly against an S3-compatible server.
//   drbench backup  <source> <bucket> <prefix>
//   drbench restore <bucket> <prefix> <destination>
//   drbench ceiling-up   <source> <bucket> <prefix>       the ceiling row: the source's files, concatenated in path order,
//   drbench ceiling-down <bucket> <prefix> <destination>  PUT as 16 MiB objects 4 at a time / GET back into one file
// The ceiling is what this server takes through the same S3 client on this machine: no chunking, no compression, no
// dedup; only the SHA-256 checksum every PUT carries (S3Service computes it for a signed PUT over http).
// Endpoint and keys from DRBENCH_ENDPOINT, DRBENCH_ACCESS_KEY, DRBENCH_SECRET_KEY; DRBENCH_CONCURRENCY overrides the
// concurrent requests (default: the cmdlets' default). Same store options as Invoke-DrBackup -S3Compatible (no SSE
// header, checksums only when required, path-style addressing).
// Diagnostics: DRBENCH_MEMSTAT=1 prints the peak managed heap and working set and the GC counts; DRBENCH_ALLOCS=1
// prints the runtime's allocation samples by type (how the backup engine's memory was brought under 300 MB).
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Aws.S3;
using DrTools.Core.Connection;
using DrTools.Core.Backup;
using DrTools.Core.Backup.Storage;
using DrTools.Core.Diagnostics;

if (args.Length != 4 || args[0] is not ("backup" or "restore" or "ceiling-up" or "ceiling-down"))
{
    Console.Error.WriteLine("usage: drbench backup|ceiling-up <source> <bucket> <prefix> | drbench restore|ceiling-down <bucket> <prefix> <destination>");
    return 2;
}
// The same S3 path the cmdlets use with -S3Compatible (WHEN_REQUIRED checksums, path-style, endpoint override).
var connection = new ConnectionResolver().Resolve(new ConnectionRequest
{
    Region = "us-east-1",
    EndpointUrl = Environment.GetEnvironmentVariable("DRBENCH_ENDPOINT"),
    AccessKey = Environment.GetEnvironmentVariable("DRBENCH_ACCESS_KEY"),
    SecretKey = Environment.GetEnvironmentVariable("DRBENCH_SECRET_KEY"),
    S3ChecksumWhenRequired = true,
});
using var s3 = new S3Service(new AwsClientFactory(connection));
var (bucket, prefix) = args[0] is "backup" or "ceiling-up" ? (args[2], args[3]) : (args[1], args[2]);
var store = new S3Store(s3, bucket, prefix.TrimEnd('/') + "/", new S3StoreOptions { NoServerSideEncryption = true });
var ct = CancellationToken.None;
using var allocs = Environment.GetEnvironmentVariable("DRBENCH_ALLOCS") == "1" ? new AllocationSampler() : null;
// DRBENCH_MEMSTAT=1: sample the managed heap and the working set every 50 ms and print the peaks (where memory goes).
long peakHeap = 0, peakCommitted = 0, peakWs = 0;
using var sampler = Environment.GetEnvironmentVariable("DRBENCH_MEMSTAT") == "1" ? new Timer(_ =>
{
    var info = GC.GetGCMemoryInfo();
    peakHeap = Math.Max(peakHeap, GC.GetTotalMemory(false));
    peakCommitted = Math.Max(peakCommitted, info.TotalCommittedBytes);
    peakWs = Math.Max(peakWs, Environment.WorkingSet);
}, null, 0, 50) : null;
int? concurrency = int.TryParse(Environment.GetEnvironmentVariable("DRBENCH_CONCURRENCY"), out var c) ? c : null;
if (args[0] == "ceiling-up")
{
    var bytes = await Ceiling.UploadAsync(store, args[1], concurrency ?? 4, ct);
    Console.WriteLine($"ceiling: uploaded {bytes} bytes");
}
else if (args[0] == "ceiling-down")
{
    var bytes = await Ceiling.DownloadAsync(store, args[3], concurrency ?? 4, ct);
    Console.WriteLine($"ceiling: downloaded {bytes} bytes");
}
else if (args[0] == "backup")
{
    var set = await new BackupEngine(store, NullReporter.Instance).RunAsync(new BackupOptions { Paths = new[] { args[1] }, ConcurrentRequests = concurrency }, ct);
    Console.WriteLine($"backup set {set.Id}: {set.Files} files, {set.Bytes} bytes, {set.NewBytes} new bytes, {set.UploadedBytes} uploaded, {set.Duration.TotalSeconds:0.0} s");
}
else
{
    var repo = await BackupRepository.OpenAsync(store, ct);
    var manifest = await RestoreEngine.SelectAsync(repo, null, null, ct);
    var result = await new RestoreEngine(repo, NullReporter.Instance).RestoreAsync(manifest, new RestoreOptions { Destination = args[3], ConcurrentRequests = concurrency ?? new RestoreOptions().ConcurrentRequests }, ct);
    Console.WriteLine($"restored {result.FilesRestored} files, {result.BytesRestored} bytes, {result.FilesFailed} failed, {result.Duration.TotalSeconds:0.0} s");
    if (!result.Succeeded) return 1;
}
allocs?.Print();
if (sampler != null) Console.WriteLine($"peak managed heap {peakHeap >> 20} MB, GC committed {peakCommitted >> 20} MB, working set {peakWs >> 20} MB; " +
    $"GCs {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}, live after a full GC {GC.GetTotalMemory(true) >> 20} MB, allocated {GC.GetTotalAllocatedBytes() >> 20} MB");
return 0;

/// <summary>The ceiling row: a plain parallel transfer of large objects (no chunking, hashing beyond the PUT checksum, or dedup).</summary>
static class Ceiling
{
    const int ObjectSize = 16 << 20;

    /// <summary>Every file under the source in path order, read back to back into 16 MiB objects, <paramref name="parallel"/> PUTs at a time.</summary>
    public static async Task<long> UploadAsync(IRepositoryStore store, string source, int parallel, CancellationToken ct)
    {
        var files = Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories).OrderBy(f => f, StringComparer.Ordinal).ToList();
        var free = new System.Collections.Concurrent.ConcurrentBag<byte[]>();
        using var slots = new SemaphoreSlim(parallel);
        var puts = new List<Task>();
        long total = 0;
        var n = 0;
        var buffer = new byte[ObjectSize];
        var filled = 0;
        void Send()
        {
            var data = buffer;
            var length = filled;
            var key = $"{n++:d6}";
            puts.Add(Task.Run(async () =>
            {
                try { await store.PutAsync(key, data, length, SHA256.HashData(data.AsSpan(0, length)), ct); }
                finally { free.Add(data); slots.Release(); }
            }));
            total += length;
            filled = 0;
        }
        foreach (var f in files)
        {
            using var stream = new FileStream(f, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1);
            int read;
            while ((read = await stream.ReadAsync(buffer.AsMemory(filled, ObjectSize - filled), ct)) > 0)
            {
                filled += read;
                if (filled < ObjectSize) continue;
                await slots.WaitAsync(ct);
                Send();
                buffer = free.TryTake(out var b) ? b : new byte[ObjectSize];
            }
        }
        if (filled > 0) { await slots.WaitAsync(ct); Send(); }
        await Task.WhenAll(puts);
        return total;
    }

    /// <summary>Every object back into one file at its offset, <paramref name="parallel"/> GETs at a time, then flushed to disk (as a restore is).</summary>
    public static async Task<long> DownloadAsync(IRepositoryStore store, string destination, int parallel, CancellationToken ct)
    {
        var objects = (await store.ListAsync("", ct)).OrderBy(o => o.Key, StringComparer.Ordinal).ToList();
        Directory.CreateDirectory(destination);
        using var file = File.OpenHandle(Path.Combine(destination, "ceiling.bin"), FileMode.Create, FileAccess.Write, FileShare.None, FileOptions.Asynchronous);
        var offsets = new long[objects.Count];
        for (int i = 1; i < objects.Count; i++) offsets[i] = offsets[i - 1] + objects[i - 1].Size;
        await Parallel.ForEachAsync(Enumerable.Range(0, objects.Count), new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = ct }, async (i, token) =>
        {
            var buffer = new byte[1 << 20];
            using var stream = await store.OpenReadAsync(objects[i].Key, token) ?? throw new IOException($"{objects[i].Key} is gone");
            long at = offsets[i];
            int read;
            while ((read = await stream.ReadAsync(buffer, token)) > 0)
            {
                await RandomAccess.WriteAsync(file, buffer.AsMemory(0, read), at, token);
                at += read;
            }
            if (at - offsets[i] != objects[i].Size) throw new IOException($"{objects[i].Key}: {at - offsets[i]} of {objects[i].Size} bytes");
        });
        RandomAccess.FlushToDisk(file);
        return objects.Sum(o => o.Size);
    }
}

/// <summary>DRBENCH_ALLOCS=1: the runtime's allocation samples (one per ~100 KB) by type and size class.</summary>
sealed class AllocationSampler : System.Diagnostics.Tracing.EventListener
{
    readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _bytes = new();
    protected override void OnEventSourceCreated(System.Diagnostics.Tracing.EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
            EnableEvents(source, System.Diagnostics.Tracing.EventLevel.Verbose, (System.Diagnostics.Tracing.EventKeywords)0x1);
    }
    protected override void OnEventWritten(System.Diagnostics.Tracing.EventWrittenEventArgs e)
    {
        if (e.EventName == null || !e.EventName.StartsWith("GCAllocationTick")) return;
        var type = e.Payload![e.PayloadNames!.IndexOf("TypeName")]?.ToString() ?? "?";
        var kind = e.Payload[e.PayloadNames.IndexOf("AllocationKind")]?.ToString() == "1" ? "LOH" : "SOH";
        var amount = Convert.ToInt64(e.Payload[e.PayloadNames.IndexOf("AllocationAmount64")]);
        _bytes.AddOrUpdate(kind + " " + type, amount, (_, v) => v + amount);
    }
    public void Print()
    {
        foreach (var kv in System.Linq.Enumerable.Take(System.Linq.Enumerable.OrderByDescending(_bytes, kv => kv.Value), 12))
            Console.WriteLine($"  {kv.Value >> 20,6} MB  {kv.Key}");
    }
}
