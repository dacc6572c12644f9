# Default views: every type a cmdlet writes (and the nested types admins expand, such as $result.Steps) has a
# table view, and the view shows all its columns on a 120-column screen.
BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $manifest = Get-DrModuleManifest
    $formatFile = Join-Path (Split-Path $manifest) 'DrTools.format.ps1xml'
    $script:views = @(([xml](Get-Content $formatFile -Raw)).Configuration.ViewDefinitions.View |
            Where-Object { $_.TableControl } |
            ForEach-Object { @{ TypeName = $_.ViewSelectedBy.TypeName; Columns = @($_.TableControl.TableHeaders.TableColumnHeader.Label) } })
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $module = Import-Module (Get-DrModuleManifest) -Force -PassThru
    $formatFile = Join-Path $module.ModuleBase 'DrTools.format.ps1xml'
    $script:viewed = @(([xml](Get-Content $formatFile -Raw)).Configuration.ViewDefinitions.View |
            Where-Object { $_.TableControl } | ForEach-Object { $_.ViewSelectedBy.TypeName })
    $script:outputTypes = @($module.ExportedCmdlets.Values | ForEach-Object { $_.OutputType.Type } |
            Where-Object { $_ -and $_.Namespace -like 'DrTools*' } | Sort-Object FullName -Unique)
    $coreAssembly = $outputTypes[0].Assembly

    # An instance of a DrTools type with the given property values, set the way the core sets them
    # (through reflection, so init-only properties work and no type accelerator is needed).
    function New-Sample([string] $typeName, [hashtable] $values) {
        $type = $coreAssembly.GetType($typeName, $true)
        $object = [Activator]::CreateInstance($type)
        foreach ($key in $values.Keys) {
            $property = $type.GetProperty($key)
            $target = $property.PropertyType
            # Lists are IReadOnlyList<T>: an array of T is one.
            if ($target.IsInterface -and $target.IsGenericType) { $target = $target.GetGenericArguments()[0].MakeArrayType() }
            $property.SetValue($object, [System.Management.Automation.LanguagePrimitives]::ConvertTo($values[$key], $target))
        }
        $object
    }

    # Real objects from the cmdlets that need no AWS: a folder repository and plan files.
    $data = Join-Path $TestDrive 'Data'
    $repository = Join-Path $TestDrive 'repository'
    [void](New-Item -ItemType Directory -Path (Join-Path $data 'finance'))
    Set-Content -Path (Join-Path $data 'finance/ledger-2024-quarter-4-final-approved-by-cfo.xlsx') -Value ('x' * 5000)
    Set-Content -Path (Join-Path $data 'readme.txt') -Value 'hello'
    $first = Invoke-DrBackup -Path $data -Repository $repository -Tag nightly, weekly
    Add-Content -Path (Join-Path $data 'readme.txt') -Value 'changed'
    [void](Invoke-DrBackup -Path $data -Repository $repository -Tag nightly)
    $planFile = Join-Path $TestDrive 'orders.json'
    $script:samples = @{
        'DrTools.Core.Backup.BackupSet'            = $first
        'DrTools.Core.Backup.RestoreResult'        = Restore-DrBackup -Repository $repository -Id $first.Id -Destination (Join-Path $TestDrive 'restore')
        'DrTools.Core.Backup.RestoreTestResult'    = Test-DrRestore -Repository $repository -Id $first.Id -RtoTarget '00:05:00'
        'DrTools.Core.Backup.CopyResult'           = @(Copy-DrBackup -Repository $repository -Destination (Join-Path $TestDrive 'offsite') -Confirm:$false)[0]
        'DrTools.Core.Backup.PruneResult'          = Remove-DrBackup -Repository $repository -KeepLast 1 -Confirm:$false
        'DrTools.Core.Backup.RepairResult'         = Repair-DrBackup -Repository $repository -Confirm:$false
        'DrTools.Core.Plans.DrPlan'                = New-DrPlan -Strategy WARM_STANDBY -Name orders-web-and-database -Path $planFile
        'DrTools.Core.Plans.PlanValidationResult'  = Test-DrPlan -Plan $planFile
        'DrTools.Core.Access.IamPolicyDocument'    = Get-DrIamPolicy -Plan $planFile -Role Operator -Path (Join-Path $TestDrive 'orders-operator-policy-for-the-dr-account.json')
    }

    # Objects that only AWS produces: built with the longest values real AWS ids and names take.
    $probe = New-Sample 'DrTools.Core.Connection.ServiceProbeResult' @{ Service = 'AutoScaling'; Operation = 'DescribeAutoScalingGroups'; Reachable = $false; Latency = [timespan]::FromMilliseconds(1234); ErrorId = 'DrTools.AccessDenied'; Error = 'User arn:aws:iam::123456789012:user/dr-admin is not authorized to perform autoscaling:DescribeAutoScalingGroups' }
    $site = New-Sample 'DrTools.Core.Traffic.TrafficSiteChange' @{ Site = 'onprem-frankfurt'; Before = 100; After = 0; ShareBefore = 1.0; ShareAfter = 0.0; Health = 'Healthy' }
    $step = New-Sample 'DrTools.Core.Recovery.Engine.StepResult' @{ StepId = 'promote-orders-database'; Kind = 'AssociateElasticIp'; Description = 'Promote orders-db-replica'; Status = 'Succeeded'; Started = [datetimeoffset]::Now.AddMinutes(-9); Finished = [datetimeoffset]::Now; ResourceIds = @('orders-db-replica-us-west-2'); Message = 'orders-db-replica-us-west-2 is now a standalone instance (available)' }
    $samples['DrTools.Core.Connection.ServiceProbeResult'] = $probe
    $samples['DrTools.Core.Connection.ConnectionReport'] = New-Sample 'DrTools.Core.Connection.ConnectionReport' @{ Account = '123456789012'; Arn = 'arn:aws:iam::123456789012:user/dr-admin'; Region = 'ap-southeast-2'; Endpoint = 'https://vpce-0123456789abcdef0.example.com'; CredentialSource = 'Profile:dr-admin-production'; Services = @($probe) }
    $samples['DrTools.Core.Traffic.TrafficWeight'] = New-Sample 'DrTools.Core.Traffic.TrafficWeight' @{ Zone = 'example.com.'; ZoneId = 'Z0123456789ABCDEFGHIJ'; RecordName = 'www.orders.eu-central.example.com.'; RecordType = 'CNAME'; Site = 'onprem-frankfurt'; Weight = 255; Share = 1.0; Values = @('orders-alb-1234567890.eu-central-1.elb.amazonaws.com'); Ttl = 60; Health = 'Unhealthy' }
    $samples['DrTools.Core.Traffic.TrafficSiteChange'] = $site
    $samples['DrTools.Core.Traffic.TrafficChangeResult'] = New-Sample 'DrTools.Core.Traffic.TrafficChangeResult' @{ Zone = 'example.com.'; ZoneId = 'Z0123456789ABCDEFGHIJ'; RecordName = 'www.orders.eu-central.example.com.'; RecordType = 'CNAME'; ChangeId = 'C0123456789ABCDEFGHIJ'; Status = 'INSYNC'; SubmittedAt = [datetimeoffset]::Now; InSyncAt = [datetimeoffset]::Now; Sites = @($site) }
    $samples['DrTools.Core.Plans.Readiness.ReadinessCheck'] = New-Sample 'DrTools.Core.Plans.Readiness.ReadinessCheck' @{ Plan = 'orders'; Check = 'AutoScalingGroup'; Resource = 'orders-web-dr-asg-production-blue'; Region = 'ap-southeast-2'; Ready = $false; Reason = 'The group does not exist in ap-southeast-2.' }
    $samples['DrTools.Core.Status.DrStatusRow'] = New-Sample 'DrTools.Core.Status.DrStatusRow' @{ Plan = 'orders'; Component = 'orders-web-dr-asg-production-blue'; Kind = 'DBAutomatedBackup'; Region = 'ap-southeast-2'; Status = 'Failing'; Value = '12d 23h'; Target = '<= 23h'; Reason = 'The latest restorable time is 12d 23h old (23h allowed, rpo). Check that automated-backup replication runs.' }
    $samples['DrTools.Core.Status.DrStatusSummary'] = New-Sample 'DrTools.Core.Status.DrStatusSummary' @{ Plan = 'orders-web-and-database'; Strategy = 'BACKUP_AND_RESTORE'; DrRegion = 'ap-southeast-2'; Status = 'Warning'; MeetsRpo = $false; MeetsRto = $false; Ok = 120; Warning = 12; Failing = 130; NextStep = 'ReplicaLag orders-db-dr: orders-db-dr is 4m 10s behind its source (5m allowed, maxReplicaLag).' }
    $samples['DrTools.Core.RecoveryPoints.RecoveryPoint'] = New-Sample 'DrTools.Core.RecoveryPoints.RecoveryPoint' @{ Kind = 'DBSnapshot'; Id = 'drtools-orders-db-20240501t031200z'; SourceId = 'i-0abc1234def567890'; Region = 'ap-southeast-2'; Created = [datetime]::UtcNow.AddHours(-5); State = 'completed'; SizeGiB = 500; CopiedTo = 'eu-central-1:snap-0123456789abcdef0'; Rpo = [timespan]::FromDays(1); RpoMet = $true }
    $samples['DrTools.Core.RecoveryPoints.RestoredResource'] = New-Sample 'DrTools.Core.RecoveryPoints.RestoredResource' @{ ResourceType = 'DBInstance'; Id = 'orders-db-restored-20240501'; Region = 'ap-southeast-2'; State = 'available'; Address = 'orders-db.abcdefghijkl.ap-southeast-2.rds.amazonaws.com'; RecoveryPointId = 'drtools-orders-db-20240501t031200z'; Kind = 'DBSnapshot' }
    $samples['DrTools.Core.RecoveryPoints.RecoveryPointRemoval'] = New-Sample 'DrTools.Core.RecoveryPoints.RecoveryPointRemoval' @{ Kind = 'Image'; Id = 'ami-0123456789abcdef0'; SourceId = 'i-0abc1234def567890'; Region = 'ap-southeast-2'; Created = [datetime]::UtcNow.AddDays(-30); Reason = 'expired 2024-05-01T03:12:00Z'; DeletedSnapshotIds = @('snap-0123456789abcdef0', 'snap-0fedcba9876543210') }
    $samples['DrTools.Core.Recovery.Engine.StepResult'] = $step
    $samples['DrTools.Core.Drills.DrillResult'] = New-Sample 'DrTools.Core.Drills.DrillResult' @{ Plan = 'orders-web-and-database'; RunId = '20260301t101500-a1b2c3'; Scenario = 'RegionLoss'; Passed = $true; Started = [datetimeoffset]::Now.AddMinutes(-42); Finished = [datetimeoffset]::Now; AchievedRto = [timespan]::FromMinutes(38); RtoTarget = [timespan]::FromHours(1); AchievedRpo = [timespan]::FromSeconds(42); RpoTarget = [timespan]::FromMinutes(15); CleanedUp = $true; Steps = @($step) }
    $samples['DrTools.Core.Drills.DrillLeftover'] = [Activator]::CreateInstance($coreAssembly.GetType('DrTools.Core.Drills.DrillLeftover', $true), [object[]]@('DBInstance', 'orders-db-dr-drill-20260301t101500-a1b2c3', 'ap-southeast-2', 'deleting', '20260301t101500-a1b2c3'))
    $samples['DrTools.Core.Recovery.Engine.RecoveryResult'] = New-Sample 'DrTools.Core.Recovery.Engine.RecoveryResult' @{ Plan = 'orders-web-and-database'; Strategy = 'PILOT_LIGHT'; RunId = '20240501T031200Z-a1b2c3'; Started = [datetimeoffset]::Now.AddMinutes(-42); Finished = [datetimeoffset]::Now; RtoTarget = [timespan]::FromHours(1); Succeeded = $true; Steps = @($step) }
}

Describe 'Default table views' {
    It 'every DrTools type a cmdlet writes has a table view' {
        foreach ($type in $outputTypes) { $viewed | Should -Contain $type.FullName -Because "$($type.FullName) is written by a cmdlet" }
    }

    It 'every view has a sample object in this test' {
        # A new view needs a sample here, so the next test renders it.
        foreach ($name in $viewed) { $samples.Keys | Should -Contain $name }
    }

    It '<TypeName> shows all its columns in 120 columns' -ForEach $views {
        $sample = $samples[$TypeName]
        $sample | Should -Not -BeNullOrEmpty
        $sample.GetType().FullName | Should -Be $TypeName
        $lines = @(($sample | Format-Table | Out-String -Width 120) -split '\r?\n' | Where-Object { $_.Trim() })
        $header = $lines[0]
        foreach ($column in $Columns) { $header | Should -Match "(^|\s)$([regex]::Escape($column))(\s|$)" -Because "the $column column must fit on a 120-column screen" }
        $lines[1] | Should -Match '^[\s-]+$' -Because 'the header is one line (no wrapped headers); the rule line follows it'
        $lines.Count | Should -BeGreaterOrEqual 3 -Because 'one object is one header line, one rule line and its row (a view with <Wrap/> may wrap a long value)'
    }
}
