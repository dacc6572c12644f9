using System;
using System.IO;
using System.Linq;
using DrTools.TestSupport;
using Xunit;

namespace DrTools.PowerShell.Tests
{
    /// <summary>
    /// What the folder-repository cmdlet tests start from: a scratch folder holding Data (a.txt and sub/b.bin of
    /// 200 000 bytes) and the paths of a repository and a restore destination, deleted afterwards.
    /// </summary>
    public abstract class FolderRepositoryTest : IDisposable
    {
        protected FolderRepositoryTest(string name)
        {
            Root = Path.Combine(Path.GetTempPath(), $"drtools-{name}-" + Guid.NewGuid().ToString("N").Substring(0, 8));
            Directory.CreateDirectory(Path.Combine(Src, "sub"));
            File.WriteAllText(Path.Combine(Src, "a.txt"), "alpha");
            File.WriteAllBytes(Path.Combine(Src, "sub", "b.bin"), Enumerable.Range(0, 200_000).Select(i => (byte)(i * 7)).ToArray());
        }

        protected string Root { get; }
        protected string Src => Path.Combine(Root, "Data");
        protected string Repo => Path.Combine(Root, "repo");
        protected string Dest => Path.Combine(Root, "restore");

        public void Dispose()
        {
            try { Directory.Delete(Root, true); } catch (IOException) { }
        }

        protected static void Ok(PsResult r) => Assert.True(r.Terminating == null && r.Errors.Count == 0, r.Describe());
    }
}
