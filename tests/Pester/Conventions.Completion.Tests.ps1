# Convention: tab completion for -Region, -ProfileName, backup set -Id and -Plan, as AWS Tools completes regions and profiles.
BeforeAll {
    $manifest = if ($env:DRTOOLS_TEST_MODULE) { $env:DRTOOLS_TEST_MODULE } else {
        (Resolve-Path (Join-Path $PSScriptRoot '../../out/DrTools/*/DrTools.psd1') | Select-Object -First 1).ProviderPath }
    Import-Module $manifest -Force
    $root = Join-Path ([IO.Path]::GetTempPath()) ("drtools-conv-complete-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
    $data = New-Item -ItemType Directory (Join-Path $root 'data')
    Set-Content (Join-Path $data 'a.txt') 'alpha'
    $set = Invoke-DrBackup -Path $data -Repository (Join-Path $root 'repo')
    Copy-Item (Join-Path $PSScriptRoot '../../docs/examples/plans/pilot-light.json') (Join-Path $root 'orders-plan.json')
    $credentials = Join-Path $root 'credentials'
    Set-Content $credentials "[dr-admin]`naws_access_key_id = AKIDEXAMPLE`naws_secret_access_key = secret`n"

    function Complete([string] $line) {
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText
    }
}

AfterAll {
    Remove-Item $root -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Tab completion' {
    It '-Region us-we<Tab> offers us-west-1 and us-west-2' {
        Complete 'Test-DrConnection -Region us-we' | Should -Be @('us-west-1', 'us-west-2')
    }

    It '-ProfileName completes from the credentials file' {
        Complete "Test-DrConnection -ProfileLocation '$credentials' -ProfileName dr" | Should -Contain 'dr-admin'
    }

    It '-Id completes the backup sets of the -Repository folder' {
        Push-Location $root
        try { Complete 'Restore-DrBackup -Repository ./repo -Id ' | Should -Contain $set.Id }
        finally { Pop-Location }
    }

    It '-Plan completes plan files' {
        Push-Location $root
        try { Complete 'Start-DrPilotLight -Plan ./orders' | Should -Contain './orders-plan.json' }
        finally { Pop-Location }
    }
}
