# Shared by the *.Tests.ps1 files: where the module and the repository are, and a fresh pwsh process.
# Import in BeforeAll:  Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force

function Get-DrModuleManifest {
    <# The built module the suite tests (set by Invoke-PesterSuite.ps1). #>
    if (-not $env:DRTOOLS_TEST_MODULE) { throw 'DRTOOLS_TEST_MODULE is not set: run the suite with tests/Pester/Invoke-PesterSuite.ps1.' }
    $env:DRTOOLS_TEST_MODULE
}

function Get-DrRepoRoot {
    if ($env:DRTOOLS_REPO_ROOT) { return $env:DRTOOLS_REPO_ROOT }
    (Resolve-Path (Join-Path $PSScriptRoot '../..')).ProviderPath
}

function Get-PwshCommand {
    <#
    .SYNOPSIS
        The executable and leading arguments that start this same PowerShell in a new process.
    .DESCRIPTION
        Under `dotnet pwsh` (the pinned .NET tool) the process is dotnet itself running pwsh.dll; elsewhere it is
        pwsh(.exe) or powershell.exe.
    #>
    $processPath = if ([Environment].GetProperty('ProcessPath')) { [Environment]::ProcessPath } else { (Get-Process -Id $PID).Path }
    $name = [IO.Path]::GetFileNameWithoutExtension($processPath)
    if ($name -eq 'dotnet') { return @($processPath, (Join-Path $PSHOME 'pwsh.dll')) }
    @($processPath)
}

function Invoke-Pwsh {
    <#
    .SYNOPSIS
        Runs pwsh -NoProfile -NonInteractive with the given arguments in a new process, as a runbook job would,
        and returns its exit code and output. Kills it after -TimeoutSec (no test may hang).
    .EXAMPLE
        Invoke-Pwsh -ArgumentList '-File', 'examples/quickstart.ps1', '-WorkDir', $TestDrive
    .EXAMPLE
        Invoke-Pwsh -ArgumentList '-Command', "Import-Module '$(Get-DrModuleManifest)'; Get-Command -Module DrTools"
    #>
    param(
        [Parameter(Mandatory)] [string[]] $ArgumentList,
        [int] $TimeoutSec = 300,
        [string] $WorkingDirectory = (Get-Location).ProviderPath
    )
    $command = @(Get-PwshCommand)
    $psi = [Diagnostics.ProcessStartInfo]::new($command[0])
    foreach ($a in @($command | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive') + $ArgumentList) { $psi.ArgumentList.Add($a) }
    $psi.WorkingDirectory = $WorkingDirectory
    $psi.UseShellExecute = $false
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    $psi.RedirectStandardInput = $true
    # Plain text: no ANSI colour codes in what the test reads.
    $psi.Environment['NO_COLOR'] = '1'
    $process = [Diagnostics.Process]::Start($psi)
    try {
        $process.StandardInput.Close()
        $stdout = $process.StandardOutput.ReadToEndAsync()
        $stderr = $process.StandardError.ReadToEndAsync()
        if (-not $process.WaitForExit($TimeoutSec * 1000)) {
            $process.Kill($true)
            throw "pwsh $($ArgumentList -join ' ') did not end within $TimeoutSec s and was stopped."
        }
        $process.WaitForExit()
        [pscustomobject]@{ ExitCode = $process.ExitCode; Output = $stdout.Result; ErrorOutput = $stderr.Result }
    }
    finally { $process.Dispose() }
}

function Get-MarkdownCodeBlock {
    <#
    .SYNOPSIS
        The ```powershell code blocks of a markdown file, each with the nearest heading above it.
    #>
    param([Parameter(Mandatory)] [string] $Path)
    $heading = ''; $inBlock = $false; $code = $null
    foreach ($line in [IO.File]::ReadAllLines($Path)) {
        if ($inBlock) {
            if ($line -match '^```\s*$') { $inBlock = $false; [pscustomobject]@{ Heading = $heading; Code = ($code -join "`n") } }
            else { $code.Add($line) }
        }
        elseif ($line -match '^```powershell\s*$') { $inBlock = $true; $code = [Collections.Generic.List[string]]::new() }
        elseif ($line -match '^#+\s+(.*)$') { $heading = $Matches[1].Trim() }
    }
}

function Set-ExampleDrive {
    <#
    .SYNOPSIS
        Maps the drives the docs' examples use (D:\Data, E:\DrBackup) to folders under -Root, for this session
        only, so the examples run verbatim on any machine. Returns the two folders.
    #>
    param([Parameter(Mandatory)] [string] $Root)
    $folders = [ordered]@{}
    foreach ($name in 'D', 'E') {
        $folder = Join-Path $Root "drive-$name"
        [void](New-Item -ItemType Directory -Path $folder -Force)
        # On Windows this hides a real D: or E: from this PowerShell session only.
        Get-PSDrive -Name $name -ErrorAction SilentlyContinue | Remove-PSDrive -Force -ErrorAction SilentlyContinue
        [void](New-PSDrive -Name $name -PSProvider FileSystem -Root $folder -Scope Global)
        $folders[$name] = $folder
    }
    [pscustomobject]$folders
}

function Remove-ExampleDrive {
    foreach ($name in 'D', 'E') { Remove-PSDrive -Name $name -Scope Global -Force -ErrorAction SilentlyContinue }
}

Export-ModuleMember -Function Get-DrModuleManifest, Get-DrRepoRoot, Get-PwshCommand, Invoke-Pwsh, Get-MarkdownCodeBlock, Set-ExampleDrive, Remove-ExampleDrive
