using System;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Aws.Sns;
using DrTools.Core.Diagnostics;

namespace DrTools.Core.Notifications
{
    /// <summary>
    /// Sends <see cref="Notification"/>s to one SNS topic (-NotifyTopicArn). A failed publish is a warning, never an
    /// error: the outcome being reported must stand. Every text is redacted (the connection's secrets) before it leaves.
    /// </summary>
    public sealed class Notifier
    {
        /// <summary>A publish that takes longer than this (retries included) is given up with a warning.</summary>
        public static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(2);

        readonly ISnsPublisher _publisher;
        readonly IOperationReporter _reporter;
        readonly Func<string, string> _redact;

        public Notifier(ISnsPublisher publisher, SnsTopicArn topic, IOperationReporter? reporter = null, Func<string, string>? redact = null)
        {
            _publisher = publisher ?? throw new ArgumentNullException(nameof(publisher));
            Topic = topic ?? throw new ArgumentNullException(nameof(topic));
            _reporter = reporter ?? NullReporter.Instance;
            _redact = redact ?? (s => s);
        }

        public SnsTopicArn Topic { get; }

        /// <summary>Publishes <paramref name="notification"/>; returns the SNS message id, or null (with a warning) when it could not be sent.</summary>
        public async Task<string?> PublishAsync(Notification notification, CancellationToken cancellationToken)
        {
            if (notification == null) throw new ArgumentNullException(nameof(notification));
            var subject = _redact(notification.Subject);
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(PublishTimeout);
            try
            {
                var id = await _publisher.PublishAsync(Topic, subject, _redact(notification.Body), limit.Token).ConfigureAwait(false);
                _reporter.Verbose($"Notification sent to {Topic.Arn} (message id {id}): {subject}");
                return id;
            }
            catch (DrToolsException ex)
            {
                _reporter.Warning($"The notification to {Topic.Arn} was not sent ({ex.ErrorId}: {ex.Message}). It said: {subject}");
                return null;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                _reporter.Warning($"The notification to {Topic.Arn} was not sent: SNS did not answer within {PublishTimeout.TotalSeconds:0} s. It said: {subject}");
                return null;
            }
        }
    }
}
