# Export-DrReport in real pwsh, as a runbook uses it: `... | Export-DrReport -Path` on what the file-backup cmdlets
# return (no AWS needed), in this session and in a fresh pwsh process.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-DrModuleManifest) -Force
    $script:data = Join-Path $TestDrive 'data'
    $script:repo = Join-Path $TestDrive 'repo'
    [void](New-Item -ItemType Directory -Path $data)
    Set-Content (Join-Path $data 'ledger.csv') 'account,amount'
    [void](Invoke-DrBackup -Path $data -Repository $repo -Tag nightly)
}

Describe 'Backups and a restore test piped to Export-DrReport -Path' {
    It 'writes one self-contained HTML page and returns its FileInfo' {
        $path = Join-Path $TestDrive 'backups.html'
        $sets = Get-DrBackup -Repository $repo
        $test = Get-DrBackup -Repository $repo -Latest | Test-DrRestore -RtoTarget 00:05:00
        $file = @($sets) + $test | Export-DrReport -Path $path
        $file | Should -BeOfType ([System.IO.FileInfo])
        $file.FullName | Should -Be $path
        $html = Get-Content $path -Raw
        $html | Should -Match '^<!DOCTYPE html>'
        $html | Should -Match 'Backups: RPO age per source'
        $html | Should -Match ([regex]::Escape($test.BackupSetId))
        $html | Should -Not -Match '<script|https?://|src='
        @(Get-ChildItem $TestDrive -Filter '*.tmp-*' -Force).Count | Should -Be 0 -Because 'the write is atomic and leaves no temporary'
    }

    It 'writes Markdown and JSON from the extension, and needs -Force to replace a report' {
        $md = Join-Path $TestDrive 'backups.md'
        $json = Join-Path $TestDrive 'backups.json'
        Get-DrBackup -Repository $repo | Export-DrReport -Path $md | Out-Null
        Get-DrBackup -Repository $repo | Export-DrReport -Path $json | Out-Null
        Get-Content $md -Raw | Should -Match '## Backups: RPO age per source'
        (Get-Content $json -Raw | ConvertFrom-Json).schemaVersion | Should -Be 1
        { Get-DrBackup -Repository $repo | Export-DrReport -Path $md -ErrorAction Stop } | Should -Throw -ErrorId 'DrTools.AlreadyExists*'
        Get-DrBackup -Repository $repo | Export-DrReport -Path $md -Force | Should -Not -BeNullOrEmpty
    }

    It 'works in a fresh pwsh process, the way a scheduled runbook runs it' {
        $path = Join-Path $TestDrive 'fresh.html'
        $script = "Import-Module '$(Get-DrModuleManifest)'; Get-DrBackup -Repository '$repo' | Export-DrReport -Path '$path' -TimeZone UTC | ForEach-Object Name"
        $run = Invoke-Pwsh -ArgumentList '-Command', $script -TimeoutSec 120
        $run.ExitCode | Should -Be 0 -Because "$($run.Output)`n$($run.ErrorOutput)"
        $run.Output.Trim() | Should -Be 'fresh.html'
        Get-Content $path -Raw | Should -Match '\+00:00'
    }
}
