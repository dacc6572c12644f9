using System.Management.Automation;
using DrTools.Core.Aws.Route53;
using DrTools.Core.Connection;
using DrTools.Core.Traffic;
using DrTools.PowerShell.Infrastructure;

namespace DrTools.PowerShell.Cmdlets
{
    [Cmdlet(VerbsCommon.Get, "DrTrafficWeight")]
    [OutputType(typeof(TrafficWeight))]
    public sealed class GetDrTrafficWeightCommand : DrCmdlet
    {
        /// <summary>The hosted zone id (Z...) or name (example.com).</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("ZoneId")]
        [ValidateNotNullOrEmpty]
        public string HostedZone { get; set; } = "";

        [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string RecordName { get; set; } = "";

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string? RecordType { get; set; }

        protected override void ProcessRecord()
        {
            using var route53 = new Route53Service(new AwsClientFactory(Connection), Reporter);
            var traffic = new TrafficService(route53, Reporter);
            Run(async ct =>
            {
                foreach (var weight in await traffic.GetWeightsAsync(HostedZone, RecordName, RecordType, ct).ConfigureAwait(false))
                    Emit(weight);
            });
        }
    }
}
