using System;
using System.Linq;
using DrTools.Core.Backup;
using DrTools.Core.Diagnostics;

namespace DrTools.Core.RecoveryPoints
{
    /// <summary>Error ids of recovery points (runbooks match on these).</summary>
    public static class RecoveryPointErrorIds
    {
        /// <summary>The DR region answered as an opt-in region the account has not enabled.</summary>
        public const string RegionNotEnabled = "DrTools.RegionNotEnabled";
        /// <summary>The KMS key for the copy is missing, disabled or not usable in the target region.</summary>
        public const string KmsKeyNotUsable = "DrTools.KmsKeyNotUsable";
        /// <summary>The recovery point exists in the source region but its copy to the DR region failed.</summary>
        public const string CopyFailed = "DrTools.CopyFailed";
        /// <summary>Remove-DrBackup refuses resources that DrTools did not create.</summary>
        public const string NotCreatedByDrTools = "DrTools.NotCreatedByDrTools";
        public const string RecoveryPointNotFound = "DrTools.RecoveryPointNotFound";
        /// <summary>A point-in-time restore asked for a time outside the automated backups' restorable window.</summary>
        public const string PointInTimeOutsideWindow = "DrTools.PointInTimeOutsideWindow";
        /// <summary>No automated backups of the DB instance in the region (backups off, or not replicated there).</summary>
        public const string NoAutomatedBackups = "DrTools.NoAutomatedBackups";
    }

    internal static class RecoveryPointErrors
    {
        // Codes an opt-in region that is not enabled answers with (EC2: OptInRequired/AuthFailure; JSON services: UnrecognizedClientException).
        static readonly string[] OptInCodes = { "OptInRequired", "AuthFailure", "UnrecognizedClientException", "InvalidClientTokenId" };

        public static DrToolsException SourceNotFound(string what, string id, string region, Exception? inner = null) =>
            new(BackupErrorIds.SourceNotFound, DrErrorCategory.ObjectNotFound,
                $"{what} {id} does not exist in region {region}.", id,
                $"Check the id. A {what.ToLowerInvariant()} is backed up in the region it runs in: if {id} runs in another region, pass -Region with that region.", inner);

        public static DrToolsException NotFound(RecoveryPointKind kind, string id, string region) =>
            new(RecoveryPointErrorIds.RecoveryPointNotFound, DrErrorCategory.ObjectNotFound,
                $"{Describe(kind)} {id} does not exist in region {region}.", id,
                $"Run Get-DrBackup -Kind {kind} -Region {region} to list the recovery points there.");

        public static DrToolsException NotCreatedByDrTools(RecoveryPointKind kind, string id, string region) =>
            new(RecoveryPointErrorIds.NotCreatedByDrTools, DrErrorCategory.PermissionDenied,
                $"Refusing to remove {Describe(kind)} {id} in {region}: it has no {RecoveryPointTags.CreatedBy} tag, so DrTools did not create it and does not know what depends on it.", id,
                "Remove it with the AWS console or CLI if it really must go; DrTools only removes what it created.");

        public static DrToolsException Invalid(string message, object? target, string action) =>
            new(ErrorIds.InvalidParameter, DrErrorCategory.InvalidArgument, message, target, action);

        /// <summary>True when the DR region answered like a region the account has not enabled.</summary>
        public static bool IsRegionNotEnabled(DrToolsException ex) =>
            ex.AwsErrorCode != null && OptInCodes.Contains(ex.AwsErrorCode, StringComparer.OrdinalIgnoreCase);

        /// <summary>KMS failures of CopySnapshot/CopyImage/CopyDBSnapshot: KMS.*, KMSKeyNotAccessibleFault, InvalidKmsKey..., or a parameter error about the key.</summary>
        public static bool IsKmsError(DrToolsException ex, string? kmsKeyId)
        {
            var code = ex.AwsErrorCode ?? "";
            if (code.IndexOf("kms", StringComparison.OrdinalIgnoreCase) >= 0) return true;
            return kmsKeyId != null && code.StartsWith("InvalidParameter", StringComparison.Ordinal)
                   && (ex.Message.IndexOf("kms", StringComparison.OrdinalIgnoreCase) >= 0 || ex.Message.IndexOf(kmsKeyId, StringComparison.Ordinal) >= 0);
        }

        public static DrToolsException RegionNotEnabled(string region, string sourceRegion, string state, DrToolsException inner) =>
            new(RecoveryPointErrorIds.RegionNotEnabled, DrErrorCategory.NotEnabled,
                $"The DR region {region} refused the request ({inner.AwsErrorCode}) although {sourceRegion} accepted the same credentials: " +
                $"the region is probably not enabled for this account. {state}", region,
                $"Enable {region} (AWS console: Account > AWS Regions, or 'aws account enable-region --region-name {region}'), wait until it shows Enabled, then re-run with the same -ClientToken.", inner)
            { AwsErrorCode = inner.AwsErrorCode, RequestId = inner.RequestId, Service = inner.Service };

        public static DrToolsException KmsKeyNotUsable(string? kmsKeyId, string region, string state, DrToolsException inner) =>
            new(RecoveryPointErrorIds.KmsKeyNotUsable, DrErrorCategory.InvalidArgument,
                (kmsKeyId != null
                    ? $"The KMS key '{kmsKeyId}' cannot be used in {region} ({inner.AwsErrorCode}): it does not exist there, is disabled, or the identity may not use it. "
                    : $"The copy to {region} needs a KMS key there ({inner.AwsErrorCode}). ") + state, kmsKeyId ?? region,
                $"KMS keys are regional: pass -KmsKeyId with a key (id, alias or ARN) that exists in {region} and that the identity may use (kms:CreateGrant, kms:Encrypt, kms:Decrypt, kms:ReEncrypt*, kms:GenerateDataKey*, kms:DescribeKey), then re-run with the same -ClientToken.",
                inner)
            { AwsErrorCode = inner.AwsErrorCode, RequestId = inner.RequestId, Service = inner.Service };

        public static DrToolsException CopyFailed(string region, string state, DrToolsException inner) =>
            new(RecoveryPointErrorIds.CopyFailed, DrErrorCategory.NotSpecified,
                $"The copy to {region} failed: {inner.Message} {state}", region,
                "Fix the cause named above, then re-run with the same -ClientToken: the existing recovery point is reused, nothing is taken twice.", inner)
            { AwsErrorCode = inner.AwsErrorCode, RequestId = inner.RequestId, Service = inner.Service };

        /// <summary>For operations that work on snapshots, AMIs, DB snapshots and DB cluster snapshots only.</summary>
        public static DrToolsException NotForAutomatedBackups(string id, string operation, string action) =>
            new(ErrorIds.InvalidParameter, DrErrorCategory.InvalidOperation,
                $"{operation} does not work on DB automated backups ({id}): AWS manages them by the instance's backup retention period.", id, action);

        public static string Describe(RecoveryPointKind kind) => kind switch
        {
            RecoveryPointKind.Snapshot => "EBS snapshot",
            RecoveryPointKind.Image => "AMI",
            RecoveryPointKind.DBAutomatedBackup => "DB automated backups",
            RecoveryPointKind.DBClusterSnapshot => "DB cluster snapshot",
            _ => "DB snapshot",
        };
    }
}
