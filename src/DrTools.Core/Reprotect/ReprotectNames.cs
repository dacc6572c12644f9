using System;
using System.Collections.Generic;
using System.Linq;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using DrTools.Core.Aws.Rds;
using DrTools.Core.Diagnostics;

namespace DrTools.Core.Reprotect
{
    /// <summary>
    /// The names a re-protect gives what it creates or renames. They derive from the run id (which starts with the
    /// run's start time), so every attempt of one run, and -Resume after a crash, uses the same names.
    /// </summary>
    public static class ReprotectNames
    {
        /// <summary>yyyyMMddHHmm of the run start (run ids begin with yyyyMMddTHHmmssZ); another run id: 8 hex digits of its hash.</summary>
        public static string Stamp(string runId)
        {
            if (runId != null && runId.Length >= 16 &&
                DateTime.TryParseExact(runId.Substring(0, 16), "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture,
                    DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var started))
                return started.ToString("yyyyMMddHHmm", CultureInfo.InvariantCulture);
            using var sha = SHA256.Create();
            var hash = sha.ComputeHash(Encoding.UTF8.GetBytes(runId ?? ""));
            var sb = new StringBuilder(8);
            for (var i = 0; i < 4; i++) sb.Append(hash[i].ToString("x2", CultureInfo.InvariantCulture));
            return sb.ToString();
        }

        /// <summary>
        /// The new name of the instance that held <paramref name="instanceId"/>: &lt;id&gt;-old-&lt;stamp&gt;, cut to the
        /// 63 characters RDS allows (the id part is shortened, never the stamp).
        /// </summary>
        public static string SetAsideId(string instanceId, string runId) => Fit(instanceId, "-old-" + Stamp(runId), 63);

        /// <summary>The first snapshot of the protected writer (and of its copy in the replica's region): &lt;writer&gt;-reprotect-&lt;stamp&gt;.</summary>
        public static string SnapshotId(string writerId, string runId) => Fit(writerId, "-reprotect-" + Stamp(runId), 255);

        static string Fit(string id, string suffix, int max)
        {
            var head = id.Length + suffix.Length > max ? id.Substring(0, Math.Max(1, max - suffix.Length)) : id;
            return head.TrimEnd('-') + suffix;
        }

        /// <summary>
        /// Whether <paramref name="db"/> is a read replica of the writer: its source is the writer's ARN (cross-region),
        /// an ARN naming the writer's region and id, or the writer's id.
        /// </summary>
        public static bool IsReplicaOf(DbInstance db, DatabaseLocation writer, string? writerArn = null)
        {
            var source = db.ReadReplicaSource;
            if (string.IsNullOrEmpty(source)) return false;
            if (writerArn != null && string.Equals(source, writerArn, StringComparison.Ordinal)) return true;
            if (source!.StartsWith("arn:", StringComparison.Ordinal))
            {
                // arn:aws:rds:<region>:<account>:db:<id>
                var parts = source.Split(':');
                return parts.Length >= 7 && parts[3] == writer.Region && parts[5] == "db" && string.Equals(parts[6], writer.Id, StringComparison.OrdinalIgnoreCase);
            }
            return string.Equals(source, writer.Id, StringComparison.OrdinalIgnoreCase);
        }

        /// <summary>The ARN of a snapshot of <paramref name="instance"/>, from the instance's ARN (when DescribeDBSnapshots gave none).</summary>
        internal static string? SnapshotArn(DbInstance instance, string snapshotId)
        {
            var arn = instance.Arn;
            if (arn == null) return null;
            var i = arn.LastIndexOf(":db:", StringComparison.Ordinal);
            return i < 0 ? null : arn.Substring(0, i) + ":snapshot:" + snapshotId;
        }

        /// <summary>
        /// The run tags with DrTools:Plan set to the plan itself: a re-protect (and a failback) runs under its own run
        /// name ("orders.reprotect"), but what it creates belongs to the plan.
        /// </summary>
        internal static Dictionary<string, string> Tags(Recovery.Engine.StepContext context, string? plan, string role)
        {
            var tags = Recovery.Steps.RecoveryStepBase.RunTags(context, role).ToDictionary(kv => kv.Key, kv => kv.Value);
            if (plan != null) tags[Recovery.Steps.RecoveryStepBase.TagPlan] = plan;
            return tags;
        }

        /// <summary>The writer instance; DrTools.NotFound with what to check when it does not exist.</summary>
        internal static async Task<DbInstance> FindWriterAsync(IRdsService rds, DatabaseLocation writer, CancellationToken ct) =>
            await rds.FindDBInstanceAsync(writer.Id, ct).ConfigureAwait(false)
            ?? throw new DrToolsException(ErrorIds.NotFound, DrErrorCategory.ObjectNotFound,
                $"The database to protect, {writer.Id}, does not exist in {writer.Region}.", writer.Id,
                "Check which side is active (Get-DrStatus) and the plan's database ids; the active side record names the writer.");
    }
}
