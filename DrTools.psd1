@{
    # The single source of the module version: the build reads it from here.
    ModuleVersion        = '0.1.0'
    GUID                 = 'acea1b61-c17c-4dbf-9e18-cfdd3182589d'
    Author               = 'DrTools contributors'
    CompanyName          = 'DrTools'
    Copyright            = '(c) DrTools contributors. MIT License.'
    Description          = 'Disaster recovery on AWS from PowerShell: backup and restore, pilot light, warm standby and multi-site failover as scriptable, pipeline-friendly cmdlets.'
    CompatiblePSEditions = @('Desktop', 'Core')
    PowerShellVersion    = '5.1'
    DotNetFrameworkVersion = '4.7.2'
    RootModule           = 'DrTools.dll'
    FormatsToProcess     = @('DrTools.format.ps1xml')
    CmdletsToExport      = @(
        'Copy-DrBackup',
        'Enable-DrBackupReplication',
        'Get-DrBackup',
        'Invoke-DrBackup',
        'Remove-DrBackup',
        'Repair-DrBackup',
        'Restore-DrBackup',
        'Test-DrConnection',
        'Get-DrStatus',
        'Invoke-DrFailback',
        'Invoke-DrFailover',
        'Invoke-DrReprotect',
        'Start-DrPilotLight',
        'Import-DrPlan',
        'New-DrPlan',
        'Get-DrIamPolicy',
        'Test-DrPlan',
        'Test-DrRestore',
        'Get-DrTrafficWeight',
        'Set-DrTrafficWeight',
        'Start-DrWarmStandby',
        'Invoke-DrDrill',
        'Get-DrDrill',
        'Remove-DrDrill',
        'Export-DrReport'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('AWS', 'DisasterRecovery', 'DR', 'Backup', 'Restore', 'Failover', 'Route53', 'RDS', 'EC2', 'S3', 'PSEdition_Desktop', 'PSEdition_Core', 'Windows', 'Linux', 'MacOS')
            ProjectUri   = 'https://github.com/drtools/drtools'
            LicenseUri   = 'https://github.com/drtools/drtools/blob/main/LICENSE'
            ReleaseNotes = 'See CHANGELOG.md in the module folder.'
        }
    }
}
