using System.Management.Automation;
using DrTools.Core.Aws.Route53;
using DrTools.Core.Connection;
using DrTools.Core.Plans;
using DrTools.Core.Traffic;
using DrTools.PowerShell.Infrastructure;

namespace DrTools.PowerShell.Cmdlets.Traffic
{
    [Cmdlet(VerbsCommon.Get, "DrTrafficWeight", HelpUri = HelpLinks.Cmdlets + "Get-DrTrafficWeight.md", DefaultParameterSetName = RecordSet)]
    [OutputType(typeof(TrafficWeight))]
    public sealed class GetDrTrafficWeightCommand : DrCmdlet
    {
        const string RecordSet = "Record";
        const string PlanSet = "Plan";

        /// <summary>A DR plan: the weights of every weighted record in its DNS section.</summary>
        [Parameter(Mandatory = true, ParameterSetName = PlanSet)]
        [ValidateNotNull]
        [ArgumentCompleter(typeof(PlanFileCompleter))]
        public object? Plan { get; set; }

        DrPlan? _plan;

        protected override void BeginProcessing()
        {
            if (ParameterSetName == PlanSet) _plan = PlanInput.Resolve(this, Plan);
        }

        protected override string? PlanRegion => _plan?.DrRegion;

        /// <summary>Route 53 is global: without -Plan and without any region set, its home region us-east-1 serves.</summary>
        protected override void ConfigureConnection(ConnectionRequest request)
        {
            if (_plan == null) request.GlobalServiceRegion = "us-east-1";
        }

        /// <summary>The hosted zone id (Z...) or name (example.com).</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = RecordSet)]
        [Alias("ZoneId")]
        [ValidateNotNullOrEmpty]
        public string HostedZone { get; set; } = "";

        [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true, ParameterSetName = RecordSet)]
        [ValidateNotNullOrEmpty]
        public string RecordName { get; set; } = "";

        [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = RecordSet)]
        [ValidateNotNullOrEmpty]
        public string? RecordType { get; set; }

        protected override void ProcessRecord()
        {
            using var route53 = new Route53Service(new AwsClientFactory(Connection), Reporter);
            var traffic = new TrafficService(route53, Reporter);
            var targets = _plan != null ? TrafficTargets.FromPlan(_plan) : new[] { new TrafficTarget(HostedZone, RecordName, RecordType) };
            // Each record (piped, or one of the plan's) is one item: one missing record does not hide the others.
            foreach (var target in targets)
                RunItem(async ct =>
                {
                    foreach (var weight in await traffic.GetWeightsAsync(target.Zone, target.RecordName, target.RecordType, ct).ConfigureAwait(false))
                        Emit(weight);
                });
        }
    }
}
