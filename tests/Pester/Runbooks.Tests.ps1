# What the README promises a newcomer, run as written: the folder-repository runbook, the quickstart
# (README command 1, in its own pwsh process) and the Install section's import path.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:repoRoot = Get-DrRepoRoot
    $script:readme = Join-Path $repoRoot 'README.md'
    Import-Module (Get-DrModuleManifest) -Force
}

Describe 'README runbook: back up, prove it comes back, restore' {
    BeforeAll {
        $script:block = @(Get-MarkdownCodeBlock $readme | Where-Object Heading -eq 'Runbook: back up, prove it comes back, restore')[0]
        $script:drives = Set-ExampleDrive -Root $TestDrive
        # D:\Data as an admin's file share would have it: a few documents and one larger file.
        $data = Join-Path $drives.D 'Data'
        [void](New-Item -ItemType Directory -Path (Join-Path $data 'finance'))
        foreach ($i in 1..5) { Set-Content -Path (Join-Path $data "finance/invoice-$i.txt") -Value "Invoice $i" }
        $bytes = [byte[]]::new(3MB); [Random]::new(7).NextBytes($bytes)
        [IO.File]::WriteAllBytes((Join-Path $data 'orders.db'), $bytes)
    }
    AfterAll { Remove-ExampleDrive }

    It 'runs verbatim without AWS and restores every file' {
        $block | Should -Not -BeNullOrEmpty -Because 'README.md has this runbook'
        $block.Code | Should -Match 'Invoke-DrBackup'
        $output = . ([scriptblock]::Create($block.Code))

        # The variables the runbook sets, as an admin would look at them afterwards.
        $backup.GetType().Name | Should -Be 'BackupSet'
        $backup.Files | Should -Be 6
        $backup.Tags | Should -Be @('nightly')
        $test.Passed | Should -BeTrue
        $test.BackupSetId | Should -Be $backup.Id
        $test.RtoMet | Should -BeTrue
        $restore = @($output)[-1]
        $restore.GetType().Name | Should -Be 'RestoreResult'
        $restore.FilesRestored | Should -Be 6
        $restored = Join-Path $drives.D 'Restore/Data'
        (Get-FileHash (Join-Path $restored 'orders.db')).Hash | Should -Be (Get-FileHash (Join-Path $drives.D 'Data/orders.db')).Hash
        Get-Content (Join-Path $restored 'finance/invoice-3.txt') | Should -Be 'Invoice 3'
    }
}

Describe 'README command 1: examples/quickstart.ps1 in pwsh' {
    It 'backs up, proves the restore and restores, in a fresh pwsh process (pwsh -File)' {
        $work = Join-Path $TestDrive 'quickstart'
        $run = Invoke-Pwsh -ArgumentList '-File', (Join-Path $repoRoot 'examples/quickstart.ps1'), '-WorkDir', $work -WorkingDirectory $repoRoot
        $run.ExitCode | Should -Be 0 -Because "the quickstart must succeed; it printed:`n$($run.Output)`n$($run.ErrorOutput)"
        $run.Output | Should -Match 'Done\.'
        (Get-Item (Join-Path $work 'restore/data/orders.db')).Length | Should -Be 20MB

        # The repository it left behind: two sets, the second incremental.
        $sets = @(Get-DrBackup -Repository (Join-Path $work 'repository') | Sort-Object Time)
        $sets.Count | Should -Be 2
        $sets[1].NewBytes | Should -BeLessThan 4MB -Because 'the incremental backup must not re-send unchanged data'
        Get-Content (Join-Path $work 'restore/data/invoices/invoice-7.txt') -Raw | Should -Match 'Paid: yes'
    }
}

Describe 'README Install section' {
    It 'imports the module from the path the build assembles' {
        $imports = @(Get-MarkdownCodeBlock $readme | ForEach-Object { $_.Code -split '\n' } | Where-Object { $_ -match '^\s*Import-Module\s+(\./out/\S+)' } |
                ForEach-Object { $Matches[1] })
        $imports.Count | Should -BeGreaterThan 0
        foreach ($path in $imports) {
            (Resolve-Path (Join-Path $repoRoot $path)).ProviderPath | Should -Be (Get-DrModuleManifest) -Because "README says Import-Module $path"
        }
    }
}
