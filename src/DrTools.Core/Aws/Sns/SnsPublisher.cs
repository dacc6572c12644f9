using System;
using System.Collections.Generic;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Amazon.Runtime;
using DrTools.Core.Aws.Wire;
using DrTools.Core.Connection;
using DrTools.Core.Diagnostics;

namespace DrTools.Core.Aws.Sns
{
    /// <summary>An SNS topic ARN, arn:&lt;partition&gt;:sns:&lt;region&gt;:&lt;account&gt;:&lt;name&gt;: publishing goes to its region.</summary>
    public sealed class SnsTopicArn
    {
        static readonly Regex Pattern = new(@"^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b|aws-iso-e|aws-iso-f|aws-eusc):sns:([a-z]{2}(-[a-z]+)+-\d+):(\d{12}):([A-Za-z0-9_-]{1,256}(\.fifo)?)$",
            RegexOptions.CultureInvariant);

        SnsTopicArn(string arn, string region, string account, string name)
        {
            Arn = arn; Region = region; Account = account; Name = name;
        }

        public string Arn { get; }
        public string Region { get; }
        public string Account { get; }
        public string Name { get; }
        /// <summary>FIFO topics need a message group id.</summary>
        public bool IsFifo => Name.EndsWith(".fifo", StringComparison.Ordinal);

        /// <summary>Parses <paramref name="arn"/>; DrTools.InvalidParameter (saying what an ARN looks like) when it is none.</summary>
        public static SnsTopicArn Parse(string? arn)
        {
            var m = Pattern.Match(arn?.Trim() ?? "");
            if (!m.Success)
                throw new DrToolsException(ErrorIds.InvalidParameter, DrErrorCategory.InvalidArgument,
                    $"'{arn}' is not an SNS topic ARN.", arn,
                    "Pass the topic's ARN, e.g. arn:aws:sns:us-east-1:123456789012:dr-alerts (aws sns list-topics, or the SNS console).");
            return new SnsTopicArn(m.Value, m.Groups[2].Value, m.Groups[4].Value, m.Groups[5].Value);
        }

        public override string ToString() => Arn;
    }

    /// <summary>Publishes a message to an SNS topic. Tests substitute fakes.</summary>
    public interface ISnsPublisher
    {
        /// <summary>Publishes and returns SNS's message id.</summary>
        Task<string> PublishAsync(SnsTopicArn topic, string subject, string message, CancellationToken cancellationToken);
    }

    /// <summary>
    /// SNS Publish on the Query wire client: the AWSSDK.SimpleNotificationService package the mirror serves (3.7.x) needs
    /// AWSSDK.Core 3.x, not DrTools' 4.x. One client per topic region, with the connection's timeouts and retries.
    /// </summary>
    public sealed class SnsPublisher : ISnsPublisher, IDisposable
    {
        public static readonly WireServiceInfo Service = new("SNS", "sns", "sns", "2010-03-31");
        readonly AwsConnection _connection;
        readonly Dictionary<string, Client> _clients = new(StringComparer.Ordinal);

        public SnsPublisher(AwsConnection connection) => _connection = connection ?? throw new ArgumentNullException(nameof(connection));

        public async Task<string> PublishAsync(SnsTopicArn topic, string subject, string message, CancellationToken cancellationToken)
        {
            if (topic == null) throw new ArgumentNullException(nameof(topic));
            var connection = topic.Region == _connection.Region ? _connection : _connection.ForRegion(topic.Region);
            Client client;
            lock (_clients)
            {
                if (!_clients.TryGetValue(topic.Region, out client!))
                    _clients[topic.Region] = client = new Client(connection.Credentials, AwsClientFactory.Configure(new WireClientConfig(Service), connection));
            }
            var parameters = new List<KeyValuePair<string, string>>
            {
                new("TopicArn", topic.Arn),
                new("Subject", subject),
                new("Message", message),
            };
            if (topic.IsFifo)
            {
                // FIFO topics refuse a message without a group; the id keeps a retried publish from arriving twice.
                parameters.Add(new("MessageGroupId", "drtools"));
                parameters.Add(new("MessageDeduplicationId", Guid.NewGuid().ToString("N")));
            }
            try
            {
                var result = await client.SendAsync("Publish", parameters, cancellationToken).ConfigureAwait(false);
                return result.Element("MessageId")?.Value ?? "";
            }
            catch (Exception ex) when (!AwsErrorMapper.IsCancellation(ex, cancellationToken))
            {
                throw AwsErrorMapper.Map(ex, "SNS", "Publish", $"SNS topic {topic.Arn}", topic.Arn, connection);
            }
        }

        public void Dispose()
        {
            lock (_clients)
            {
                foreach (var c in _clients.Values) c.Dispose();
                _clients.Clear();
            }
        }

        sealed class Client : QueryProtocolClient
        {
            public Client(AWSCredentials credentials, WireClientConfig config) : base(credentials, config) { }
        }
    }
}
