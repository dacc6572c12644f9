<#
.SYNOPSIS
    Builds, tests and packages DrTools: the one entry point for the README's commands and CI, on Windows and Linux.

.DESCRIPTION
    Build    dotnet build DrTools.sln: compiles and assembles the module folder out/DrTools/<version>/ and
             out/DrTools.zip.
    Test     Build, then every suite: the xunit suites (core, cmdlets in a hosted engine, the opt-in live suite)
             and the Pester suite (tests/Pester) in a fresh pwsh process against the built module folder.
             On Linux it starts a local S3 server (Ceph radosgw, build/rgw.sh, installed from Debian's packages if
             missing) for the S3 repository tests and stops it again; set DRTOOLS_SKIP_S3_SERVER=1 to skip that
             (those tests then report themselves skipped), or DRTOOLS_TEST_S3_ENDPOINT to use a server of your own.
             It also installs Debian's Chromium (build/chromium.sh) for the report's headless browser tests, which
             skip with the reason where it cannot be installed; DRTOOLS_TEST_CHROMIUM names another Chromium binary.
             Ends with one line over all suites, "N passed, N failed, N skipped", and exits 1 on any failure.
    Package  Build the module alone in Release and print where the module folder and the automation-account zip
             are (examples/quickstart.ps1 runs this when the module is not built yet).
    Clean    Removes bin/, obj/ and out/.

    Runs in PowerShell 7 (`dotnet tool restore` then `dotnet pwsh ./build.ps1`) and in Windows PowerShell 5.1.
    The Pester suite always runs in the pwsh pinned in .config/dotnet-tools.json (`dotnet pwsh`).

.EXAMPLE
    dotnet tool restore && dotnet pwsh ./build.ps1 -Task Test

.EXAMPLE
    ./build.ps1
    Import-Module ./out/DrTools/0.1.0/DrTools.psd1
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Package', 'Clean')]
    [string] $Task = 'Build',
    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',
    # Port of the S3 server the Test task starts on Linux (build/rgw.sh also uses PORT+100 and PORT+101).
    [int] $S3Port = $(if ($env:DRTOOLS_RGW_PORT) { [int]$env:DRTOOLS_RGW_PORT } else { 17480 })
)
$ErrorActionPreference = 'Stop'

function Invoke-Dotnet {
    & dotnet @args
    if ($LASTEXITCODE -ne 0) { throw "dotnet $($args -join ' ') failed with exit code $LASTEXITCODE" }
}

function Invoke-Build { Invoke-Dotnet build DrTools.sln -c $Configuration -nologo -v minimal }

# Only the module (src/DrTools.PowerShell and what it needs): what Package ships and the quickstart imports.
function Invoke-ModuleBuild { Invoke-Dotnet build src/DrTools.PowerShell/DrTools.PowerShell.csproj -c Release -nologo -v minimal }

function Get-ModuleManifest {
    $version = (Import-PowerShellDataFile (Join-Path $PSScriptRoot 'DrTools.psd1')).ModuleVersion
    Join-Path $PSScriptRoot "out/DrTools/$version/DrTools.psd1"
}

# Starts build/rgw.sh on Linux and puts its DRTOOLS_TEST_S3_* settings into this process's environment.
# Returns $true when this script started a server (and so must stop it).
function Start-S3Server {
    $onLinux = (Get-Variable IsLinux -ValueOnly -ErrorAction SilentlyContinue) -eq $true
    if (-not $onLinux -or $env:DRTOOLS_SKIP_S3_SERVER -eq '1' -or $env:DRTOOLS_TEST_S3_ENDPOINT) { return $false }
    $log = Join-Path ([IO.Path]::GetTempPath()) "drtools-rgw-start-$S3Port.log"
    $lines = @(& bash build/rgw.sh start $S3Port 2>$log)
    $last = if ($lines.Count -gt 0) { [string]$lines[-1] } else { '' }
    if ($LASTEXITCODE -ne 0 -or $last -notmatch '^export ') {
        if (Test-Path $log) { Get-Content $log | Write-Host }
        & bash build/rgw.sh stop $S3Port *> $null
        throw "The S3 server (build/rgw.sh start $S3Port) did not start; its log is above. DRTOOLS_SKIP_S3_SERVER=1 skips the S3 tests."
    }
    Remove-Item $log -ErrorAction SilentlyContinue
    # "export A=1 B=2": the same assignments bash would eval.
    foreach ($assignment in $last.Substring(7).Trim() -split '\s+') {
        $name, $value = $assignment -split '=', 2
        [Environment]::SetEnvironmentVariable($name, $value)
    }
    Write-Host "S3 server (Ceph radosgw): $env:DRTOOLS_TEST_S3_ENDPOINT"
    return $true
}

# Installs Debian's Chromium on Linux (build/chromium.sh) for the report's browser tests and points them at it
# (DRTOOLS_TEST_CHROMIUM). Where it cannot be installed the tests skip and say why; the run goes on.
function Initialize-Chromium {
    $onLinux = (Get-Variable IsLinux -ValueOnly -ErrorAction SilentlyContinue) -eq $true
    if (-not $onLinux -or $env:DRTOOLS_TEST_CHROMIUM) { return }
    $log = Join-Path ([IO.Path]::GetTempPath()) 'drtools-chromium-install.log'
    $lines = @(& bash build/chromium.sh 2>$log)
    if ($LASTEXITCODE -eq 0 -and $lines.Count -gt 0) {
        $env:DRTOOLS_TEST_CHROMIUM = [string]$lines[-1]
        Write-Host "Chromium for the report tests: $env:DRTOOLS_TEST_CHROMIUM"
        Remove-Item $log -ErrorAction SilentlyContinue
    }
    else {
        if (Test-Path $log) { Get-Content $log | Select-Object -Last 5 | Write-Host }
        Write-Host 'Chromium could not be installed: the report browser tests will be skipped.'
    }
}

# Sums the outcomes of every test in the TRX files dotnet test wrote.
function Read-TrxCount([string] $folder) {
    $count = [ordered]@{ Passed = 0; Failed = 0; Skipped = 0 }
    foreach ($file in Get-ChildItem -Path $folder -Filter *.trx -ErrorAction SilentlyContinue) {
        $trx = [xml](Get-Content -LiteralPath $file.FullName -Raw)
        foreach ($result in $trx.GetElementsByTagName('UnitTestResult')) {
            switch ($result.GetAttribute('outcome')) {
                'Passed' { $count.Passed++ }
                'NotExecuted' { $count.Skipped++ }
                default { $count.Failed++ }
            }
        }
    }
    $count
}

function Invoke-Test {
    Invoke-Dotnet tool restore
    Invoke-Build
    $results = Join-Path $PSScriptRoot 'out/TestResults'
    if (Test-Path $results) { Remove-Item $results -Recurse -Force }
    [void](New-Item -ItemType Directory -Path $results)
    $suites = [ordered]@{}
    $startedS3 = Start-S3Server
    Initialize-Chromium
    try {
        # xunit: the core, the cmdlets in the hosted engine, and the live suite (skipped unless switched on).
        & dotnet test DrTools.sln -c $Configuration --no-build -nologo --results-directory $results `
            --logger trx --logger 'console;verbosity=normal'
        $xunitExit = $LASTEXITCODE
        $xunit = Read-TrxCount $results
        if ($xunitExit -ne 0 -and $xunit.Failed -eq 0) {
            Write-Host "dotnet test exited with $xunitExit without a failed test (see above): counted as one failure."
            $xunit.Failed = 1
        }
        $suites['xunit'] = $xunit

        # Pester: a fresh pwsh process (the pinned one), so this session never loads the module it tests.
        $pesterJson = Join-Path $results 'pester.json'
        & dotnet pwsh -NoProfile -NonInteractive -File tests/Pester/Invoke-PesterSuite.ps1 `
            -ModuleManifest (Get-ModuleManifest) -ResultFile $pesterJson -TestResultFile (Join-Path $results 'pester.xml')
        $pesterExit = $LASTEXITCODE
        $pester = [ordered]@{ Passed = 0; Failed = 0; Skipped = 0 }
        if (Test-Path $pesterJson) {
            $counted = Get-Content $pesterJson -Raw | ConvertFrom-Json
            $pester.Passed = [int]$counted.Passed; $pester.Failed = [int]$counted.Failed; $pester.Skipped = [int]$counted.Skipped
        }
        if ($pesterExit -ne 0 -and $pester.Failed -eq 0) {
            Write-Host "The Pester run exited with $pesterExit without a failed test (see above): counted as one failure."
            $pester.Failed = 1
        }
        $suites['Pester'] = $pester
    }
    finally {
        if ($startedS3) { & bash build/rgw.sh stop $S3Port *> $null }
    }

    $total = [ordered]@{ Passed = 0; Failed = 0; Skipped = 0 }
    Write-Host ''
    foreach ($name in $suites.Keys) {
        $s = $suites[$name]
        Write-Host ("{0,-7} {1} passed, {2} failed, {3} skipped" -f ($name + ':'), $s.Passed, $s.Failed, $s.Skipped)
        foreach ($k in @($total.Keys)) { $total[$k] += $s[$k] }
    }
    # The closing line over all suites (CI reads it).
    Write-Host ("{0} passed, {1} failed, {2} skipped" -f $total.Passed, $total.Failed, $total.Skipped)
    $script:testsPassed = $total.Failed -eq 0
}

# Scripts (examples/quickstart.ps1) call this with &: leave their current location as it was.
Push-Location $PSScriptRoot
try {
    switch ($Task) {
        'Build'   { Invoke-Build }
        'Test'    { Invoke-Test }
        'Package' {
            Invoke-ModuleBuild
            Write-Host "Module folder: $(Split-Path (Get-ModuleManifest))"
            Write-Host "Automation-account zip: $(Join-Path $PSScriptRoot 'out/DrTools.zip')"
        }
        'Clean'   {
            Get-ChildItem -Path src, tests, tools, bench -Include bin, obj -Directory -Recurse | Remove-Item -Recurse -Force
            if (Test-Path out) { Remove-Item out -Recurse -Force }
        }
    }
}
finally { Pop-Location }
if ($Task -eq 'Test' -and -not $script:testsPassed) { exit 1 }
