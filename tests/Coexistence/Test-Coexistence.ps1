<#
.SYNOPSIS
    One PowerShell session with DrTools and a module that carries another AWSSDK.Core (AWS.Tools-like), imported in
    the given order. Prints one "Step=result" line per step (or "Step=ERROR: id: message"), for a test to assert on.

.PARAMETER DrToolsManifest
    The built DrTools.psd1 (out/DrTools/<version>/DrTools.psd1).

.PARAMETER OtherManifest
    The other module's manifest (New-FakeAwsModule.ps1 builds one).

.PARAMETER Order
    DrToolsFirst: import DrTools and run a DrTools cmdlet, then import the other module.
    OtherFirst: import the other module and use its SDK, then import DrTools.

.PARAMETER EndpointUrl
    A loopback AWS endpoint that answers STS and S3 (the test's fake server); no real AWS is called.
#>
param(
    [Parameter(Mandatory)] [string] $DrToolsManifest,
    [Parameter(Mandatory)] [string] $OtherManifest,
    [Parameter(Mandatory)] [ValidateSet('DrToolsFirst', 'OtherFirst')] [string] $Order,
    [Parameter(Mandatory)] [string] $EndpointUrl
)
$ErrorActionPreference = 'Stop'
$env:AWS_EC2_METADATA_DISABLED = 'true'

function Step([string] $Name, [scriptblock] $Body) {
    try { "$Name=$(& $Body)" }
    catch { "$Name=ERROR: $($_.FullyQualifiedErrorId): $($_.Exception.Message)" -replace '\r?\n', ' ' }
}

function Test-WithDrTools([string] $Name, [scriptblock] $Credentials) {
    Step $Name {
        $Auth = & $Credentials
        $report = Test-DrConnection -Service S3 -Region us-east-1 -EndpointUrl $EndpointUrl -TimeoutSec 5 @Auth
        "$($report.AllReachable)|$($report.CredentialSource)"
    }
}

function Import-DrTools {
    Step 'ImportDrTools' { Import-Module $DrToolsManifest; 'ok' }
    # Windows PowerShell 5.1 cannot run here; its import rule can: what it decides about the AWS SDK assemblies
    # other modules had loaded when DrTools was imported ("none", or "id|message|recommended action").
    Step 'WindowsPowerShellRule' {
        $moduleBase = (Get-Module DrTools).ModuleBase
        $others = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { -not $_.IsDynamic -and $_.Location -and -not $_.Location.StartsWith($moduleBase) }
        $rule = (Get-Module DrTools).ImplementingAssembly.GetType('DrTools.PowerShell.Infrastructure.FrameworkDependencyResolver', $true)
        $find = $rule.GetMethod('FindConflict', [System.Reflection.BindingFlags]'NonPublic,Static')
        $conflict = $find.Invoke($null, @([System.Reflection.Assembly[]]@($others), [string](Join-Path $moduleBase 'Dependencies')))
        if ($conflict) { "$($conflict.FullyQualifiedErrorId)|$($conflict.ErrorDetails.Message)|$($conflict.ErrorDetails.RecommendedAction)" } else { 'none' }
    }
}

function Import-Other {
    Step 'ImportOther' { Import-Module $OtherManifest; 'ok' }
    Step 'OtherSdk' { Get-FakeAwsSdkVersion }
}

if ($Order -eq 'DrToolsFirst') {
    Import-DrTools
    Test-WithDrTools 'DrToolsKeys' { @{ AccessKey = 'AKIDKEYS'; SecretKey = 'secret-keys' } }
    Import-Other
}
else {
    Import-Other
    Import-DrTools
    Test-WithDrTools 'DrToolsKeys' { @{ AccessKey = 'AKIDKEYS'; SecretKey = 'secret-keys' } }
}

# Credentials made by the other module's SDK: as -Credential, and as the session default AWS Tools sets.
Test-WithDrTools 'DrToolsForeignCredential' { @{ Credential = New-FakeAwsCredential 'AKIDFOREIGN' 'secret-foreign' } }
Test-WithDrTools 'DrToolsStoredCredential' { $script:StoredAWSCredentials = New-FakeAwsCredential 'AKIDSTORED' 'secret-stored'; @{} }
Remove-Variable StoredAWSCredentials -Scope Script -ErrorAction SilentlyContinue

# A file backup and a verified test restore: DrTools' other dependencies (zstd, hashing, JSON) in the same session.
Step 'DrToolsBackup' {
    $work = Join-Path ([IO.Path]::GetTempPath()) ('drtools-coexistence-' + [guid]::NewGuid().ToString('N'))
    try {
        $data = New-Item -ItemType Directory -Path (Join-Path $work 'data')
        Set-Content -LiteralPath (Join-Path $data 'orders.csv') -Value ('id,total' + "`n1,42" * 1000)
        $null = Invoke-DrBackup -Path $data.FullName -Repository (Join-Path $work 'repo')
        $test = Get-DrBackup -Repository (Join-Path $work 'repo') -Latest | Test-DrRestore
        "$($test.Passed)"
    }
    finally { Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction SilentlyContinue }
}

# The other module still runs on its own SDK after DrTools ran.
Step 'OtherSdkAfter' { Get-FakeAwsSdkVersion }
Step 'OtherRegion' { Get-FakeAwsRegion }

# The AWSSDK.Core that DrTools' core binds to (its AWSCredentials type's assembly), and the load context holding it.
Step 'DrToolsSdk' {
    $core = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'DrTools.Core' } | Select-Object -First 1
    $sdk = $core.GetType('DrTools.Core.Connection.AwsConnection', $true).GetProperty('Credentials').PropertyType.Assembly
    $context = [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($sdk)
    "$([System.Diagnostics.FileVersionInfo]::GetVersionInfo($sdk.Location).FileVersion)|$($context -eq [System.Runtime.Loader.AssemblyLoadContext]::Default)|$($sdk.Location)"
}
Step 'SdkCopies' { @([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'AWSSDK.Core' }).Count }
