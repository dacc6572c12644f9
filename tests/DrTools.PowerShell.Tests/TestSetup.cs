using System.Runtime.CompilerServices;
using DrTools.TestSupport;

namespace DrTools.PowerShell.Tests
{
    internal static class TestSetup
    {
        /// <summary>Runs before any test: no AWS settings leak in from the machine.</summary>
        [ModuleInitializer]
        internal static void Init() => TestEnvironment.Isolate();
    }
}
