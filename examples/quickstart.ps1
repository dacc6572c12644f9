<#
.SYNOPSIS
    DrTools quickstart: back up a folder, prove the backup restores, lose a file, restore it. No AWS needed.

.DESCRIPTION
    Runs the backup-and-restore runbook against the self-contained default, a folder repository:
      1. creates sample data (a few documents and a 20 MB file) under -WorkDir\data,
      2. backs it up to -WorkDir\repository (Invoke-DrBackup),
      3. changes one file and backs up again (incremental: only new chunks are stored),
      4. proves the newest backup restores within an RTO of 5 minutes (Test-DrRestore),
      5. "loses" the data and restores it (Restore-DrBackup), checking every file's SHA-256.
    Run it again at any time; it starts from a clean -WorkDir. When DrTools is not imported yet, it imports the
    module folder the build assembles (out/DrTools/<version>/), building it first (build.ps1 -Task Package) if
    it is not there.

.EXAMPLE
    dotnet tool restore && dotnet pwsh -File examples/quickstart.ps1
.EXAMPLE
    ./examples/quickstart.ps1 -WorkDir D:\Scratch\quickstart
#>
param(
    [string] $WorkDir = [IO.Path]::Combine([IO.Path]::GetTempPath(), 'drtools-quickstart')
)
$ErrorActionPreference = 'Stop'
if (-not (Get-Module DrTools)) {
    # Not imported yet: use the module folder the build assembles (out/DrTools/<version>/), built if missing.
    $root = [IO.Path]::GetFullPath([IO.Path]::Combine($PSScriptRoot, '..'))
    $version = (Import-PowerShellDataFile ([IO.Path]::Combine($root, 'DrTools.psd1'))).ModuleVersion
    $manifest = [IO.Path]::Combine($root, 'out', 'DrTools', $version, 'DrTools.psd1')
    if (-not [IO.File]::Exists($manifest)) {
        $Host.UI.WriteLine("Building the DrTools module (first run only, a few minutes)...")
        & ([IO.Path]::Combine($root, 'build.ps1')) -Task Package
        if (-not [IO.File]::Exists($manifest)) { throw "The build did not produce $manifest; see its output above." }
    }
    Import-Module $manifest
}

function Say([string] $text) { $Host.UI.WriteLine(''); $Host.UI.WriteLine("== $text") }

# 1. Sample data (plain .NET calls, so this runs in any PowerShell host).
if ([IO.Directory]::Exists($WorkDir)) { [IO.Directory]::Delete($WorkDir, $true) }
$data = [IO.Path]::Combine($WorkDir, 'data')
$repository = [IO.Path]::Combine($WorkDir, 'repository')
$restore = [IO.Path]::Combine($WorkDir, 'restore')
[void][IO.Directory]::CreateDirectory([IO.Path]::Combine($data, 'invoices'))
foreach ($i in 1..25) {
    [IO.File]::WriteAllText([IO.Path]::Combine($data, 'invoices', "invoice-$i.txt"), "Invoice $i`nCustomer: ACME`nAmount: $($i * 100) EUR`n")
}
$random = [Random]::new(42)
$bytes = [byte[]]::new(20MB); $random.NextBytes($bytes)
[IO.File]::WriteAllBytes([IO.Path]::Combine($data, 'orders.db'), $bytes)
Say "Sample data in $data"

# 2. First backup: everything is new.
Say 'Backup 1 (full)'
Invoke-DrBackup -Path $data -Repository $repository -Tag quickstart

# 3. Change one invoice and the middle of the database file, back up again: only the changed chunks are stored.
[IO.File]::AppendAllText([IO.Path]::Combine($data, 'invoices', 'invoice-7.txt'), "Paid: yes`n")
$stream = [IO.File]::Open([IO.Path]::Combine($data, 'orders.db'), 'Open', 'ReadWrite')
try { [void]$stream.Seek(10MB, 'Begin'); $stream.Write([byte[]]::new(4096), 0, 4096) } finally { $stream.Dispose() }
Say 'Backup 2 (incremental)'
Invoke-DrBackup -Path $data -Repository $repository -Tag quickstart

Say 'Backup sets in the repository'
Get-DrBackup -Repository $repository

# 4. The test that matters: does the newest backup come back, and fast enough?
Say 'Restore test of the newest backup (RTO target 5 minutes)'
$test = Get-DrBackup -Repository $repository -Latest | Test-DrRestore -RtoTarget '00:05:00'
$test
if (-not $test.Passed) { throw "Restore test failed: $($test.Failures -join '; ')" }

# 5. Disaster: the data is gone. Restore the newest backup and check it.
Say 'Disaster: deleting the data, then restoring the newest backup'
[IO.Directory]::Delete($data, $true)
Get-DrBackup -Repository $repository -Latest | Restore-DrBackup -Destination $restore

$restoredInvoice = [IO.File]::ReadAllText([IO.Path]::Combine($restore, 'data', 'invoices', 'invoice-7.txt'))
if ($restoredInvoice -notmatch 'Paid: yes') { throw 'The restored invoice is not the newest version.' }
Say "Done. Restored files are in $restore; every file's SHA-256 was verified before it took its final name."
