using System;
using System.Collections.Generic;
using System.Linq;

namespace DrTools.Core.Access
{
    /// <summary>The duties a plan's IAM roles separate (Get-DrIamPolicy -Role).</summary>
    public enum IamRole
    {
        /// <summary>Reads status: readiness, recovery points, traffic weights. Changes nothing.</summary>
        ReadOnly,
        /// <summary>Creates recovery points (snapshots, AMIs, DB snapshots, copies) but never deletes one.</summary>
        Backup,
        /// <summary>Runs drills: creates only what is tagged DrTools:Drill, changes and deletes only what is tagged DrTools:Plan=&lt;plan&gt;.drill (and Test-DrRestore's DrTools:Drill=true scratch resources).</summary>
        Drill,
        /// <summary>Fails over and back and runs drills; never deletes a recovery point.</summary>
        Operator,
    }

    /// <summary>Which roles get an action (flags of <see cref="IamRole"/>).</summary>
    [Flags]
    public enum IamRoles
    {
        None = 0,
        ReadOnly = 1,
        Backup = 2,
        Drill = 4,
        Operator = 8,
        All = ReadOnly | Backup | Drill | Operator,
    }

    /// <summary>How an action's Resource is scoped to a plan (see <see cref="IamPolicyBuilder"/>).</summary>
    public enum IamScope
    {
        /// <summary>The action has no resource-level permissions: Resource "*" (limited to the plan's regions where it is regional). The entry says why.</summary>
        Unscopable,
        /// <summary>EC2 instances tagged DrTools:Plan=&lt;plan&gt; (aws:ResourceTag).</summary>
        PlanInstances,
        /// <summary>RunInstances: new instances and volumes must carry DrTools:Plan=&lt;plan&gt; (aws:RequestTag); the plan's subnets, security groups, key pairs, any image and network interface.</summary>
        LaunchInstances,
        /// <summary>CreateTags only as part of a create call (ec2:CreateAction).</summary>
        TagOnCreate,
        /// <summary>EC2 snapshots, images and volumes (create and copy) in the plan's regions.</summary>
        Ec2RecoveryPoints,
        /// <summary>Elastic IPs in the plan's regions (allocation ids are not ARNs the plan knows before allocation).</summary>
        ElasticIps,
        /// <summary>The plan's DB instances (primary, replica, restore target) by ARN.</summary>
        PlanDbInstances,
        /// <summary>DB snapshots DrTools names (drtools-&lt;primary&gt;-*) and the plan's restore snapshot.</summary>
        PlanDbSnapshots,
        /// <summary>The primary's automated backups (replicated or not) in the plan's regions.</summary>
        DbAutomatedBackups,
        /// <summary>The plan's Aurora DB clusters (database.clusterId, replicaClusterId, restore.clusterId) by ARN.</summary>
        PlanDbClusters,
        /// <summary>DB cluster snapshots DrTools names (drtools-&lt;clusterId&gt;-*) and the plan's restore.clusterSnapshotId.</summary>
        PlanDbClusterSnapshots,
        /// <summary>The plan's Aurora Global Database (database.globalClusterId) by ARN (global: no region).</summary>
        PlanGlobalClusters,
        /// <summary>CreateDBInstance of a restored cluster's instances: new DB instances in the DR region that carry DrTools:Plan=&lt;plan&gt; (aws:RequestTag).</summary>
        NewPlanDbInstances,
        /// <summary>The plan's hosted zone by id.</summary>
        HostedZone,
        /// <summary>Route 53 change ids (GetChange).</summary>
        Route53Changes,
        /// <summary>The plan's health checks by id.</summary>
        HealthChecks,
        /// <summary>The plan's Auto Scaling groups by name.</summary>
        PlanGroups,
        /// <summary>Drill instances and volumes (EC2): created with a DrTools:Drill tag; changed when tagged DrTools:Plan=&lt;plan&gt;.drill or DrTools:Drill=true (Test-DrRestore).</summary>
        DrillInstances,
        /// <summary>Drill DB instances, clusters and snapshots: as <see cref="DrillInstances"/>.</summary>
        DrillDatabases,
        /// <summary>Drill Auto Scaling groups: as <see cref="DrillInstances"/>.</summary>
        DrillGroups,
        /// <summary>CloudWatch custom metrics: only the DrTools namespace (cloudwatch:namespace).</summary>
        DrToolsMetrics,
        /// <summary>A file-backup repository in S3 (bucket and prefix); left out of a plan's policy, which names no repository (see docs/iam.md for S3).</summary>
        S3Repository,
    }

    /// <summary>One IAM action DrTools uses: the API operation that needs it, who needs it, and how it is scoped.</summary>
    public sealed record IamAction(string Action, string Operation, IamRoles Roles, IamScope Scope, string UsedBy, string? Why = null)
    {
        /// <summary>"ec2", "rds"... (the action's prefix).</summary>
        public string Service => Action.Substring(0, Action.IndexOf(':'));
        /// <summary>True when DrTools does not call it yet (a test fails when one that is called is still planned).</summary>
        public bool Planned { get; init; }
    }

    /// <summary>
    /// Every AWS call DrTools makes, as IAM actions: the one table behind Get-DrIamPolicy and docs/iam.md
    /// ("Actions by role"). A test scans the AWS service classes for the operations they call and fails when one is
    /// missing here; another fails when docs/iam.md differs from <see cref="IamPolicyBuilder.MarkdownTable"/>.
    /// </summary>
    public static class IamActions
    {
        const IamRoles All = IamRoles.All;
        const IamRoles Write = IamRoles.Operator | IamRoles.Drill;
        const IamRoles Recover = IamRoles.Operator;
        const IamRoles Create = IamRoles.Backup | IamRoles.Operator;
        const string NoResourceLevel = "EC2 Describe* actions support no resource-level permissions";

        /// <summary>Every entry.</summary>
        public static IReadOnlyList<IamAction> Entries { get; } = Build();

        static IReadOnlyList<IamAction> Build() => new List<IamAction>
        {
            // ---- STS, connection
            new("sts:GetCallerIdentity", "GetCallerIdentity", All, IamScope.Unscopable, "Test-DrConnection", "needs no permission; listed for completeness"),
            // ---- EC2 reads
            new("ec2:DescribeRegions", "DescribeRegions", All, IamScope.Unscopable, "Test-DrPlan -Live", NoResourceLevel),
            new("ec2:DescribeAvailabilityZones", "DescribeAvailabilityZones", All, IamScope.Unscopable, "Test-DrConnection", NoResourceLevel),
            new("ec2:DescribeInstances", "DescribeInstances", All, IamScope.Unscopable, "Invoke-DrBackup, recovery, Test-DrPlan -Live", NoResourceLevel),
            new("ec2:DescribeImages", "DescribeImages", All, IamScope.Unscopable, "Get-DrBackup, recovery, Test-DrPlan -Live", NoResourceLevel),
            new("ec2:DescribeSnapshots", "DescribeSnapshots", All, IamScope.Unscopable, "Get-DrBackup, Invoke-DrBackup", NoResourceLevel),
            new("ec2:DescribeVolumes", "DescribeVolumes", All, IamScope.Unscopable, "Restore-DrBackup, Test-DrRestore", NoResourceLevel),
            new("ec2:DescribeAddresses", "DescribeAddresses", All, IamScope.Unscopable, "recovery, Test-DrPlan -Live", NoResourceLevel),
            new("ec2:DescribeSubnets", "DescribeSubnets", All, IamScope.Unscopable, "Test-DrPlan -Live", NoResourceLevel),
            new("ec2:DescribeSecurityGroups", "DescribeSecurityGroups", All, IamScope.Unscopable, "Test-DrPlan -Live", NoResourceLevel),
            new("ec2:DescribeKeyPairs", "DescribeKeyPairs", All, IamScope.Unscopable, "Test-DrPlan -Live", NoResourceLevel),
            new("ec2:DescribeLaunchTemplateVersions", "DescribeLaunchTemplateVersions", All, IamScope.Unscopable, "Test-DrPlan -Live", NoResourceLevel),
            new("ec2:DescribeInstanceTypes", "DescribeInstanceTypes", All, IamScope.Unscopable, "Test-DrPlan -Live", NoResourceLevel),
            new("ec2:DescribeAccountAttributes", "DescribeAccountAttributes", All, IamScope.Unscopable, "Test-DrPlan -Live", NoResourceLevel),
            // ---- EC2 recovery points
            new("ec2:CreateSnapshots", "CreateSnapshots", Create, IamScope.PlanInstances, "Invoke-DrBackup -InstanceId"),
            new("ec2:CreateSnapshots", "CreateSnapshots", Create, IamScope.Ec2RecoveryPoints, "Invoke-DrBackup -InstanceId"),
            new("ec2:CreateImage", "CreateImage", Create, IamScope.PlanInstances, "Invoke-DrBackup -Image"),
            new("ec2:CreateImage", "CreateImage", Create, IamScope.Ec2RecoveryPoints, "Invoke-DrBackup -Image"),
            new("ec2:CopySnapshot", "CopySnapshot", Create, IamScope.Ec2RecoveryPoints, "Invoke-DrBackup -CopyToRegion"),
            new("ec2:CopyImage", "CopyImage", Create, IamScope.Ec2RecoveryPoints, "Invoke-DrBackup -CopyToRegion"),
            new("ec2:CreateTags", "CreateTags", Create | Write, IamScope.TagOnCreate, "every create (tags on create)"),
            new("ec2:DeleteTags", "DeleteTags", IamRoles.None, IamScope.Ec2RecoveryPoints, "not used by any role's cmdlets", "kept out of every role"),
            new("ec2:DeleteSnapshot", "DeleteSnapshot", IamRoles.None, IamScope.Ec2RecoveryPoints, "Remove-DrBackup", "no role deletes recovery points; grant separately for retention"),
            new("ec2:DeregisterImage", "DeregisterImage", IamRoles.None, IamScope.Ec2RecoveryPoints, "Remove-DrBackup", "no role deletes recovery points; grant separately for retention"),
            new("ec2:CreateVolume", "CreateVolume", Write, IamScope.Ec2RecoveryPoints, "Restore-DrBackup, Test-DrRestore"),
            new("ec2:DeleteVolume", "DeleteVolume", IamRoles.Drill | IamRoles.Operator, IamScope.DrillInstances, "Test-DrRestore (scratch volumes)"),
            // ---- EC2 instances
            new("ec2:RunInstances", "RunInstances", Recover, IamScope.LaunchInstances, "Start-DrPilotLight, Invoke-DrFailover, Restore-DrBackup"),
            new("ec2:RunInstances", "RunInstances", IamRoles.Drill | IamRoles.Operator, IamScope.DrillInstances, "drills, Test-DrRestore"),
            new("ec2:StartInstances", "StartInstances", Recover, IamScope.PlanInstances, "recovery"),
            new("ec2:StopInstances", "StopInstances", Recover, IamScope.PlanInstances, "Invoke-DrFailback"),
            new("ec2:TerminateInstances", "TerminateInstances", Recover, IamScope.PlanInstances, "Invoke-DrFailback"),
            new("ec2:TerminateInstances", "TerminateInstances", IamRoles.Drill | IamRoles.Operator, IamScope.DrillInstances, "drills, Test-DrRestore"),
            // ---- Elastic IPs
            new("ec2:AllocateAddress", "AllocateAddress", Recover, IamScope.ElasticIps, "recovery (a new Elastic IP)"),
            new("ec2:AssociateAddress", "AssociateAddress", Recover, IamScope.ElasticIps, "recovery (eip-<allocation>)"),
            new("ec2:AssociateAddress", "AssociateAddress", Recover, IamScope.PlanInstances, "recovery (eip-<allocation>)"),
            new("ec2:DisassociateAddress", "DisassociateAddress", Recover, IamScope.ElasticIps, "Invoke-DrFailback"),
            new("ec2:ReleaseAddress", "ReleaseAddress", IamRoles.None, IamScope.ElasticIps, "not used by any role's cmdlets", "kept out of every role"),
            // ---- RDS
            new("rds:DescribeDBInstances", "DescribeDBInstances", All, IamScope.PlanDbInstances, "recovery, Test-DrPlan -Live, Test-DrConnection"),
            new("rds:DescribeDBSnapshots", "DescribeDBSnapshots", All, IamScope.PlanDbSnapshots, "Get-DrBackup, Test-DrPlan -Live"),
            new("rds:DescribeDBSnapshots", "DescribeDBSnapshots", All, IamScope.PlanDbInstances, "Get-DrBackup, Test-DrPlan -Live (by instance)"),
            new("rds:DescribeDBInstanceAutomatedBackups", "DescribeDBInstanceAutomatedBackups", All, IamScope.DbAutomatedBackups, "Get-DrBackup -Kind DBAutomatedBackup, Restore-DrBackup -PointInTime, Test-DrPlan -Live, Get-DrStatus, Enable-DrBackupReplication"),
            new("rds:ListTagsForResource", "ListTagsForResource", All, IamScope.PlanDbSnapshots, "Get-DrBackup"),
            new("rds:CreateDBSnapshot", "CreateDBSnapshot", Create | Recover, IamScope.PlanDbInstances, "Invoke-DrBackup -DBInstanceIdentifier, Invoke-DrReprotect (snapshot-db)"),
            new("rds:CreateDBSnapshot", "CreateDBSnapshot", Create | Recover, IamScope.PlanDbSnapshots, "Invoke-DrBackup -DBInstanceIdentifier, Invoke-DrReprotect (snapshot-db)"),
            new("rds:CopyDBSnapshot", "CopyDBSnapshot", Create | Recover, IamScope.PlanDbSnapshots, "Invoke-DrBackup -CopyToRegion, Invoke-DrReprotect (copy-snapshot)"),
            new("rds:AddTagsToResource", "AddTagsToResource", Create | Write | Recover, IamScope.PlanDbSnapshots, "tags on create"),
            new("rds:AddTagsToResource", "AddTagsToResource", Write, IamScope.PlanDbInstances, "tags on create (restored instances)"),
            new("rds:RemoveTagsFromResource", "RemoveTagsFromResource", IamRoles.None, IamScope.PlanDbSnapshots, "not used by any role's cmdlets", "kept out of every role"),
            new("rds:DeleteDBSnapshot", "DeleteDBSnapshot", IamRoles.None, IamScope.PlanDbSnapshots, "Remove-DrBackup", "no role deletes recovery points; grant separately for retention"),
            new("rds:PromoteReadReplica", "PromoteReadReplica", Recover, IamScope.PlanDbInstances, "recovery (promote-db)"),
            new("rds:ModifyDBInstance", "ModifyDBInstance", Recover, IamScope.PlanDbInstances, "recovery (resize-db), Invoke-DrReprotect (set-aside-db rename), Invoke-DrFailback (fence: read-only parameter group)"),
            new("rds:RestoreDBInstanceFromDBSnapshot", "RestoreDBInstanceFromDBSnapshot", Recover, IamScope.PlanDbInstances, "recovery (restore-db)"),
            new("rds:RestoreDBInstanceFromDBSnapshot", "RestoreDBInstanceFromDBSnapshot", Recover, IamScope.PlanDbSnapshots, "recovery (restore-db)"),
            new("rds:RestoreDBInstanceToPointInTime", "RestoreDBInstanceToPointInTime", Recover, IamScope.PlanDbInstances, "Restore-DrBackup -PointInTime, recovery"),
            new("rds:RestoreDBInstanceToPointInTime", "RestoreDBInstanceToPointInTime", Recover, IamScope.DbAutomatedBackups, "Restore-DrBackup -PointInTime (replicated backups)"),
            new("rds:CreateDBInstanceReadReplica", "CreateDBInstanceReadReplica", Recover, IamScope.PlanDbInstances, "Invoke-DrReprotect, Invoke-DrFailback (re-protect)"),
            new("rds:StartDBInstanceAutomatedBackupsReplication", "StartDBInstanceAutomatedBackupsReplication", Create, IamScope.DbAutomatedBackups, "Enable-DrBackupReplication"),
            new("rds:StartDBInstanceAutomatedBackupsReplication", "StartDBInstanceAutomatedBackupsReplication", Create, IamScope.PlanDbInstances, "Enable-DrBackupReplication"),
            new("rds:DeleteDBInstance", "DeleteDBInstance", IamRoles.Drill | IamRoles.Operator, IamScope.DrillDatabases, "drills, Test-DrRestore (scratch instances)"),
            // Test-DrRestore of a DB cluster snapshot: a scratch cluster and its instance, deleted after.
            new("rds:RestoreDBClusterFromSnapshot", "RestoreDBClusterFromSnapshot", IamRoles.Drill | IamRoles.Operator, IamScope.DrillDatabases, "Test-DrRestore (scratch cluster)"),
            new("rds:CreateDBInstance", "CreateDBInstance", IamRoles.Drill | IamRoles.Operator, IamScope.DrillDatabases, "Test-DrRestore (instance in the scratch cluster)"),
            new("rds:DeleteDBCluster", "DeleteDBCluster", IamRoles.Drill | IamRoles.Operator, IamScope.DrillDatabases, "Test-DrRestore (scratch clusters, no final snapshot)"),
            new("rds:CreateDBSnapshot", "CreateDBSnapshot", IamRoles.Drill | IamRoles.Operator, IamScope.DrillDatabases, "drills"),
            new("rds:RestoreDBInstanceFromDBSnapshot", "RestoreDBInstanceFromDBSnapshot", IamRoles.Drill | IamRoles.Operator, IamScope.DrillDatabases, "drills, Test-DrRestore"),
            new("rds:RestoreDBInstanceFromDBSnapshot", "RestoreDBInstanceFromDBSnapshot", IamRoles.Drill | IamRoles.Operator, IamScope.PlanDbSnapshots, "drills, Test-DrRestore (source snapshot)"),
            new("rds:RestoreDBInstanceToPointInTime", "RestoreDBInstanceToPointInTime", IamRoles.Drill | IamRoles.Operator, IamScope.DrillDatabases, "drills"),
            new("rds:DeleteDBSnapshot", "DeleteDBSnapshot", IamRoles.Drill | IamRoles.Operator, IamScope.DrillDatabases, "drills (drill snapshots only)"),
            new("rds:AddTagsToResource", "AddTagsToResource", IamRoles.Drill | IamRoles.Operator, IamScope.DrillDatabases, "drills (tags on create)"),
            new("rds:RebootDBInstance", "RebootDBInstance", Recover, IamScope.PlanDbInstances, "Invoke-DrFailback (fence: read-only parameter group)"),
            // ---- RDS: Aurora clusters and global databases
            new("rds:DescribeDBClusters", "DescribeDBClusters", All, IamScope.PlanDbClusters, "recovery, Test-DrPlan -Live (Aurora plans)"),
            new("rds:DescribeGlobalClusters", "DescribeGlobalClusters", All, IamScope.PlanGlobalClusters, "recovery, Test-DrPlan -Live (Aurora Global Database)"),
            new("rds:DescribeDBClusterSnapshots", "DescribeDBClusterSnapshots", All, IamScope.PlanDbClusterSnapshots, "Get-DrBackup, recovery (Aurora)"),
            new("rds:DescribeDBClusterSnapshots", "DescribeDBClusterSnapshots", All, IamScope.PlanDbClusters, "Get-DrBackup, recovery (Aurora, by cluster)"),
            new("rds:CreateDBClusterSnapshot", "CreateDBClusterSnapshot", Create, IamScope.PlanDbClusters, "Invoke-DrBackup (Aurora)"),
            new("rds:CreateDBClusterSnapshot", "CreateDBClusterSnapshot", Create, IamScope.PlanDbClusterSnapshots, "Invoke-DrBackup (Aurora)"),
            new("rds:CopyDBClusterSnapshot", "CopyDBClusterSnapshot", Create, IamScope.PlanDbClusterSnapshots, "Invoke-DrBackup -CopyToRegion (Aurora)"),
            new("rds:AddTagsToResource", "AddTagsToResource", Create | Recover, IamScope.PlanDbClusterSnapshots, "tags on create (cluster snapshots)"),
            new("rds:AddTagsToResource", "AddTagsToResource", Recover, IamScope.PlanDbClusters, "tags on create (restored clusters)"),
            new("rds:DeleteDBClusterSnapshot", "DeleteDBClusterSnapshot", IamRoles.None, IamScope.PlanDbClusterSnapshots, "Remove-DrBackup (Aurora)", "no role deletes recovery points; grant separately for retention"),
            new("rds:SwitchoverGlobalCluster", "SwitchoverGlobalCluster", Recover, IamScope.PlanGlobalClusters, "recovery (Aurora Global Database switchover)"),
            new("rds:SwitchoverGlobalCluster", "SwitchoverGlobalCluster", Recover, IamScope.PlanDbClusters, "recovery (Aurora Global Database switchover)"),
            new("rds:FailoverGlobalCluster", "FailoverGlobalCluster", Recover, IamScope.PlanGlobalClusters, "recovery (Aurora Global Database failover, -AllowDataLoss)"),
            new("rds:FailoverGlobalCluster", "FailoverGlobalCluster", Recover, IamScope.PlanDbClusters, "recovery (Aurora Global Database failover, -AllowDataLoss)"),
            new("rds:RestoreDBClusterFromSnapshot", "RestoreDBClusterFromSnapshot", Recover, IamScope.PlanDbClusters, "recovery (restore-cluster)"),
            new("rds:RestoreDBClusterFromSnapshot", "RestoreDBClusterFromSnapshot", Recover, IamScope.PlanDbClusterSnapshots, "recovery (restore-cluster)"),
            new("rds:RestoreDBClusterToPointInTime", "RestoreDBClusterToPointInTime", Recover, IamScope.PlanDbClusters, "recovery (restore-cluster to a point in time)"),
            new("rds:CreateDBInstance", "CreateDBInstance", Recover, IamScope.PlanDbClusters, "recovery (instances of a restored cluster)"),
            new("rds:CreateDBInstance", "CreateDBInstance", Recover, IamScope.NewPlanDbInstances, "recovery (instances of a restored cluster)"),
            new("rds:DeleteDBCluster", "DeleteDBCluster", IamRoles.None, IamScope.PlanDbClusters, "not used by any role's cmdlets", "kept out of every role: DrTools never deletes a plan's cluster"),
            // ---- Auto Scaling
            new("autoscaling:DescribeAutoScalingGroups", "DescribeAutoScalingGroups", All, IamScope.Unscopable, "recovery, Test-DrPlan -Live, Test-DrConnection", "Auto Scaling Describe* actions support no resource-level permissions"),
            new("autoscaling:UpdateAutoScalingGroup", "UpdateAutoScalingGroup", Recover, IamScope.PlanGroups, "Start-DrWarmStandby, Invoke-DrFailover, Invoke-DrFailback"),
            new("autoscaling:SetDesiredCapacity", "SetDesiredCapacity", Recover, IamScope.PlanGroups, "recovery (scale-<group>)"),
            new("autoscaling:SuspendProcesses", "SuspendProcesses", Recover, IamScope.PlanGroups, "recovery"),
            new("autoscaling:ResumeProcesses", "ResumeProcesses", Recover, IamScope.PlanGroups, "recovery"),
            new("autoscaling:CreateAutoScalingGroup", "CreateAutoScalingGroup", IamRoles.Drill | IamRoles.Operator, IamScope.DrillGroups, "Invoke-DrDrill"),
            new("autoscaling:DeleteAutoScalingGroup", "DeleteAutoScalingGroup", IamRoles.Drill | IamRoles.Operator, IamScope.DrillGroups, "Invoke-DrDrill, Remove-DrDrill"),
            // ---- Route 53
            new("route53:ListHostedZones", "ListHostedZones", All, IamScope.Unscopable, "Get-DrTrafficWeight, Test-DrPlan -Live, Test-DrConnection", "Route 53 list actions support no resource-level permissions"),
            new("route53:ListHostedZonesByName", "ListHostedZonesByName", All, IamScope.Unscopable, "Get-DrTrafficWeight, Test-DrPlan -Live", "Route 53 list actions support no resource-level permissions"),
            new("route53:ListResourceRecordSets", "ListResourceRecordSets", All, IamScope.HostedZone, "Get-DrTrafficWeight, Test-DrPlan -Live"),
            new("route53:GetHealthCheck", "GetHealthCheck", All, IamScope.HealthChecks, "Test-DrPlan -Live"),
            new("route53:GetHealthCheckStatus", "GetHealthCheckStatus", All, IamScope.HealthChecks, "Get-DrTrafficWeight, Test-DrPlan -Live, recovery"),
            new("route53:ChangeResourceRecordSets", "ChangeResourceRecordSets", IamRoles.Drill | IamRoles.Operator, IamScope.HostedZone, "Set-DrTrafficWeight, recovery (change-dns), drills (drill record)"),
            new("route53:GetChange", "GetChange", IamRoles.Drill | IamRoles.Operator, IamScope.Route53Changes, "Set-DrTrafficWeight, recovery (waiting for INSYNC)"),
            new("route53:CreateHealthCheck", "CreateHealthCheck", IamRoles.None, IamScope.HealthChecks, "not used by any role's cmdlets", "kept out of every role"),
            new("route53:DeleteHealthCheck", "DeleteHealthCheck", IamRoles.None, IamScope.HealthChecks, "not used by any role's cmdlets", "kept out of every role"),
            // ---- S3 file-backup repositories (not part of a plan: the S3 section of docs/iam.md)
            new("s3:ListAllMyBuckets", "ListBuckets", All, IamScope.Unscopable, "Test-DrConnection", "ListAllMyBuckets is account-wide"),
            new("s3:ListBucket", "ListObjectsV2", All, IamScope.S3Repository, "every repository cmdlet"),
            new("s3:GetObject", "GetObject", All, IamScope.S3Repository, "every repository cmdlet"),
            new("s3:GetObject", "HeadObject", All, IamScope.S3Repository, "every repository cmdlet"),
            new("s3:GetObjectTagging", "GetObjectTagging", All, IamScope.S3Repository, "repository reads"),
            new("s3:PutObject", "PutObject", Create, IamScope.S3Repository, "Invoke-DrBackup, Copy-DrBackup, Repair-DrBackup, locks"),
            new("s3:PutObject", "CreateMultipartUpload", Create, IamScope.S3Repository, "Invoke-DrBackup (large packs)"),
            new("s3:PutObject", "UploadPart", Create, IamScope.S3Repository, "Invoke-DrBackup (large packs)"),
            new("s3:PutObject", "CompleteMultipartUpload", Create, IamScope.S3Repository, "Invoke-DrBackup (large packs)"),
            new("s3:PutObject", "CopyObject", Create, IamScope.S3Repository, "Repair-DrBackup"),
            new("s3:PutObjectTagging", "PutObjectTagging", Create, IamScope.S3Repository, "repository writes"),
            new("s3:DeleteObject", "DeleteObject", Create, IamScope.S3Repository, "locks (under locks/), Remove-DrBackup"),
            new("s3:DeleteObject", "DeleteObjects", Create, IamScope.S3Repository, "locks (under locks/), Remove-DrBackup"),
            new("s3:GetBucketVersioning", "GetBucketVersioning", All, IamScope.S3Repository, "repository checks"),
            new("s3:PutBucketVersioning", "PutBucketVersioning", IamRoles.None, IamScope.S3Repository, "not used by any role's cmdlets", "kept out of every role"),
            new("s3:CreateBucket", "CreateBucket", IamRoles.None, IamScope.S3Repository, "not used by any role's cmdlets", "kept out of every role"),
            new("s3:DeleteBucket", "DeleteBucket", IamRoles.None, IamScope.S3Repository, "not used by any role's cmdlets", "kept out of every role"),
            // ---- CloudWatch, SNS, Service Quotas
            new("cloudwatch:GetMetricStatistics", "GetMetricStatistics", All, IamScope.Unscopable, "recovery (promote-db), Test-DrPlan -Live (replica lag)", "CloudWatch metric reads support no resource-level permissions"),
            new("cloudwatch:DescribeAlarms", "DescribeAlarms", All, IamScope.Unscopable, "Invoke-DrDrill (stop alarms), Test-DrPlan -Live", "DescribeAlarms is authorized on all alarms of the account"),
            new("cloudwatch:PutMetricData", "PutMetricData", All, IamScope.DrToolsMetrics, "Get-DrStatus -PublishMetrics"),
            new("sns:Publish", "Publish", All, IamScope.Unscopable, "-NotifyTopicArn", "the topic is given per run (-NotifyTopicArn): narrow Resource to your topic's ARN"),
            new("servicequotas:GetServiceQuota", "GetServiceQuota", All, IamScope.Unscopable, "Test-DrPlan -Live (instance quota)", "Service Quotas reads support no resource-level permissions"),
        };

        /// <summary>The entries a role gets.</summary>
        public static IEnumerable<IamAction> For(IamRole role) => Entries.Where(e => e.Roles.HasFlag(Flag(role)));

        public static IamRoles Flag(IamRole role) => role switch
        {
            IamRole.ReadOnly => IamRoles.ReadOnly,
            IamRole.Backup => IamRoles.Backup,
            IamRole.Drill => IamRoles.Drill,
            _ => IamRoles.Operator,
        };
    }
}
