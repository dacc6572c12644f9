using System;
using DrTools.Core.Aws.AutoScaling;
using DrTools.Core.Aws.Ec2;
using DrTools.Core.Aws.Rds;
using DrTools.Core.Aws.Route53;
using DrTools.Core.Connection;
using DrTools.Core.Diagnostics;
using DrTools.Core.Plans;
using DrTools.Core.Recovery.Steps;

namespace DrTools.Core.Recovery.Strategies
{
    /// <summary>The AWS services the steps of one plan use: EC2/RDS/Auto Scaling in the DR region, Route 53, replica lag.</summary>
    public sealed class RecoveryServices : IDisposable
    {
        public IEc2Service Ec2 { get; init; } = null!;
        public IRdsService Rds { get; init; } = null!;
        public IAutoScalingService AutoScaling { get; init; } = null!;
        public IRoute53Service Route53 { get; init; } = null!;
        public IReplicaLagSource ReplicaLag { get; init; } = null!;
        /// <summary>RDS in the primary region (failback checks the primary database); null when the plan has no primary region.</summary>
        public IRdsService? PrimaryRds { get; init; }
        /// <summary>Auto Scaling for a group outside the DR region (autoScalingGroups[].region); null: every group is in the DR region.</summary>
        public Func<string, IAutoScalingService>? AutoScalingIn { get; init; }

        internal IAutoScalingService AutoScalingFor(string? region) =>
            string.IsNullOrEmpty(region) || region == AutoScaling.Region || AutoScalingIn == null ? AutoScaling : AutoScalingIn(region!);

        /// <summary>Real services for the plan: its DR region (and primary region for the primary database) with one identity.</summary>
        public static RecoveryServices Create(IAwsClientFactory clients, DrPlan plan, IOperationReporter? reporter = null)
        {
            if (clients == null) throw new ArgumentNullException(nameof(clients));
            if (plan == null) throw new ArgumentNullException(nameof(plan));
            var primaryRegion = plan.Resources.Database?.PrimaryRegion ?? plan.PrimaryRegion;
            return new RecoveryServices
            {
                Ec2 = new Ec2Service(clients, plan.DrRegion, reporter),
                Rds = RdsService.Create(clients, plan.DrRegion),
                AutoScaling = AutoScalingService.Create(clients, plan.DrRegion),
                Route53 = new Route53Service(clients, reporter),
                ReplicaLag = new CloudWatchReplicaLag(clients),
                PrimaryRds = primaryRegion != null ? RdsService.Create(clients, primaryRegion) : null,
                AutoScalingIn = region => AutoScalingService.Create(clients, region),
            };
        }

        public void Dispose()
        {
            foreach (var s in new object?[] { Ec2, Rds, AutoScaling, Route53, PrimaryRds }) (s as IDisposable)?.Dispose();
        }
    }
}
