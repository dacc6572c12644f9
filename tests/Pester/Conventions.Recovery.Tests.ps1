# Conventions of the cmdlets that change production: -WhatIf works without credentials where it calls no AWS API,
# unattended runs pre-approve the plan's approvals by name, Test-DrRestore has -WhatIf/-Confirm, Route 53 needs no region.
BeforeAll {
    $manifest = if ($env:DRTOOLS_TEST_MODULE) { $env:DRTOOLS_TEST_MODULE } else {
        (Resolve-Path (Join-Path $PSScriptRoot '../../out/DrTools/*/DrTools.psd1') | Select-Object -First 1).ProviderPath }
    Import-Module $manifest -Force
    $plan = Join-Path $PSScriptRoot '../../docs/examples/plans/pilot-light.json'
    $root = Join-Path ([IO.Path]::GetTempPath()) ("drtools-conv-recovery-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
    New-Item -ItemType Directory $root | Out-Null
    $noProfiles = Join-Path $root 'credentials'
    Set-Content $noProfiles ''

    function Get-HostText([scriptblock] $script) {
        $transcript = Join-Path $root ("t-" + [guid]::NewGuid().ToString('N') + '.txt')
        Start-Transcript -Path $transcript | Out-Null
        try { & $script } finally { Stop-Transcript | Out-Null }
        Get-Content $transcript -Raw
    }
}

AfterAll {
    Remove-Item $root -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Invoke-DrFailover -WhatIf on a machine without AWS credentials' {
    It 'prints the whole plan and names its approvals' {
        $saved = @{ Key = $env:AWS_ACCESS_KEY_ID; Profile = $env:AWS_PROFILE }
        $env:AWS_ACCESS_KEY_ID = $null; $env:AWS_PROFILE = $null
        try {
            $text = Get-HostText { Invoke-DrFailover -Plan $plan -WhatIf -ProfileLocation $noProfiles -ErrorAction Stop }
        }
        finally { $env:AWS_ACCESS_KEY_ID = $saved.Key; $env:AWS_PROFILE = $saved.Profile }
        $text | Should -BeLike '*What if: Recovery plan*'
        $text | Should -BeLike '*Approval approve-change-dns: asked during the run (default No*'
    }
}

Describe 'Pre-approved approvals for an unattended failover' {
    It '-Approve ChangeDns shows the approval as given in advance' {
        $text = Get-HostText { Invoke-DrFailover -Plan $plan -WhatIf -Approve ChangeDns -AccessKey AKIDEXAMPLE -SecretKey secret }
        $text | Should -BeLike '*Approval approve-change-dns: given in advance (-Approve)*'
    }

    It 'a misspelt approval stops before anything runs and lists the real names' {
        $err = $null
        try { Invoke-DrFailover -Plan $plan -Approve ChangDns -Force -AccessKey AKIDEXAMPLE -SecretKey secret -ErrorAction Stop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'DrTools.InvalidParameter*'
        $err.Exception.Message | Should -BeLike '*approve-change-dns*'
    }
}

Describe 'Test-DrRestore -WhatIf' {
    It 'shows the test restore and restores nothing' {
        $data = New-Item -ItemType Directory (Join-Path $root 'data') -Force
        Set-Content (Join-Path $data 'a.txt') 'alpha'
        $repo = Join-Path $root 'repo'
        Invoke-DrBackup -Path $data -Repository $repo | Out-Null
        $result = $null
        $text = Get-HostText { $script:result = Get-DrBackup -Repository $repo -Latest | Test-DrRestore -WhatIf }
        $result | Should -BeNullOrEmpty
        $text | Should -BeLike '*What if:*scratch folder*'
        (Get-Command Test-DrRestore).Parameters.Keys | Should -Contain 'Confirm'
    }
}

Describe 'Route 53 is global' {
    It 'Get-DrTrafficWeight without -Plan and without any region does not ask for one' {
        $saved = @{ Region = $env:AWS_REGION; Default = $env:AWS_DEFAULT_REGION; Stored = $StoredAWSRegion }
        $env:AWS_REGION = $null; $env:AWS_DEFAULT_REGION = $null; Remove-Variable StoredAWSRegion -Scope Global -ErrorAction SilentlyContinue
        try {
            # A closed loopback port: the call fails, but on the network, not for want of a region.
            $err = $null
            try { Get-DrTrafficWeight example.com www.example.com -AccessKey AKIDEXAMPLE -SecretKey secret -EndpointUrl http://127.0.0.1:9 -ProfileLocation $noProfiles -Verbose -ErrorAction Stop 4>$null }
            catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -Not -BeLike 'DrTools.NoRegion*'
        }
        finally { $env:AWS_REGION = $saved.Region; $env:AWS_DEFAULT_REGION = $saved.Default }
    }
}
