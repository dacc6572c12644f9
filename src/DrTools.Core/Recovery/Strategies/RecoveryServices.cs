using System;
using System.Linq;
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
        /// <summary>RDS in any region (re-protect creates a replica back in the primary region or a third one); null: only Rds and PrimaryRds.</summary>
        public Func<string, IRdsService>? RdsIn { get; init; }
        /// <summary>Aurora (DB clusters, global databases) in the DR region; null when the caller built no cluster service.</summary>
        public IRdsClusterService? Clusters { get; init; }
        /// <summary>Aurora in any region; null: only <see cref="Clusters"/>.</summary>
        public Func<string, IRdsClusterService>? ClustersIn { get; init; }

        /// <summary>Services Create made for other regions on demand (RdsIn, ClustersIn), disposed with this object.</summary>
        internal System.Collections.Concurrent.ConcurrentDictionary<string, object>? PerRegion { get; init; }

        internal IAutoScalingService AutoScalingFor(string? region) =>
            string.IsNullOrEmpty(region) || region == AutoScaling.Region || AutoScalingIn == null ? AutoScaling : AutoScalingIn(region!);

        /// <summary>RDS in <paramref name="region"/>: the DR or primary service when it is theirs, else one from <see cref="RdsIn"/>.</summary>
        /// <exception cref="InvalidOperationException">No service for that region was given (a wiring error, not a user error).</exception>
        internal IRdsService RdsFor(string region)
        {
            if (region == Rds.Region) return Rds;
            if (PrimaryRds != null && region == PrimaryRds.Region) return PrimaryRds;
            return RdsIn?.Invoke(region) ?? throw new InvalidOperationException($"No RDS service for region {region}.");
        }

        /// <summary>Aurora in <paramref name="region"/>.</summary>
        /// <exception cref="InvalidOperationException">No service for that region was given (a wiring error, not a user error).</exception>
        internal IRdsClusterService ClustersFor(string region)
        {
            if (Clusters != null && region == Clusters.Region) return Clusters;
            return ClustersIn?.Invoke(region) ?? throw new InvalidOperationException($"No Aurora service for region {region}.");
        }

        /// <summary>Real services for the plan: its DR region (and primary region for the primary database) with one identity.</summary>
        public static RecoveryServices Create(IAwsClientFactory clients, DrPlan plan, IOperationReporter? reporter = null)
        {
            if (clients == null) throw new ArgumentNullException(nameof(clients));
            if (plan == null) throw new ArgumentNullException(nameof(plan));
            var primaryRegion = plan.Resources.Database?.PrimaryRegion ?? plan.PrimaryRegion;
            var drRds = RdsService.Create(clients, plan.DrRegion);
            var perRegion = new System.Collections.Concurrent.ConcurrentDictionary<string, object>(StringComparer.Ordinal);
            return new RecoveryServices
            {
                Ec2 = new Ec2Service(clients, plan.DrRegion, reporter),
                Rds = drRds,
                Clusters = drRds,
                AutoScaling = AutoScalingService.Create(clients, plan.DrRegion),
                Route53 = new Route53Service(clients, reporter),
                ReplicaLag = new CloudWatchReplicaLag(clients),
                PrimaryRds = primaryRegion != null ? RdsService.Create(clients, primaryRegion) : null,
                AutoScalingIn = region => AutoScalingService.Create(clients, region),
                RdsIn = region => (IRdsService)perRegion.GetOrAdd("rds:" + region, _ => RdsService.Create(clients, region)),
                ClustersIn = region => (IRdsClusterService)perRegion.GetOrAdd("rds:" + region, _ => RdsService.Create(clients, region)),
                PerRegion = perRegion,
            };
        }

        public void Dispose()
        {
            foreach (var s in new object?[] { Ec2, Rds, AutoScaling, Route53, PrimaryRds, Clusters }.Distinct()) (s as IDisposable)?.Dispose();
            if (PerRegion != null) foreach (var s in PerRegion.Values) (s as IDisposable)?.Dispose();
        }
    }
}
