# The module as an admin installs it: manifest, exports, verbs, ShouldProcess, about topic, the automation zip.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:manifestPath = Get-DrModuleManifest
    $script:module = Import-Module $manifestPath -Force -PassThru
    $script:cmdlets = @($module.ExportedCmdlets.Values)
}

Describe 'The DrTools manifest' {
    It 'imports as a binary module with the metadata the gallery and admins read' {
        $module.ModuleType | Should -Be 'Binary'
        $module.Guid | Should -Not -Be ([guid]::Empty)
        $module.Author | Should -Not -BeNullOrEmpty
        $module.Description | Should -Not -BeNullOrEmpty
        $module.PowerShellVersion | Should -Be ([version]'5.1')
        $module.CompatiblePSEditions | Should -Contain 'Desktop'
        $module.CompatiblePSEditions | Should -Contain 'Core'
        $module.ProjectUri | Should -Not -BeNullOrEmpty
        $module.LicenseUri | Should -Not -BeNullOrEmpty
        $module.Tags | Should -Not -BeNullOrEmpty
        @($module.ExportedFormatFiles | Where-Object { $_ -like '*DrTools.format.ps1xml' }) | Should -HaveCount 1
    }

    It 'lives in a folder named after its version, as Install-Module lays it out' {
        Split-Path (Split-Path $manifestPath) -Leaf | Should -Be $module.Version.ToString(3)
        Split-Path (Split-Path (Split-Path $manifestPath)) -Leaf | Should -Be 'DrTools'
    }

    It 'passes Test-ModuleManifest' {
        { Test-ModuleManifest -Path $manifestPath -ErrorAction Stop } | Should -Not -Throw
    }

    It 'exports exactly the cmdlets the assembly defines, by name and never by wildcard' {
        $data = Import-PowerShellDataFile $manifestPath
        foreach ($key in 'CmdletsToExport', 'FunctionsToExport', 'VariablesToExport', 'AliasesToExport') {
            @($data[$key]) -join ',' | Should -Not -Match '\*' -Because "$key must list names (a wildcard makes PowerShell load the module to discover commands)"
        }
        $assembly = $cmdlets[0].ImplementingType.Assembly
        $defined = @($assembly.GetExportedTypes() | Where-Object {
                -not $_.IsAbstract -and $_.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false).Count -gt 0
            } | ForEach-Object { $a = $_.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0]; "$($a.VerbName)-$($a.NounName)" })
        @($data.CmdletsToExport | Sort-Object) | Should -Be @($defined | Sort-Object)
        @($cmdlets.Name | Sort-Object) | Should -Be @($defined | Sort-Object)
    }

    It 'ships the about_DrTools topic' {
        (Get-Help about_DrTools | Out-String) | Should -Match 'pilot light'
    }
}

Describe 'Cmdlet conventions' {
    BeforeDiscovery {
        # Discovery runs before BeforeAll: read the exports from a fresh import here too.
        Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
        $names = @((Import-Module (Get-DrModuleManifest) -Force -PassThru).ExportedCmdlets.Keys | Sort-Object)
        $script:cases = @($names | ForEach-Object { @{ Name = $_ } })
        # Verbs that change state. New-DrPlan is among them: it writes a file the user names, with -WhatIf for it.
        $stateChanging = 'New', 'Set', 'Remove', 'Start', 'Stop', 'Invoke', 'Restore', 'Copy', 'Add', 'Clear', 'Update',
        'Enable', 'Disable', 'Register', 'Unregister', 'Move', 'Rename', 'Reset', 'Resume', 'Suspend', 'Publish', 'Sync', 'Approve'
        $script:changingCases = @($cases | Where-Object { $stateChanging -contains ($_.Name -split '-')[0] })
    }

    It '<Name> uses an approved verb and the Dr noun prefix' -TestCases $cases {
        $command = Get-Command $Name -Module DrTools
        (Get-Verb).Verb | Should -Contain $command.Verb
        $command.Noun | Should -BeLikeExactly 'Dr*'
    }

    It '<Name> declares its output type' -TestCases $cases {
        (Get-Command $Name -Module DrTools).OutputType | Should -Not -BeNullOrEmpty
    }

    It '<Name> changes state, so it supports -WhatIf and -Confirm' -TestCases $changingCases {
        $command = Get-Command $Name -Module DrTools
        $command.Parameters.Keys | Should -Contain 'WhatIf'
        $command.Parameters.Keys | Should -Contain 'Confirm'
    }
}

Describe 'The automation-account zip' {
    It 'holds the module folder at its root, without the PowerShell reference assembly' {
        Add-Type -AssemblyName System.IO.Compression.FileSystem
        $zip = [IO.Compression.ZipFile]::OpenRead((Join-Path (Get-DrRepoRoot) 'out/DrTools.zip'))
        try { $names = @($zip.Entries | ForEach-Object { $_.FullName.Replace('\', '/') }) } finally { $zip.Dispose() }
        $names | Should -Contain 'DrTools/DrTools.psd1'
        $names | Should -Contain 'DrTools/DrTools.dll'
        $names | Should -Contain 'DrTools/DrTools.dll-Help.xml'
        $names | Should -Not -Contain 'DrTools/System.Management.Automation.dll'
    }
}
