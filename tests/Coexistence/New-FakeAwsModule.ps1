<#
.SYNOPSIS
    Builds a tiny module shaped like AWS.Tools.Common: it loads its own AWSSDK.Core.dll through RequiredAssemblies and
    has script functions that use that SDK. The coexistence scenarios import it beside DrTools.

.PARAMETER Path
    The folder to create; the module is named after its leaf (e.g. FakeAws37).

.PARAMETER SdkAssembly
    The AWSSDK.Core.dll the module carries (from the NuGet cache: another version than the one DrTools ships).

.OUTPUTS
    The path of the module's manifest.
#>
param(
    [Parameter(Mandatory)] [string] $Path,
    [Parameter(Mandatory)] [string] $SdkAssembly
)
$ErrorActionPreference = 'Stop'
$name = Split-Path $Path -Leaf
New-Item -ItemType Directory -Path $Path -Force | Out-Null
Copy-Item -LiteralPath $SdkAssembly -Destination (Join-Path $Path 'AWSSDK.Core.dll')

Set-Content -LiteralPath (Join-Path $Path "$name.psm1") -Value @'
# The type literals resolve against the AWSSDK.Core that RequiredAssemblies loaded, as AWS.Tools' cmdlets would.
function Get-FakeAwsSdkVersion {
    # The file version of the AWSSDK.Core this module's code runs on.
    $credentials = [Amazon.Runtime.BasicAWSCredentials]::new('AKIDPROBE', 'probe-secret')
    [System.Diagnostics.FileVersionInfo]::GetVersionInfo($credentials.GetType().Assembly.Location).FileVersion
}
function New-FakeAwsCredential([string] $AccessKey, [string] $SecretKey) {
    # An AWSCredentials object of this module's SDK, as Get-AWSCredential returns.
    [Amazon.Runtime.BasicAWSCredentials]::new($AccessKey, $SecretKey)
}
function Get-FakeAwsRegion {
    [Amazon.RegionEndpoint]::USWest2.SystemName
}
'@

$manifest = Join-Path $Path "$name.psd1"
New-ModuleManifest -Path $manifest -RootModule "$name.psm1" -ModuleVersion '1.0.0' -RequiredAssemblies 'AWSSDK.Core.dll' `
    -FunctionsToExport 'Get-FakeAwsSdkVersion', 'New-FakeAwsCredential', 'Get-FakeAwsRegion' -CmdletsToExport @() -AliasesToExport @() -VariablesToExport @()
$manifest
