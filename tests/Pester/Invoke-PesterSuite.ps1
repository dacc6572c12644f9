<#
.SYNOPSIS
    Runs the Pester suite (tests/Pester/*.Tests.ps1) against the built DrTools module folder.

.DESCRIPTION
    build.ps1 -Task Test runs this in a fresh pwsh process. Run it alone while working on the suite:

        dotnet pwsh tests/Pester/Invoke-PesterSuite.ps1                  # every file
        dotnet pwsh tests/Pester/Invoke-PesterSuite.ps1 -Path tests/Pester/Help.Tests.ps1

    Pester comes from NuGet (the version pinned in Directory.Packages.props): `dotnet restore` of
    PesterPackage.csproj puts it into the NuGet package folder, and it is imported from there by path, so no
    Install-Module and no network beyond the package registry. AWS settings of the machine (AWS_* variables,
    ~/.aws) are hidden from the tests, as in the xunit suites.
#>
[CmdletBinding()]
param(
    # The module to test; default: out/DrTools/<manifest version>/DrTools.psd1 of this repository.
    [string] $ModuleManifest,
    # Test files or folders; default: this folder.
    [string[]] $Path = @($PSScriptRoot),
    # Writes {"Passed":n,"Failed":n,"Skipped":n} here (build.ps1 sums it with the xunit counts).
    [string] $ResultFile,
    # Writes the NUnit XML report here.
    [string] $TestResultFile,
    [ValidateSet('None', 'Normal', 'Detailed', 'Diagnostic')]
    [string] $Output = 'Normal'
)
$ErrorActionPreference = 'Stop'
$repoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).ProviderPath

if (-not $ModuleManifest) {
    $version = (Import-PowerShellDataFile (Join-Path $repoRoot 'DrTools.psd1')).ModuleVersion
    $ModuleManifest = Join-Path $repoRoot "out/DrTools/$version/DrTools.psd1"
}
if (-not (Test-Path -LiteralPath $ModuleManifest)) {
    throw "No built module at $ModuleManifest. Build it first: dotnet pwsh ./build.ps1 -Task Build"
}

# Pester from the NuGet package folder: restore, then read where NuGet put it from the assets file.
$packageProject = Join-Path $PSScriptRoot 'PesterPackage.csproj'
& dotnet restore $packageProject -nologo -v quiet
if ($LASTEXITCODE -ne 0) { throw "dotnet restore $packageProject failed with exit code $LASTEXITCODE" }
$assets = Get-Content (Join-Path $PSScriptRoot 'obj/project.assets.json') -Raw | ConvertFrom-Json
$library = @($assets.libraries.PSObject.Properties | Where-Object { $_.Name -like 'Pester/*' })[0]
$packageRoot = @($assets.packageFolders.PSObject.Properties.Name)[0]
$pesterManifest = Join-Path (Join-Path $packageRoot $library.Value.path) 'tools/Pester.psd1'
Get-Module Pester | Remove-Module -Force
Import-Module $pesterManifest -Force

# The tests find the module and the repository through these.
$env:DRTOOLS_TEST_MODULE = (Resolve-Path -LiteralPath $ModuleManifest).ProviderPath
$env:DRTOOLS_REPO_ROOT = $repoRoot

# No AWS settings from the machine (same list as tests/DrTools.TestSupport/TestEnvironment.cs); child pwsh
# processes that tests start inherit this.
foreach ($name in 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_PROFILE', 'AWS_DEFAULT_PROFILE', 'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_ROLE_ARN',
    'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', 'AWS_CONTAINER_CREDENTIALS_FULL_URI') {
    [Environment]::SetEnvironmentVariable($name, $null)
}
$emptyAws = Join-Path ([IO.Path]::GetTempPath()) "drtools-pester-aws-$PID"
[void](New-Item -ItemType Directory -Path $emptyAws -Force)
$env:AWS_SHARED_CREDENTIALS_FILE = Join-Path $emptyAws 'credentials'
$env:AWS_CONFIG_FILE = Join-Path $emptyAws 'config'
$env:AWS_EC2_METADATA_DISABLED = 'true'

# Journals and active-side records of cmdlets run without -JournalPath go to the default journal folder under
# LocalApplicationData: a per-run XDG_DATA_HOME keeps them out of the machine's folder (Linux, macOS; Windows
# takes LocalApplicationData from the shell) and away from the next run.
$dataHome = Join-Path ([IO.Path]::GetTempPath()) "drtools-pester-data-$PID"
[void](New-Item -ItemType Directory -Path $dataHome -Force)
$env:XDG_DATA_HOME = $dataHome

$config = New-PesterConfiguration
# pwsh -File passes "a,b" as one string.
$config.Run.Path = @($Path | ForEach-Object { $_ -split ',' } | Where-Object { $_ })
$config.Run.PassThru = $true
$config.Output.Verbosity = $Output
if ($TestResultFile) {
    $config.TestResult.Enabled = $true
    $config.TestResult.OutputFormat = 'NUnitXml'
    $config.TestResult.OutputPath = $TestResultFile
}
try {
    $result = Invoke-Pester -Configuration $config
}
finally {
    Remove-Item $emptyAws -Recurse -Force -ErrorAction SilentlyContinue
    Remove-Item $dataHome -Recurse -Force -ErrorAction SilentlyContinue
}

if (-not $result) {
    Write-Host 'Pester: the run did not complete (see the error above).'
    exit 1
}
# A file or block that fails outside a test (BeforeAll, a syntax error) is a failure too.
$failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
$counts = [ordered]@{ Passed = $result.PassedCount; Failed = $failed; Skipped = $result.SkippedCount + $result.NotRunCount }
if ($ResultFile) { $counts | ConvertTo-Json -Compress | Set-Content -LiteralPath $ResultFile -Encoding utf8 }
Write-Host ("Pester: {0} passed, {1} failed, {2} skipped" -f $counts.Passed, $counts.Failed, $counts.Skipped)
if ($failed -gt 0) { exit 1 }
