using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using DrTools.Core.Aws.Route53;
using DrTools.Core.Connection;
using DrTools.Core.Diagnostics;
using DrTools.Core.Plans;
using DrTools.Core.Traffic;
using DrTools.PowerShell.Infrastructure;

namespace DrTools.PowerShell.Cmdlets.Traffic
{
    /// <summary>
    /// Re-weights the sites of a weighted record in one atomic Route 53 batch. Piped objects are collected and each
    /// distinct record is changed once, in EndProcessing, so piping every site of a record still makes ONE change.
    /// </summary>
    [Cmdlet(VerbsCommon.Set, "DrTrafficWeight", HelpUri = HelpLinks.Cmdlets + "Set-DrTrafficWeight.md", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High,
        DefaultParameterSetName = RecordSet)]
    [OutputType(typeof(TrafficChangeResult))]
    public sealed class SetDrTrafficWeightCommand : DrCmdlet
    {
        const string RecordSet = "Record";
        const string PlanSet = "Plan";

        /// <summary>A DR plan: every weighted record in its DNS section is re-weighted, each in its own atomic batch.</summary>
        [Parameter(Mandatory = true, ParameterSetName = PlanSet)]
        [ValidateNotNull]
        [ArgumentCompleter(typeof(PlanFileCompleter))]
        public object? Plan { get; set; }

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

        /// <summary>Site (SetIdentifier) -> new weight 0..255; sites not named keep their weight.</summary>
        [Parameter(Mandatory = true)]
        [ValidateNotNull]
        public Hashtable Weight { get; set; } = new();

        /// <summary>Apply a change the safety rules refuse (every site at 0, traffic to a site whose health check fails).</summary>
        [Parameter]
        public SwitchParameter OverrideSafety { get; set; }

        /// <summary>Skips the confirmation prompt (ConfirmImpact High); never overrides a safety rule.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        [Parameter]
        public SwitchParameter NoWait { get; set; }

        [Parameter]
        [ValidateRange(1, 3600)]
        public int TimeoutSec { get; set; } = (int)TrafficService.DefaultInSyncTimeout.TotalSeconds;

        readonly List<(string Zone, string Record, string? Type)> _targets = new();

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

        protected override void ProcessRecord()
        {
            if (_plan != null)
            {
                var targets = TrafficTargets.FromPlan(_plan);
                if (targets.Count == 0)
                    ThrowTerminatingError(ErrorRecords.InvalidArgument(ErrorIds.InvalidParameter,
                        $"The plan '{_plan.Name}' has no WEIGHTED DNS records to re-weight.", _plan.Name,
                        "Use -HostedZone and -RecordName, or add the weighted records to the plan's resources.dns section."));
                foreach (var t in targets)
                    if (!_targets.Any(x => Same(x, (t.Zone, t.RecordName, t.RecordType)))) _targets.Add((t.Zone, t.RecordName, t.RecordType));
                return;
            }
            var key = (HostedZone, RecordName, RecordType);
            if (!_targets.Any(t => Same(t, key))) _targets.Add(key);
        }

        static bool Same((string Zone, string Record, string? Type) a, (string Zone, string Record, string? Type) b) =>
            string.Equals(Route53Names.StripId(a.Zone), Route53Names.StripId(b.Zone), StringComparison.OrdinalIgnoreCase) &&
            Route53Names.SameName(a.Record, b.Record) && string.Equals(a.Type, b.Type, StringComparison.OrdinalIgnoreCase);

        protected override void EndProcessing()
        {
            var weights = Weights();
            using var route53 = new Route53Service(new AwsClientFactory(Connection), Reporter);
            var traffic = new TrafficService(route53, Reporter);
            foreach (var (zone, record, type) in _targets)
                Change(traffic, zone, record, new TrafficChangeOptions { RecordType = type, OverrideSafety = OverrideSafety.IsPresent }, weights);
        }

        /// <summary>Plans, asks once for the whole batch, applies. A later -Plan parameter set only has to supply zone, record and weights.</summary>
        void Change(TrafficService traffic, string zone, string record, TrafficChangeOptions options, IDictionary<string, int> weights)
        {
            TrafficChangePlan? plan = null;
            Run(async ct => plan = await traffic.PlanChangeAsync(zone, record, weights, options, ct).ConfigureAwait(false));
            if (plan == null) return;

            var text = plan.Describe();
            if (!plan.HasChanges)
            {
                WriteVerbose(text);
                WriteObject(new TrafficChangeResult
                {
                    Zone = plan.Zone, ZoneId = plan.ZoneId, RecordName = plan.RecordName, RecordType = plan.RecordType, Status = "NoChange",
                    Sites = plan.Sites,
                    Before = plan.Sites.ToDictionary(s => s.Site, s => s.Before),
                    After = plan.Sites.ToDictionary(s => s.Site, s => s.After),
                });
                return;
            }
            // ShouldProcess on the pipeline thread: -WhatIf prints the plan, -Confirm asks once for the batch.
            if (!Confirmed("Set traffic weights. " + text,
                    text + "\nApply this change?",
                    $"Set-DrTrafficWeight {plan.RecordName} {plan.RecordType}"))
                return;

            Run(async ct => Emit(await traffic.ApplyAsync(plan, !NoWait.IsPresent, TimeSpan.FromSeconds(TimeoutSec), ct).ConfigureAwait(false)));
        }

        /// <summary>The -Weight hashtable as site -> int; a value that is not a whole number ends the cmdlet before anything is read.</summary>
        IDictionary<string, int> Weights()
        {
            var result = new Dictionary<string, int>(StringComparer.Ordinal);
            var bad = new List<string>();
            foreach (DictionaryEntry e in Weight)
            {
                var site = LanguagePrimitives.ConvertTo<string>(e.Key);
                var raw = e.Value is PSObject pso ? pso.BaseObject : e.Value;
                if (raw is int or long or short or byte or sbyte or uint or ushort or ulong || raw is string)
                {
                    try { result[site] = LanguagePrimitives.ConvertTo<int>(raw); continue; }
                    catch (PSInvalidCastException) { }
                }
                else if (raw is double or float or decimal && LanguagePrimitives.ConvertTo<decimal>(raw) is var d && d == decimal.Truncate(d) && d >= int.MinValue && d <= int.MaxValue)
                {
                    result[site] = (int)d;
                    continue;
                }
                bad.Add($"'{site}' = '{raw}'");
            }
            if (bad.Count > 0)
                ThrowTerminatingError(ErrorRecords.InvalidArgument(ErrorIds.InvalidParameter,
                    $"-Weight values must be whole numbers 0..255: {string.Join(", ", bad)}.", Weight,
                    "Pass -Weight @{ site = weight }, e.g. @{ onprem = 0; aws = 100 }. Nothing was changed."));
            return result;
        }
    }
}
