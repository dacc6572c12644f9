using System;
using System.Collections.Generic;
using DrTools.Core.Aws.Ec2;
using DrTools.Core.Aws.Rds;
using DrTools.Core.Connection;
using DrTools.Core.Diagnostics;

namespace DrTools.Core.RecoveryPoints
{
    /// <summary>The regional EC2 and RDS services recovery points work with (source region and DR region). Tests substitute fakes.</summary>
    public interface IRecoveryPointServices : IDisposable
    {
        /// <summary>The region of the connection: where servers and databases are backed up.</summary>
        string HomeRegion { get; }
        IEc2Service Ec2(string region);
        IRdsService Rds(string region);
        /// <summary>Aurora DB clusters and their snapshots in <paramref name="region"/> (tags through <see cref="Rds"/>).</summary>
        IRdsClusterService Clusters(string region);
    }

    /// <summary><see cref="IRecoveryPointServices"/> on the real AWS services, one per region, created on first use.</summary>
    public sealed class AwsRecoveryPointServices : IRecoveryPointServices
    {
        readonly IAwsClientFactory _clients;
        readonly IOperationReporter _reporter;
        readonly Dictionary<string, IEc2Service> _ec2 = new(StringComparer.Ordinal);
        readonly Dictionary<string, RdsService> _rds = new(StringComparer.Ordinal);

        public AwsRecoveryPointServices(IAwsClientFactory clients, IOperationReporter? reporter = null)
        {
            _clients = clients;
            _reporter = reporter ?? NullReporter.Instance;
        }

        public string HomeRegion => _clients.Connection.Region;

        public IEc2Service Ec2(string region)
        {
            lock (_ec2)
            {
                if (!_ec2.TryGetValue(region, out var s)) _ec2[region] = s = new Ec2Service(_clients, region, _reporter);
                return s;
            }
        }

        public IRdsService Rds(string region)
        {
            lock (_rds)
            {
                if (!_rds.TryGetValue(region, out var s)) _rds[region] = s = RdsService.Create(_clients, region);
                return s;
            }
        }

        /// <summary>The same client as <see cref="Rds"/>: RdsService implements both.</summary>
        public IRdsClusterService Clusters(string region) => (RdsService)Rds(region);

        public void Dispose()
        {
            lock (_ec2) { foreach (var s in _ec2.Values) s.Dispose(); _ec2.Clear(); }
            lock (_rds) { foreach (var s in _rds.Values) s.Dispose(); _rds.Clear(); }
        }
    }
}
