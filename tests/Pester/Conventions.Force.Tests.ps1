# Convention: -Force means "do not ask" (as in AWS Tools for PowerShell), also for ConfirmImpact High and where no one
# can be asked; it never overrides a safety rule, a lock or an existing file. Those have their own names.
BeforeAll {
    $manifest = if ($env:DRTOOLS_TEST_MODULE) { $env:DRTOOLS_TEST_MODULE } else {
        (Resolve-Path (Join-Path $PSScriptRoot '../../out/DrTools/*/DrTools.psd1') | Select-Object -First 1).ProviderPath }
    Import-Module $manifest -Force
    $root = Join-Path ([IO.Path]::GetTempPath()) ("drtools-conv-force-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
    $data = New-Item -ItemType Directory (Join-Path $root 'data')
    Set-Content (Join-Path $data 'a.txt') 'alpha'
    $repo = Join-Path $root 'repo'

    # Runs a script as a scheduled task or an automation job would: in a host that cannot prompt.
    function Invoke-Unattended([string] $script) {
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript("Import-Module '$($manifest -replace "'", "''")'; $script")
            $output = $ps.Invoke()
            [pscustomobject]@{ Output = @($output); Errors = @($ps.Streams.Error) }
        }
        catch { [pscustomobject]@{ Output = @(); Errors = @($_) } }
        finally { $ps.Dispose() }
    }
}

AfterAll {
    Remove-Item $root -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Remove-DrBackup -Force in an unattended job' {
    It 'asks (and so fails) without -Force, removes with -Force' {
        $set = Invoke-DrBackup -Path $data -Repository $repo
        $asked = Invoke-Unattended "Remove-DrBackup -Repository '$repo' -Id '$($set.Id)'"
        $asked.Errors | Should -Not -BeNullOrEmpty
        Get-DrBackup -Repository $repo -Id $set.Id | Should -Not -BeNullOrEmpty

        $removed = Invoke-Unattended "Remove-DrBackup -Repository '$repo' -Id '$($set.Id)' -Force"
        $removed.Errors | Should -BeNullOrEmpty
        $removed.Output[0].RemovedSets | Should -Be $set.Id
        Get-DrBackup -Repository $repo | Where-Object Id -eq $set.Id | Should -BeNullOrEmpty
    }

    It '-Force -WhatIf still only shows' {
        $set = Invoke-DrBackup -Path $data -Repository $repo
        Remove-DrBackup -Repository $repo -Id $set.Id -Force -WhatIf
        (Get-DrBackup -Repository $repo -Id $set.Id).Id | Should -Be $set.Id
    }
}

Describe 'The overrides have their own names' {
    It 'Restore-DrBackup -Force does not replace an edited file; -Overwrite does' {
        $set = Invoke-DrBackup -Path $data -Repository $repo
        $out = Join-Path $root 'restore'
        New-Item -ItemType Directory (Join-Path $out 'data') -Force | Out-Null
        Set-Content (Join-Path $out 'data/a.txt') 'edited'
        $set | Restore-DrBackup -Destination $out -Force -ErrorVariable exists -ErrorAction SilentlyContinue | Out-Null
        $exists[0].FullyQualifiedErrorId | Should -BeLike 'DrTools.FileExists*'
        Get-Content (Join-Path $out 'data/a.txt') | Should -Be 'edited'

        $set | Restore-DrBackup -Destination $out -Overwrite -Force | Out-Null
        Get-Content (Join-Path $out 'data/a.txt') | Should -Be 'alpha'
    }

    It 'New-DrPlan -Force does not replace a plan; -Overwrite does' {
        $file = Join-Path $root 'orders.json'
        Set-Content $file 'my plan'
        { New-DrPlan -Strategy PILOT_LIGHT -Path $file -Force -ErrorAction Stop } | Should -Throw -ErrorId 'DrTools.AlreadyExists*'
        Get-Content $file | Should -Be 'my plan'
        New-DrPlan -Strategy PILOT_LIGHT -Path $file -Overwrite | Out-Null
        (Import-DrPlan $file).Strategy | Should -Be 'PilotLight'
    }

    It 'each state-changing cmdlet with an override names what it risks' -TestCases @(
        @{ Command = 'Set-DrTrafficWeight'; Override = 'OverrideSafety' }
        @{ Command = 'Remove-DrBackup'; Override = 'IgnoreLock' }
        @{ Command = 'Restore-DrBackup'; Override = 'Overwrite' }
        @{ Command = 'Invoke-DrFailback'; Override = 'SkipPrimaryCheck' }
        @{ Command = 'New-DrPlan'; Override = 'Overwrite' }
    ) {
        $parameters = (Get-Command $Command).Parameters
        $parameters.Keys | Should -Contain 'Force'
        $parameters.Keys | Should -Contain $Override
        (Get-Help $Command -Parameter Force).Description.Text | Should -Match 'confirmation'
    }
}
