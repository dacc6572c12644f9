# Convention: default tables fit a 120-column screen and show whole ids, so an id read off the screen can be pasted
# back (or typed as a unique prefix); every time is shown one way, UTC marked with Z, in tables and -WhatIf.
BeforeAll {
    $manifest = if ($env:DRTOOLS_TEST_MODULE) { $env:DRTOOLS_TEST_MODULE } else {
        (Resolve-Path (Join-Path $PSScriptRoot '../../out/DrTools/*/DrTools.psd1') | Select-Object -First 1).ProviderPath }
    $module = Import-Module $manifest -Force -PassThru
    $root = Join-Path ([IO.Path]::GetTempPath()) ("drtools-conv-tables-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
    $data = New-Item -ItemType Directory (Join-Path $root 'data')
    Set-Content (Join-Path $data 'a.txt') 'alpha'
    $repo = Join-Path $root 'repo'
    $first = Invoke-DrBackup -Path $data -Repository $repo -Tag nightly
    $second = Invoke-DrBackup -Path $data -Repository $repo -Tag nightly

    # A recovery point as Get-DrBackup -Kind writes it (no AWS needed to format one); the type from the cmdlet's OutputType.
    $pointType = ((Get-Command Get-DrBackup).OutputType | Where-Object { $_.Type.Name -eq 'RecoveryPoint' }).Type
    function New-RecoveryPoint([hashtable] $values) {
        $type = $pointType
        $point = [Activator]::CreateInstance($type)
        foreach ($key in $values.Keys) {
            $property = $type.GetProperty($key)
            $property.SetValue($point, [Management.Automation.LanguagePrimitives]::ConvertTo($values[$key], $property.PropertyType))
        }
        $point
    }
}

AfterAll {
    Remove-Item $root -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Get-DrBackup table' {
    BeforeAll {
        $lines = Get-DrBackup -Repository $repo | Format-Table | Out-String -Width 120 -Stream
    }

    It 'fits 120 columns' {
        $lines | ForEach-Object { $_.Length | Should -BeLessOrEqual 120 }
    }

    It 'shows whole ids that paste back into -Id' {
        $row = $lines | Where-Object { $_ -like "$($second.Id)*" }
        $row | Should -Not -BeNullOrEmpty
        $pasted = ($row -split ' ')[0]
        (Get-DrBackup -Repository $repo -Id $pasted).Id | Should -Be $second.Id
    }

    It 'shows the time in UTC, marked Z, as -WhatIf does' {
        $utc = $second.Time.ToUniversalTime().ToString('u')
        $lines | Where-Object { $_ -like "$($second.Id)*" } | Should -BeLike "*$utc*"
        # -WhatIf writes to the host: a transcript records what the admin sees.
        $transcript = Join-Path $root 'whatif.txt'
        Start-Transcript -Path $transcript | Out-Null
        try { Remove-DrBackup -Repository $repo -Id $second.Id -WhatIf }
        finally { Stop-Transcript | Out-Null }
        Get-Content $transcript -Raw | Should -BeLike "*What if:*$($second.Id) ($utc*"
    }
}

Describe 'Get-DrBackup | Format-List' {
    It 'shows the same UTC time as the table' {
        $utc = $second.Time.ToUniversalTime().ToString('u')
        Get-DrBackup -Repository $repo -Id $second.Id | Format-List | Out-String | Should -BeLike "*Time*: $utc*"
    }
}

Describe '-Id accepts a unique prefix' {
    It 'names one set by the start of its id' {
        $common = -join ($first.Id.ToCharArray() | ForEach-Object -Begin { $i = 0 } -Process { if ($i -lt $second.Id.Length -and $second.Id[$i] -eq $_) { $_ }; $i++ } )
        $prefix = $second.Id.Substring(0, [Math]::Min($second.Id.Length, $common.Length + 1))
        if ($prefix -eq $common) { Set-ItResult -Skipped -Because 'the two ids share every character' }
        (Get-DrBackup -Repository $repo -Id $prefix).Id | Should -Be $second.Id
    }

    It 'refuses an ambiguous prefix and lists the candidates' {
        { Get-DrBackup -Repository $repo -Id '2' -ErrorAction Stop } | Should -Throw -ErrorId 'DrTools.InvalidParameter*'
    }
}

Describe 'Recovery point table' {
    It 'fits 120 columns with whole ids and regions' {
        $points = @(
            New-RecoveryPoint @{ Kind = 'DBSnapshot'; Id = 'drtools-orders-db-20260301-021500-0a1b2c'; SourceId = 'orders-db'; Region = 'ap-southeast-2'; Created = [datetime]::UtcNow.AddDays(-3); State = 'available'; RpoMet = $false }
            New-RecoveryPoint @{ Kind = 'Snapshot'; Id = 'snap-0123456789abcdef0'; SourceId = 'i-0123456789abcdef0'; Region = 'us-west-2'; Created = [datetime]::UtcNow.AddHours(-2); State = 'completed'; RpoMet = $true }
        )
        $lines = $points | Format-Table | Out-String -Width 120 -Stream
        $lines | ForEach-Object { $_.Length | Should -BeLessOrEqual 120 }
        foreach ($p in $points) {
            $lines | Where-Object { $_ -like "$($p.Id)*" } | Should -BeLike "*$($p.Region)*"
            $lines | Where-Object { $_ -like "$($p.Id)*" } | Should -BeLike "*$($p.Created.ToUniversalTime().ToString('u'))*"
            $p | Format-List | Out-String | Should -BeLike "*Created*: $($p.Created.ToUniversalTime().ToString('u'))*"
        }
    }
}
