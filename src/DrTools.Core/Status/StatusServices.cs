using System;
using DrTools.Core.Aws.Ec2;
using DrTools.Core.Aws.Rds;
using DrTools.Core.Connection;
using DrTools.Core.Diagnostics;
using DrTools.Core.Drills;
using DrTools.Core.Plans.Readiness;
using DrTools.Core.RecoveryPoints;

namespace DrTools.Core.Status
{
    /// <summary>
    /// What Get-DrStatus reads: the readiness services (EC2, RDS, Auto Scaling per region, Route 53, CloudWatch replica
    /// lag), which the readiness checks, the recovery point catalog and the traffic reader share (one client per service
    /// and region). Tests pass fakes.
    /// </summary>
    public sealed class StatusServices : IDisposable
    {
        public StatusServices(ReadinessServices aws)
        {
            Aws = aws ?? throw new ArgumentNullException(nameof(aws));
            RecoveryPoints = new SharedRecoveryPointServices(aws);
        }

        public ReadinessServices Aws { get; }
        /// <summary>The same regional EC2 and RDS services, for <see cref="RecoveryPointCatalog"/>.</summary>
        public IRecoveryPointServices RecoveryPoints { get; }

        /// <summary>The real services for the identity of <paramref name="clients"/>.</summary>
        /// <param name="drillHistory">The drill history (-JournalPath) for the LastDrill row; null: left out.</param>
        /// <param name="activeSides">The active side records (-JournalPath) for the Protection row and the database rows; null: the plan's static ids.</param>
        public static StatusServices ForConnection(IAwsClientFactory clients, IOperationReporter? reporter = null, DrillHistory? drillHistory = null,
            Reprotect.ActiveSideStore? activeSides = null) =>
            new(ReadinessServices.ForConnection(clients, reporter, drillHistory, activeSides));

        public void Dispose() => Aws.Dispose();

        /// <summary>The catalog's view of the readiness services: no second set of clients.</summary>
        sealed class SharedRecoveryPointServices : IRecoveryPointServices
        {
            readonly ReadinessServices _aws;
            public SharedRecoveryPointServices(ReadinessServices aws) => _aws = aws;
            /// <summary>Not used by listing (every list names its region).</summary>
            public string HomeRegion => "";
            public IEc2Service Ec2(string region) => _aws.Ec2(region);
            public IRdsService Rds(string region) => _aws.Rds(region);
            /// <summary>RdsService implements both; a readiness RDS service without cluster calls cannot list cluster snapshots.</summary>
            public IRdsClusterService Clusters(string region) => _aws.Rds(region) as IRdsClusterService
                ?? throw new DrToolsException(ErrorIds.InvalidState, DrErrorCategory.InvalidOperation, $"The RDS service for {region} has no Aurora cluster calls.", region);
            public void Dispose() { }
        }
    }
}
