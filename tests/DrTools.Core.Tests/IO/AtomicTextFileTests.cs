using System;
using System.IO;
using DrTools.Core.Diagnostics;
using DrTools.Core.IO;
using Xunit;

namespace DrTools.Core.Tests.IO
{
    /// <summary>The one atomic text-file write New-DrPlan and Get-DrIamPolicy share.</summary>
    public sealed class AtomicTextFileTests : IDisposable
    {
        readonly string _dir = Path.Combine(Path.GetTempPath(), "drtools-atomic-" + Guid.NewGuid().ToString("N"));

        public AtomicTextFileTests() => Directory.CreateDirectory(_dir);

        public void Dispose()
        {
            try { Directory.Delete(_dir, true); } catch (IOException) { }
        }

        [Fact]
        public void Replaces_the_file_whole_without_a_BOM_and_leaves_no_temporary_file()
        {
            var path = Path.Combine(_dir, "policy.json");
            File.WriteAllText(path, "old and longer content");
            AtomicTextFile.Write(path, "{}", "fix it");
            Assert.Equal(new byte[] { (byte)'{', (byte)'}' }, File.ReadAllBytes(path).AsSpan(0, 2).ToArray());
            Assert.Equal("{}" + Environment.NewLine, File.ReadAllText(path));
            Assert.Single(Directory.GetFiles(_dir));
        }

        [Fact]
        public void A_write_that_fails_is_a_DrTools_error_and_leaves_the_good_file_and_no_temporary_file()
        {
            var path = Path.Combine(_dir, "plan.json");
            File.WriteAllText(path, "good");
            var blocked = Path.Combine(_dir, "missing-folder", "plan.json");
            var ex = Assert.Throws<DrToolsException>(() => AtomicTextFile.Write(blocked, "{}", "Check the folder."));
            Assert.Equal((ErrorIds.InvalidParameter, "Check the folder."), (ex.ErrorId, ex.RecommendedAction));
            Assert.Equal("good", File.ReadAllText(path));
            Assert.Single(Directory.GetFiles(_dir));
        }
    }
}
