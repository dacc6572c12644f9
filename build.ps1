<#
.SYNOPSIS
    Builds, tests and packages DrTools. The same dotnet commands CI runs; nothing here that dotnet alone cannot do.

.DESCRIPTION
    Build    dotnet build: compiles and assembles the module folder out/DrTools/<version>/ and out/DrTools.zip.
    Test     dotnet test: unit tests and the cmdlet tests in a hosted PowerShell engine. The S3-server tests are
             skipped unless DRTOOLS_TEST_S3_ENDPOINT names one (build/test.sh starts Ceph RGW on Linux).
    Package  Build in Release and print where the module folder and the automation-account zip are.
    Clean    Removes bin/, obj/ and out/.

.EXAMPLE
    ./build.ps1
    Import-Module ./out/DrTools/0.1.0/DrTools.psd1

.EXAMPLE
    ./build.ps1 -Task Test
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Package', 'Clean')]
    [string] $Task = 'Build',
    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release'
)
$ErrorActionPreference = 'Stop'
Set-Location $PSScriptRoot

function Invoke-Dotnet {
    & dotnet @args
    if ($LASTEXITCODE -ne 0) { throw "dotnet $($args -join ' ') failed with exit code $LASTEXITCODE" }
}

switch ($Task) {
    'Build'   { Invoke-Dotnet build DrTools.sln -c $Configuration -nologo }
    'Test'    {
        Invoke-Dotnet build DrTools.sln -c $Configuration -nologo
        Invoke-Dotnet test DrTools.sln -c $Configuration --no-build -nologo --logger 'console;verbosity=detailed'
    }
    'Package' {
        Invoke-Dotnet build DrTools.sln -c Release -nologo
        $version = (Import-PowerShellDataFile ./DrTools.psd1).ModuleVersion
        Write-Host "Module folder: $(Join-Path $PSScriptRoot "out/DrTools/$version")"
        Write-Host "Automation-account zip: $(Join-Path $PSScriptRoot 'out/DrTools.zip')"
    }
    'Clean'   {
        Get-ChildItem -Path src, tests, tools -Include bin, obj -Directory -Recurse | Remove-Item -Recurse -Force
        if (Test-Path out) { Remove-Item out -Recurse -Force }
    }
}
