// drbench: runs BackupEngine / RestoreEngine directly against an S3-compatible server.
//   drbench backup  <source> <bucket> <prefix>
//   drbench restore <bucket> <prefix> <destination>
// Endpoint and keys from DRBENCH_ENDPOINT, DRBENCH_ACCESS_KEY, DRBENCH_SECRET_KEY; DRBENCH_CONCURRENCY overrides the
// concurrent requests (default: the cmdlets' default). Same store options as Invoke-DrBackup -S3Compatible (no SSE
// header, checksums only when required, path-style addressing).
// Diagnostics: DRBENCH_MEMSTAT=1 prints the peak managed heap and working set and the GC counts; DRBENCH_ALLOCS=1
// prints the runtime's allocation samples by type (how the backup engine's memory was brought under 300 MB).
using System;
using System.Threading;
using DrTools.Core.Aws.S3;
using DrTools.Core.Connection;
using DrTools.Core.Backup;
using DrTools.Core.Backup.Storage;
using DrTools.Core.Diagnostics;

if (args.Length != 4 || args[0] is not ("backup" or "restore"))
{
    Console.Error.WriteLine("usage: drbench backup <source> <bucket> <prefix> | drbench restore <bucket> <prefix> <destination>");
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
var (bucket, prefix) = args[0] == "backup" ? (args[2], args[3]) : (args[1], args[2]);
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
if (args[0] == "backup")
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
