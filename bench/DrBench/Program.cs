// drbench: runs BackupEngine / RestoreEngine directly against an S3-compatible server.
//   drbench backup  <source> <bucket> <prefix>
//   drbench restore <bucket> <prefix> <destination>
// Endpoint and keys from DRBENCH_ENDPOINT, DRBENCH_ACCESS_KEY, DRBENCH_SECRET_KEY; DRBENCH_CONCURRENCY overrides the
// concurrent requests (default: the cmdlets' default). Same store options as Invoke-DrBackup -S3Compatible (no SSE
// header, checksums only when required, path-style addressing).
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
int? concurrency = int.TryParse(Environment.GetEnvironmentVariable("DRBENCH_CONCURRENCY"), out var c) ? c : null;
if (args[0] == "backup")
{
    var set = await new BackupEngine(store, NullReporter.Instance).RunAsync(new BackupOptions { Paths = new[] { args[1] }, ConcurrentRequests = concurrency }, ct);
    Console.WriteLine($"backup set {set.Id}: {set.Files} files, {set.Bytes} bytes, {set.NewBytes} new bytes, {set.Duration.TotalSeconds:0.0} s");
}
else
{
    var repo = await BackupRepository.OpenAsync(store, ct);
    var manifest = await RestoreEngine.SelectAsync(repo, null, null, ct);
    var result = await new RestoreEngine(repo, NullReporter.Instance).RestoreAsync(manifest, new RestoreOptions { Destination = args[3], ConcurrentRequests = concurrency ?? new RestoreOptions().ConcurrentRequests }, ct);
    Console.WriteLine($"restored {result.FilesRestored} files, {result.BytesRestored} bytes, {result.FilesFailed} failed, {result.Duration.TotalSeconds:0.0} s");
    if (!result.Succeeded) return 1;
}
return 0;
