# Get-Help -Full as an admin reads it: every cmdlet and every parameter is described and has an example.
BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $module = Import-Module (Get-DrModuleManifest) -Force -PassThru
    $script:cases = @($module.ExportedCmdlets.Keys | Sort-Object | ForEach-Object { @{ Name = $_ } })
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-DrModuleManifest) -Force
    $script:common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
}

Describe 'Get-Help <Name> -Full' -ForEach $cases {
    BeforeAll {
        $script:help = Get-Help $Name -Full
        $script:command = Get-Command $Name -Module DrTools
    }

    It 'has a synopsis (not the syntax PowerShell shows when there is no help)' {
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis.Trim() | Should -Not -Match "^$([regex]::Escape($Name)) \["
    }

    It 'has a description' {
        (@($help.description | ForEach-Object { $_.Text }) -join ' ').Length | Should -BeGreaterThan 40
    }

    It 'describes every parameter' {
        $described = @{}
        foreach ($p in @($help.parameters.parameter)) { $described[$p.name] = (@($p.description | ForEach-Object { $_.Text }) -join ' ').Trim() }
        foreach ($name in $command.Parameters.Keys | Where-Object { $common -notcontains $_ }) {
            $described[$name] | Should -Not -BeNullOrEmpty -Because "-$name of $Name needs help text"
            $described[$name].Length | Should -BeGreaterThan 10 -Because "-$name of $Name needs help text"
        }
    }

    It 'has at least one example, and every example runs the cmdlet' {
        $examples = @($help.examples.example)
        $examples.Count | Should -BeGreaterThan 0
        foreach ($e in $examples) { $e.code | Should -Match ([regex]::Escape($Name)) }
    }
}
