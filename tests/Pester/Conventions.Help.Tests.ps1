# Convention: Get-Help -Online works (HelpUri on every cmdlet), and every new parameter has help.
BeforeDiscovery {
    # The cmdlet list decides the test cases, so the module is needed at discovery time too.
    $manifest = if ($env:DRTOOLS_TEST_MODULE) { $env:DRTOOLS_TEST_MODULE } else {
        (Resolve-Path (Join-Path $PSScriptRoot '../../out/DrTools/*/DrTools.psd1') | Select-Object -First 1).ProviderPath }
    $cmdlets = @((Import-Module $manifest -Force -PassThru).ExportedCmdlets.Keys | ForEach-Object { @{ Name = $_ } })
}

BeforeAll {
    $manifest = if ($env:DRTOOLS_TEST_MODULE) { $env:DRTOOLS_TEST_MODULE } else {
        (Resolve-Path (Join-Path $PSScriptRoot '../../out/DrTools/*/DrTools.psd1') | Select-Object -First 1).ProviderPath }
    Import-Module $manifest -Force
}

Describe 'Online help' {
    It '<Name> has a HelpUri' -TestCases $cmdlets {
        (Get-Command $Name).HelpUri | Should -BeLike "https://*/$Name.md"
    }
}

Describe 'Help for the convention parameters' {
    It '<Command> -<Parameter> is documented' -TestCases @(
        @{ Command = 'Invoke-DrBackup'; Parameter = 'LiteralPath' }
        @{ Command = 'Remove-DrBackup'; Parameter = 'IgnoreLock' }
        @{ Command = 'Restore-DrBackup'; Parameter = 'Overwrite' }
        @{ Command = 'Set-DrTrafficWeight'; Parameter = 'OverrideSafety' }
        @{ Command = 'Invoke-DrFailback'; Parameter = 'SkipPrimaryCheck' }
        @{ Command = 'Invoke-DrFailover'; Parameter = 'Approve' }
        @{ Command = 'Test-DrRestore'; Parameter = 'Force' }
    ) {
        (Get-Help $Command -Parameter $Parameter).Description.Text | Should -Not -BeNullOrEmpty
    }
}
