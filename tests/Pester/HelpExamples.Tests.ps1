# The Get-Help examples that need no AWS, run verbatim: folder repositories (D:\Data, E:\DrBackup mapped to a
# scratch folder) and plan files in the current folder (.\orders.json, .\plans\*.json).
BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $docs = Join-Path (Get-DrRepoRoot) 'docs/cmdlets'
    # AWS-free: calls only cmdlets that work on local files, and nothing that names AWS (S3, a region, EC2/RDS
    # recovery points, live checks, UNC shares that do not exist here).
    $localCmdlets = 'New-DrPlan', 'Import-DrPlan', 'Test-DrPlan', 'Invoke-DrBackup', 'Get-DrBackup', 'Restore-DrBackup',
    'Test-DrRestore', 'Remove-DrBackup', 'Copy-DrBackup', 'Export-DrReport'
    $needsAws = 's3://|-Region\b|-Kind\b|-Live\b|-InstanceId\b|-DBInstanceIdentifier\b|-SourceId\b|-Image\b|-EC2|\\\\'
    $script:examples = foreach ($page in Get-ChildItem $docs -Filter '*-Dr*.md' | Sort-Object Name) {
        $cmdlet = $page.BaseName
        foreach ($block in Get-MarkdownCodeBlock $page.FullName) {
            if ($block.Heading -notmatch '^Example (\d+)') { continue }
            $ast = [System.Management.Automation.Language.Parser]::ParseInput($block.Code, [ref]$null, [ref]$null)
            $commands = @($ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.CommandAst] }, $true) |
                    ForEach-Object { $_.GetCommandName() } | Where-Object { $_ -like '*-Dr*' -or $_ -like '*-EC2*' })
            $local = $commands.Count -gt 0 -and @($commands | Where-Object { $localCmdlets -notcontains $_ }).Count -eq 0
            if ($local -and $block.Code -notmatch $needsAws) {
                @{ Cmdlet = $cmdlet; Title = $block.Heading; Code = $block.Code; Commands = $commands }
            }
        }
    }
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-DrModuleManifest) -Force
}

Describe 'AWS-free help examples' {
    It 'at least one example runs for each cmdlet that works without AWS' {
        $ran = @($examples | ForEach-Object { $_.Cmdlet } | Sort-Object -Unique)
        foreach ($cmdlet in 'New-DrPlan', 'Import-DrPlan', 'Test-DrPlan', 'Invoke-DrBackup', 'Get-DrBackup', 'Restore-DrBackup', 'Test-DrRestore', 'Remove-DrBackup') {
            $ran | Should -Contain $cmdlet
        }
    }
}

Describe '<Cmdlet> <Title>' -ForEach $examples {
    BeforeAll {
        # A fresh scratch world for each example: D:\Data with files, E:\DrBackup holding two backups of it,
        # D:\Shares with project folders and a scratch folder, and a current folder with orders.json and
        # plans\*.json (unless the example writes orders.json itself).
        $drives = Set-ExampleDrive -Root $TestDrive
        $data = Join-Path $drives.D 'Data'
        [void](New-Item -ItemType Directory -Path (Join-Path $data 'cache'), (Join-Path $data 'finance'))
        Set-Content (Join-Path $data 'finance/ledger.csv') 'account,amount'
        Set-Content (Join-Path $data 'draft.tmp') 'scratch'
        Set-Content (Join-Path $data 'cache/index.bin') 'cache'
        [void](Invoke-DrBackup -Path $data -Repository (Join-Path $drives.E 'DrBackup') -Tag nightly)
        Add-Content (Join-Path $data 'finance/ledger.csv') 'fs01,100'
        [void](Invoke-DrBackup -Path $data -Repository (Join-Path $drives.E 'DrBackup') -Tag nightly)
        foreach ($share in 'proj-alpha', 'proj-beta', 'scratch') {
            [void](New-Item -ItemType Directory -Path (Join-Path $drives.D "Shares/$share"))
            Set-Content (Join-Path $drives.D "Shares/$share/notes.txt") $share
        }

        $cwd = Join-Path $TestDrive 'cwd'
        [void](New-Item -ItemType Directory -Path (Join-Path $cwd 'plans'))
        if ($Commands -notcontains 'New-DrPlan') { [void](New-DrPlan -Strategy PILOT_LIGHT -Name orders -Path (Join-Path $cwd 'orders.json')) }
        [void](New-DrPlan -Strategy WARM_STANDBY -Name orders-warm -Path (Join-Path $cwd 'plans/orders-warm.json'))
        [void](New-DrPlan -Strategy MULTI_SITE -Name shop -Path (Join-Path $cwd 'plans/shop.json'))
        Push-Location $cwd
    }
    AfterAll {
        Pop-Location
        Remove-ExampleDrive
    }

    It 'runs verbatim without an error' {
        $output = & ([scriptblock]::Create($Code)) 2>&1
        $errors = @($output | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
        $errors | Should -BeNullOrEmpty -Because "the example`n$Code`nmust run as documented"
    }
}
