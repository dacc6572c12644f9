using System.Runtime.CompilerServices;
using DrTools.TestSupport;

namespace DrTools.LiveTests
{
    internal static class TestSetup
    {
        /// <summary>
        /// Runs before any test: cmdlets run without -JournalPath (Test-DrPlan -Live) use a per-run journal folder, not
        /// the machine's default one. AWS settings stay: against real AWS the suite uses the caller's credentials.
        /// </summary>
        [ModuleInitializer]
        internal static void Init() => TestEnvironment.IsolateData();
    }
}
