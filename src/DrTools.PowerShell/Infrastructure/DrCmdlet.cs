using System;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Aws.S3;
using DrTools.Core.Aws.Sns;
using DrTools.Core.Backup;
using DrTools.Core.Backup.Storage;
using DrTools.Core.Connection;
using DrTools.Core.Diagnostics;
using DrTools.Core.Notifications;
using DrTools.Core.Recovery.Engine;

namespace DrTools.PowerShell.Infrastructure
{
    /// <summary>
    /// Base of every DrTools cmdlet: the AWS connection parameters (names and precedence of AWS Tools for
    /// PowerShell), cancellation on Ctrl+C, and the bridge that runs async core work while only the pipeline
    /// thread writes. Derived cmdlets bind parameters, call the core inside <see cref="Run"/>, and write results.
    /// </summary>
    public abstract class DrCmdlet : PSCmdlet, IDisposable
    {
        readonly CancellationTokenSource _stop = new();
        AwsConnection? _connection;
        PipelinePump? _pump;
        readonly RunOutcomes _outcomes = new();

        PipelinePump Pump => _pump ??= new PipelinePump(this);

        /// <summary>
        /// A -JournalPath (where recovery journals and drill history live): s3://bucket/prefix (through this cmdlet's
        /// connection, like a backup repository) or a folder (PowerShell paths resolve against the current location);
        /// null: the local journal folder.
        /// </summary>
        protected RecoveryJournalStore OpenJournals(string? journalPath) => JournalLocations.Open(this, journalPath, () => Connection, Reporter);

        /// <summary>The AWS region, e.g. us-east-1.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(RegionCompleter))]
        public string? Region { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        [Alias("StoredCredentials", "AWSProfileName")]
        [ArgumentCompleter(typeof(ProfileNameCompleter))]
        public string? ProfileName { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        [Alias("AWSProfilesLocation", "ProfilesLocation")]
        public string? ProfileLocation { get; set; }

        /// <summary>
        /// AWSCredentials from DrTools' AWS SDK or another module's (AWS.Tools): typed object so this assembly never
        /// names an SDK type, which would bind the default load context to whatever AWSSDK.Core it holds.
        /// </summary>
        [Parameter]
        public object? Credential { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? AccessKey { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? SecretKey { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? SessionToken { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? EndpointUrl { get; set; }

        /// <summary>
        /// Seconds an AWS request may go without a byte from or to the endpoint (connecting, waiting for the answer, reading
        /// it) before it times out (default 60). Not -TimeoutSec: Set-DrTrafficWeight and Test-DrConnection use that for their own waits.
        /// </summary>
        [Parameter]
        [ValidateRange(1, 3600)]
        public int? RequestTimeoutSec { get; set; }

        /// <summary>Retries of a failed AWS call after the first attempt (default 10 for S3, 2 for other services).</summary>
        [Parameter]
        [ValidateRange(0, 50)]
        public int? MaximumRetryCount { get; set; }

        /// <summary>Cancelled when the user presses Ctrl+C or the pipeline stops.</summary>
        protected CancellationToken CancellationToken => _stop.Token;

        /// <summary>
        /// Reports verbose, warning and progress messages from core code: inside <see cref="Run"/> they are queued
        /// for the pipeline thread, outside it they are written directly.
        /// </summary>
        protected IOperationReporter Reporter => Pump;

        /// <summary>The DR region of the plan a cmdlet works on; the connection uses it when -Region is not given.</summary>
        protected virtual string? PlanRegion => null;

        /// <summary>Lets derived cmdlets add to the request (timeouts, S3 compatibility) before it is resolved.</summary>
        protected virtual void ConfigureConnection(ConnectionRequest request) { }

        /// <summary>The resolved connection; resolving it the first time may end the cmdlet with DrTools.NoRegion etc.</summary>
        protected AwsConnection Connection
        {
            get
            {
                if (_connection != null) return _connection;
                try
                {
                    _connection = ResolveConnection();
                }
                catch (DrToolsException ex)
                {
                    ThrowTerminatingError(ErrorRecords.From(ex));
                }
                return _connection!;
            }
        }

        /// <summary>
        /// The connection when one can be resolved, else null with the reason: for cmdlets that work without AWS and only
        /// add something when it is there (Export-DrReport's caller identity).
        /// </summary>
        protected AwsConnection? TryConnection(out DrToolsException? whyNot)
        {
            whyNot = null;
            if (_connection != null) return _connection;
            try
            {
                return _connection = ResolveConnection();
            }
            catch (DrToolsException ex)
            {
                whyNot = ex;
                return null;
            }
        }

        AwsConnection ResolveConnection(string? region = null)
        {
            var request = new ConnectionRequest
            {
                Region = Region ?? region,
                ProfileName = ProfileName,
                ProfileLocation = ProfileLocation,
                Credential = Credential is PSObject wrapped ? wrapped.BaseObject : Credential,
                AccessKey = AccessKey,
                SecretKey = SecretKey,
                SessionToken = SessionToken,
                EndpointUrl = EndpointUrl,
                PlanRegion = PlanRegion,
                StoredRegion = SessionVariable("StoredAWSRegion") as string,
                StoredCredentials = SessionVariable("StoredAWSCredentials"),
                IdleTimeout = RequestTimeoutSec is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
                MaxErrorRetry = MaximumRetryCount,
                DeferMissingCredentials = WhatIfInEffect(this),
            };
            ConfigureConnection(request);
            var connection = new ConnectionResolver().Resolve(request);
            WriteVerbose($"Region {connection.Region} ({connection.RegionSource}); credentials from {connection.CredentialSource}"
                         + (connection.EndpointUrl != null ? $"; endpoint {connection.EndpointUrl}." : "."));
            return connection;
        }

        object? SessionVariable(string name)
        {
            var value = SessionState.PSVariable.GetValue(name);
            return value is PSObject pso ? pso.BaseObject : value;
        }

        /// <summary>
        /// Runs async core work to completion while pumping its writes on the pipeline thread. A DrTools failure
        /// ends the cmdlet with its ErrorRecord; Ctrl+C ends it as a stopped pipeline.
        /// </summary>
        protected void Run(Func<CancellationToken, Task> work)
        {
            try
            {
                Pump.Run(work, _stop.Token);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
            catch (DrToolsException ex)
            {
                ThrowTerminatingError(ErrorRecords.From(ex));
            }
        }

        // ---------------------------------------------------------------- -NotifyTopicArn

        INotifyingCmdlet? Notifying => this is INotifyingCmdlet n && n.NotifyTopicArn != null ? n : null;

        /// <summary>Names what the alert is about: the plan (subject "DrTools: plan orders FAILING: ...") or, without a plan, a target.</summary>
        protected void NotifyAbout(string? plan, string? target = null)
        {
            if (plan != null) _outcomes.Plan = plan;
            if (target != null) _outcomes.Target = target;
        }

        /// <summary>Something passed (listed in the -NotifyOnSuccess message); safe from worker threads.</summary>
        protected void NoteSuccess(string what) => _outcomes.Passed(new NotificationItem(what));

        /// <summary>Something failed or missed its target without an error record (an RTO missed); safe from worker threads.</summary>
        protected void NoteFailure(string what, string? errorId = null, string? nextStep = null) => _outcomes.Failed(new NotificationItem(what, errorId, nextStep));

        /// <summary>
        /// Sends the run's alert to -NotifyTopicArn, once: when something failed, or with -NotifyOnSuccess when it passed.
        /// A publish that fails is a warning; it never changes the outcome being reported. Call at the end of the run.
        /// </summary>
        protected void SendNotification(Notification? notification = null)
        {
            var n = Notifying;
            if (n == null) return;
            notification ??= _outcomes.TakeNotification(MyInvocation.MyCommand.Name, n.NotifyOnSuccess);
            if (notification == null) return;
            try
            {
                var topic = SnsTopicArn.Parse(n.NotifyTopicArn);
                var connection = _connection ?? ConnectionForTopic(topic);
                Pump.Run(async ct =>
                {
                    using var sns = new SnsPublisher(connection);
                    await new Notifier(sns, topic, Reporter, connection.Redact).PublishAsync(notification, ct).ConfigureAwait(false);
                }, _stop.Token);
            }
            catch (DrToolsException ex)
            {
                WriteWarning($"The notification to {n.NotifyTopicArn} was not sent ({ex.ErrorId}: {ex.Message}). It said: {notification.Subject}");
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                // Ctrl+C: the user stopped the run, and its alert with it.
            }
        }

        /// <summary>
        /// The connection for an alert when the cmdlet made none (its plan could not be read): without any region set,
        /// the topic's own region, so the failure that prevented the work is still reported.
        /// </summary>
        AwsConnection ConnectionForTopic(SnsTopicArn topic)
        {
            try { return ResolveConnection(); }
            catch (DrToolsException ex) when (ex.ErrorId == ErrorIds.NoRegion) { return ResolveConnection(topic.Region); }
        }

        /// <summary>Every error a cmdlet writes is also what its alert reports (-NotifyTopicArn).</summary>
        protected new void WriteError(ErrorRecord errorRecord)
        {
            if (Notifying != null) _outcomes.Failed(RunOutcomes.FromError(errorRecord));
            base.WriteError(errorRecord);
        }

        /// <summary>A terminating error: the alert goes out first (-NotifyTopicArn), then the cmdlet ends.</summary>
        protected new void ThrowTerminatingError(ErrorRecord errorRecord)
        {
            if (Notifying != null)
            {
                _outcomes.Failed(RunOutcomes.FromError(errorRecord));
                SendNotification();
            }
            base.ThrowTerminatingError(errorRecord);
        }

        /// <summary>
        /// For helpers that take any PSCmdlet (PlanInput, BackupPaths): an error written through a DrCmdlet also goes
        /// into its alert (-NotifyTopicArn); PSCmdlet.WriteError itself would bypass the hiding method above.
        /// </summary>
        internal static void WriteErrorOf(PSCmdlet cmdlet, ErrorRecord errorRecord)
        {
            if (cmdlet is DrCmdlet dr) dr.WriteError(errorRecord);
            else cmdlet.WriteError(errorRecord);
        }

        /// <summary>The terminating form of <see cref="WriteErrorOf"/>: the alert goes out before the cmdlet ends.</summary>
        internal static void ThrowTerminatingErrorOf(PSCmdlet cmdlet, ErrorRecord errorRecord)
        {
            if (cmdlet is DrCmdlet dr) dr.ThrowTerminatingError(errorRecord);
            else cmdlet.ThrowTerminatingError(errorRecord);
        }

        /// <summary>
        /// Runs the work for ONE item (a piped plan, backup set, path, recovery point): a DrTools failure is written as
        /// a non-terminating error, so the pipeline goes on with the next item and -ErrorAction applies. Returns false
        /// when the item failed. Ctrl+C still stops the whole pipeline.
        /// </summary>
        protected bool RunItem(Func<CancellationToken, Task> work)
        {
            try
            {
                Pump.Run(work, _stop.Token);
                return true;
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
            catch (DrToolsException ex)
            {
                WriteError(ErrorRecords.From(ex));
                return false;
            }
        }

        /// <summary>
        /// True when -Force was given: it skips the confirmation prompt (also of ConfirmImpact High cmdlets and in
        /// non-interactive hosts), never -WhatIf and never an explicit -Confirm. It never overrides a safety rule.
        /// </summary>
        bool ForceGiven => MyInvocation.BoundParameters.TryGetValue("Force", out var f) && f is SwitchParameter s && s.IsPresent;

        /// <summary>ShouldProcess with the -Force convention of AWS Tools: -Force answers the confirmation itself.</summary>
        protected bool Confirmed(string target, string action) =>
            ConfirmationSkipped(this, ForceGiven) ? true : ShouldProcess(target, action);

        /// <summary>The three-text ShouldProcess (a -WhatIf text, a question, a caption) with the same -Force rule.</summary>
        protected bool Confirmed(string whatIfText, string question, string caption) =>
            ConfirmationSkipped(this, ForceGiven) ? true : ShouldProcess(whatIfText, question, caption);

        /// <summary>
        /// -Force skips the prompt unless -WhatIf is in effect (parameter or $WhatIfPreference) or -Confirm was passed
        /// explicitly; shared with cmdlets that do not derive from DrCmdlet (New-DrPlan).
        /// </summary>
        internal static bool ConfirmationSkipped(PSCmdlet cmdlet, bool force)
        {
            if (!force) return false;
            var bound = cmdlet.MyInvocation.BoundParameters;
            if (bound.TryGetValue("Confirm", out var c) && c is SwitchParameter confirm && confirm.IsPresent) return false;
            if (WhatIfInEffect(cmdlet)) return false;
            cmdlet.WriteVerbose("-Force: not asking for confirmation.");
            return true;
        }

        /// <summary>-WhatIf given, or $WhatIfPreference set (and not -WhatIf:$false).</summary>
        internal static bool WhatIfInEffect(PSCmdlet cmdlet) =>
            cmdlet.MyInvocation.BoundParameters.TryGetValue("WhatIf", out var w) && w is SwitchParameter ws
                ? ws.IsPresent
                : LanguagePrimitives.IsTrue(cmdlet.SessionState.PSVariable.GetValue("WhatIfPreference"));

        /// <summary>Writes an object to the pipeline; safe from worker threads inside <see cref="Run"/>.</summary>
        protected void Emit(object item) => Pump.Output(item);

        /// <summary>Writes a non-terminating DrTools error; safe from worker threads inside <see cref="Run"/>.</summary>
        protected void EmitError(DrToolsException ex)
        {
            var record = ErrorRecords.From(ex);
            if (Notifying != null) _outcomes.Failed(RunOutcomes.FromError(record));
            Pump.Error(record);
        }

        /// <summary>ShouldProcess asked on the pipeline thread, callable from worker threads inside <see cref="Run"/>.</summary>
        protected Task<bool> ShouldProcessAsync(string target, string action) => Pump.AskAsync(() => Confirmed(target, action));

        /// <summary>
        /// Runs <paramref name="call"/> on the pipeline thread (a user's scriptblock, ShouldContinue for an approval)
        /// and hands its answer to the worker; callable from worker threads inside <see cref="Run"/>.
        /// </summary>
        protected Task<bool> OnPipelineThreadAsync(Func<bool> call) => Pump.AskAsync(call);

        /// <summary>Ctrl+C: cancel every in-flight core call. Sealed so no cmdlet can forget it.</summary>
        protected sealed override void StopProcessing()
        {
            _stop.Cancel();
            base.StopProcessing();
        }

        public void Dispose()
        {
            _stop.Dispose();
            GC.SuppressFinalize(this);
        }
    }
}
