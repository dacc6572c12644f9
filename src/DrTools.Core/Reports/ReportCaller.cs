using System;
using System.Threading;
using System.Threading.Tasks;
using Amazon.SecurityToken.Model;
using DrTools.Core.Connection;
using DrTools.Core.Diagnostics;

namespace DrTools.Core.Reports
{
    /// <summary>Who runs the report, as AWS sees it: STS GetCallerIdentity through the connection, never waiting long.</summary>
    public static class ReportCaller
    {
        /// <summary>How long the identity may take in all: a report on an air-gapped box must not wait for AWS.</summary>
        public static readonly TimeSpan Limit = TimeSpan.FromSeconds(15);

        /// <summary>
        /// Puts the caller's account, ARN and user id into <paramref name="options"/>; on any failure adds a note instead (a
        /// report is still worth writing without it). The note has no secret: mapped errors redact the connection's.
        /// </summary>
        public static async Task FillAsync(IAwsClientFactory clients, ReportOptions options, CancellationToken cancellationToken)
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(Limit);
            var c = clients.Connection;
            try
            {
                using var sts = clients.Sts();
                var identity = await sts.GetCallerIdentityAsync(new GetCallerIdentityRequest(), limit.Token).ConfigureAwait(false);
                options.Account = identity.Account;
                options.Arn = identity.Arn;
                options.UserId = identity.UserId;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                var reason = ex is OperationCanceledException
                    ? $"no answer within {Limit.TotalSeconds:0} s"
                    : AwsErrorMapper.Map(ex, "STS", "GetCallerIdentity", "the caller identity", c.EndpointUrl?.ToString() ?? c.Region, c).Message;
                options.Notes.Add("The AWS caller identity could not be read (" + c.Redact(reason) + ").");
            }
        }
    }
}
