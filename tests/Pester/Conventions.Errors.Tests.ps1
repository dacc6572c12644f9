# Convention: a failure of one item (a piped plan file, a backup set id, a path) is a non-terminating error: the
# pipeline goes on with the next item and -ErrorAction works as with any cmdlet. Whole-command failures still stop.
BeforeAll {
    $manifest = if ($env:DRTOOLS_TEST_MODULE) { $env:DRTOOLS_TEST_MODULE } else {
        (Resolve-Path (Join-Path $PSScriptRoot '../../out/DrTools/*/DrTools.psd1') | Select-Object -First 1).ProviderPath }
    Import-Module $manifest -Force
    $examples = Join-Path $PSScriptRoot '../../docs/examples/plans'
    $root = Join-Path ([IO.Path]::GetTempPath()) ("drtools-conv-errors-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
    $plans = New-Item -ItemType Directory (Join-Path $root 'plans')
    Copy-Item (Join-Path $examples 'pilot-light.json') (Join-Path $plans 'a-pilot.json')
    Set-Content (Join-Path $plans 'b-broken.json') '{ "name": '
    Copy-Item (Join-Path $examples 'warm-standby.json') (Join-Path $plans 'c-warm.json')
    $data = New-Item -ItemType Directory (Join-Path $root 'data')
    Set-Content (Join-Path $data 'a.txt') 'alpha'
    $repo = Join-Path $root 'repo'
}

AfterAll {
    Remove-Item $root -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Get-ChildItem *.json | Import-DrPlan' {
    It 'imports every good plan and reports the bad file, without stopping' {
        $plans = Get-ChildItem (Join-Path $root 'plans/*.json') | Sort-Object Name | Import-DrPlan -ErrorVariable bad -ErrorAction SilentlyContinue
        @($plans).Name | Should -Be @('orders', 'orders')
        $bad | Should -HaveCount 1
        $bad[0].FullyQualifiedErrorId | Should -BeLike 'DrTools.InvalidPlan*'
        $bad[0].TargetObject | Should -BeLike '*b-broken.json'
    }

    It 'is silent with -ErrorAction SilentlyContinue' {
        $Error.Clear()
        $plans = Get-ChildItem (Join-Path $root 'plans/*.json') | Import-DrPlan -ErrorAction SilentlyContinue
        @($plans) | Should -HaveCount 2
        $Error[0].FullyQualifiedErrorId | Should -BeLike 'DrTools.InvalidPlan*'   # recorded in $Error, not shown
    }

    It 'stops at the bad file with -ErrorAction Stop' {
        { Get-ChildItem (Join-Path $root 'plans/*.json') | Sort-Object Name | Import-DrPlan -ErrorAction Stop } |
            Should -Throw -ErrorId 'DrTools.InvalidPlan*'
    }

    It 'a wildcard that matches nothing is an error, not the end of the script' {
        $plans = Import-DrPlan (Join-Path $root 'plans/none-*.json'), (Join-Path $root 'plans/a-pilot.json') -ErrorVariable bad -ErrorAction SilentlyContinue
        @($plans) | Should -HaveCount 1
        $bad[0].FullyQualifiedErrorId | Should -BeLike 'DrTools.NotFound*'
    }
}

Describe 'Per-item errors of the backup cmdlets' {
    BeforeAll {
        $set = Invoke-DrBackup -Path $data -Repository $repo
    }

    It 'Get-DrBackup -Id lists the sets it finds and reports the one it does not' {
        $found = Get-DrBackup -Repository $repo -Id 'nosuchset', $set.Id -ErrorVariable bad -ErrorAction SilentlyContinue
        $found.Id | Should -Be $set.Id
        $bad[0].FullyQualifiedErrorId | Should -BeLike 'DrTools.BackupSetNotFound*'
        $bad[0].TargetObject | Should -Be 'nosuchset'
    }

    It 'Invoke-DrBackup backs up the paths that exist and reports the missing one' {
        $new = Invoke-DrBackup -Path $data, (Join-Path $root 'gone') -Repository $repo -ErrorVariable bad -ErrorAction SilentlyContinue
        $new.Files | Should -Be 1
        $bad[0].FullyQualifiedErrorId | Should -BeLike 'DrTools.SourceNotFound*'
    }

    It 'a failure of the whole command still stops the script' {
        { Get-DrBackup -Repository 's3:/corp-dr/fs01' -ErrorAction SilentlyContinue } | Should -Throw -ErrorId 'DrTools.InvalidParameter*'
    }
}
