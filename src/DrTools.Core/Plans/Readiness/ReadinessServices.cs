using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Aws.AutoScaling;
using DrTools.Core.Aws.CloudWatch;
using DrTools.Core.Aws.Ec2;
using DrTools.Core.Aws.Rds;
using DrTools.Core.Aws.Route53;
using DrTools.Core.Aws.ServiceQuotas;
using DrTools.Core.Connection;
using DrTools.Core.Diagnostics;
using DrTools.Core.Drills;
using DrTools.Core.Recovery.Steps;
using DrTools.Core.Reprotect;

namespace DrTools.Core.Plans.Readiness
{
    /// <summary>
    /// The AWS services a readiness check reads, per region (Auto Scaling groups may name their own region).
    /// Each service is created once per region and disposed with this object. Tests pass in-memory fakes.
    /// </summary>
    public sealed class ReadinessServices : IDisposable
    {
        readonly Func<string, IEc2Service> _ec2;
        readonly Func<string, IRdsService> _rds;
        readonly Func<string, IAutoScalingService> _autoScaling;
        readonly Func<IRoute53Service> _route53;
        readonly Func<string, IServiceQuotasService>? _serviceQuotas;
        readonly Func<string, ICloudWatchAlarms>? _cloudWatch;
        readonly Dictionary<(string, string), object> _created = new();
        IRoute53Service? _route53Instance;

        /// <param name="cloudWatch">CloudWatch alarms per region, for plans with drill.stopAlarms; null: those checks say they cannot run.</param>
        /// <param name="drillHistory">Where drill results are kept (-JournalPath), for plans with drill.maxAge; null: the LastDrill check is left out.</param>
        public ReadinessServices(Func<string, IEc2Service> ec2, Func<string, IRdsService> rds, Func<string, IAutoScalingService> autoScaling,
            Func<IRoute53Service> route53, Func<string, IServiceQuotasService>? serviceQuotas = null, IReplicaLagSource? replicaLag = null,
            Func<string, ICloudWatchAlarms>? cloudWatch = null, DrillHistory? drillHistory = null)
        {
            _cloudWatch = cloudWatch;
            DrillHistory = drillHistory;
            _ec2 = ec2 ?? throw new ArgumentNullException(nameof(ec2));
            _rds = rds ?? throw new ArgumentNullException(nameof(rds));
            _autoScaling = autoScaling ?? throw new ArgumentNullException(nameof(autoScaling));
            _route53 = route53 ?? throw new ArgumentNullException(nameof(route53));
            _serviceQuotas = serviceQuotas;
            ReplicaLag = replicaLag;
        }

        /// <summary>Where drill results are kept; null: the LastDrill check is left out.</summary>
        public DrillHistory? DrillHistory { get; }

        /// <summary>
        /// Where the plans' active side records are (-JournalPath); null: the Protection check is left out and the database
        /// checks use the plan's static ids.
        /// </summary>
        public ActiveSideStore? ActiveSides { get; init; }

        readonly Dictionary<string, Task<ActiveSide?>> _activeSides = new(StringComparer.Ordinal);

        /// <summary>The plan's active side record, read once per plan and shared by the readiness checks and the status rows; null without a store or record.</summary>
        /// <exception cref="DrToolsException">DrTools.JournalError when the record cannot be read.</exception>
        public Task<ActiveSide?> ActiveSideOfAsync(string plan, CancellationToken cancellationToken)
        {
            if (ActiveSides == null) return Task.FromResult<ActiveSide?>(null);
            lock (_activeSides)
            {
                if (!_activeSides.TryGetValue(plan, out var task)) _activeSides[plan] = task = ActiveSides.LoadAsync(plan, cancellationToken);
                return task;
            }
        }

        /// <summary>Where replica lag is read (CloudWatch); null: the ReplicaLag check is left out.</summary>
        public IReplicaLagSource? ReplicaLag { get; }

        /// <summary>Service Quotas in a region; null when not available (the quota check then uses EC2's account attributes).</summary>
        public IServiceQuotasService? ServiceQuotas(string region) => _serviceQuotas == null ? null : Get("servicequotas", region, _serviceQuotas);

        /// <summary>The real services for the identity of <paramref name="clients"/>, in whatever region each check needs.</summary>
        /// <param name="drillHistory">The drill history (-JournalPath) for the LastDrill check; null: left out.</param>
        /// <param name="activeSides">The active side records (-JournalPath) for the Protection check and the database checks; null: static ids.</param>
        public static ReadinessServices ForConnection(IAwsClientFactory clients, IOperationReporter? reporter = null, DrillHistory? drillHistory = null,
            ActiveSideStore? activeSides = null) => new(
            region => new Ec2Service(clients, region, reporter),
            region => RdsService.Create(clients, region),
            region => AutoScalingService.Create(clients, region),
            () => new Route53Service(clients, reporter),
            region => ServiceQuotasService.Create(clients, region),
            new CloudWatchReplicaLag(clients),
            region => CloudWatchService.Create(clients, region),
            drillHistory) { ActiveSides = activeSides };

        /// <summary>Aurora per region; null: the RDS service of the region when it is also an Aurora one (RdsService is).</summary>
        public Func<string, IRdsClusterService>? ClustersIn { get; init; }

        /// <summary>Aurora (DB clusters, global databases) in a region; null when these services have none.</summary>
        public IRdsClusterService? Clusters(string region) => ClustersIn != null ? Get("rds-clusters", region, ClustersIn) : Rds(region) as IRdsClusterService;

        public IEc2Service Ec2(string region) => Get("ec2", region, _ec2);
        public IRdsService Rds(string region) => Get("rds", region, _rds);
        public IAutoScalingService AutoScaling(string region) => Get("autoscaling", region, _autoScaling);

        /// <summary>Null when these services were made without CloudWatch.</summary>
        public ICloudWatchAlarms? CloudWatch(string region) => _cloudWatch == null ? null : Get("cloudwatch", region, _cloudWatch);

        /// <summary>Route 53 is global.</summary>
        public IRoute53Service Route53()
        {
            lock (_created) return _route53Instance ??= _route53();
        }

        T Get<T>(string service, string region, Func<string, T> create) where T : class
        {
            lock (_created)
            {
                if (!_created.TryGetValue((service, region), out var s)) _created[(service, region)] = s = create(region);
                return (T)s;
            }
        }

        public void Dispose()
        {
            lock (_created)
            {
                foreach (var s in _created.Values) (s as IDisposable)?.Dispose();
                (_route53Instance as IDisposable)?.Dispose();
                _created.Clear();
                _route53Instance = null;
            }
        }
    }
}
