using System;
using DrTools.Core.Diagnostics;

namespace DrTools.Core.Backup
{
    /// <summary>Error ids specific to backup repositories (runbooks match on these), and the exceptions that carry them.</summary>
    public static class BackupErrorIds
    {
        public const string SourceNotFound = "DrTools.SourceNotFound";
        public const string RepositoryNotFound = "DrTools.RepositoryNotFound";
        public const string NotARepository = "DrTools.NotARepository";
        public const string BackupSetNotFound = "DrTools.BackupSetNotFound";
        public const string UnsafePath = "DrTools.UnsafePath";
        public const string FileExists = "DrTools.FileExists";
        public const string IntegrityError = "DrTools.IntegrityError";
        public const string ChunkMissing = "DrTools.ChunkMissing";
        public const string DiskFull = "DrTools.DiskFull";
        public const string FileUnreadable = "DrTools.FileUnreadable";
        public const string RepositoryLocked = "DrTools.RepositoryLocked";
        public const string RestoreFailed = "DrTools.RestoreFailed";
    }

    internal static class BackupErrors
    {
        public const string IntegrityAction =
            "The repository is damaged. Run Test-DrRestore -VerifyOnly to list every affected file, then restore from another backup set or a copy of the repository (Copy-DrBackup). Repair-DrBackup -ReadData reports every damaged blob; the next Invoke-DrBackup of the same data stores damaged chunks and file lists again.";

        public static DrToolsException Integrity(string message, object? target, Exception? inner = null, string? action = null) =>
            new(BackupErrorIds.IntegrityError, DrErrorCategory.InvalidData, message, target, action ?? IntegrityAction, inner);

        public static DrToolsException ChunkMissing(string chunk, string? file) =>
            new(BackupErrorIds.ChunkMissing, DrErrorCategory.ObjectNotFound,
                $"Chunk {chunk} is missing from the repository" + (file != null ? $" (needed by '{file}')." : "."), file ?? chunk,
                "The repository is damaged. Run Test-DrRestore -VerifyOnly to list every affected file; restore those from another backup set or repository copy.");

        public static DrToolsException SetNotFound(string id, string repository) =>
            new(BackupErrorIds.BackupSetNotFound, DrErrorCategory.ObjectNotFound,
                $"Backup set '{id}' does not exist in repository {repository}.", id,
                "Run Get-DrBackup -Repository to list the backup sets it holds.");

        public static DrToolsException InvalidArgument(string message, object? target, string action) =>
            new(ErrorIds.InvalidParameter, DrErrorCategory.InvalidArgument, message, target, action);
    }
}
