using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using DrTools.Core.Plans;
using Xunit;

namespace DrTools.Core.Tests.Plans
{
    /// <summary>The documented examples and New-DrPlan's scaffolds are the same plans, and all of them load cleanly.</summary>
    public class PlanExamplesTests
    {
        internal static string RepoRoot()
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir != null && !File.Exists(Path.Combine(dir.FullName, "DrTools.sln"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("DrTools.sln not found above " + AppContext.BaseDirectory);
        }

        static string ExamplePath(DrStrategy s) =>
            Path.Combine(RepoRoot(), "docs", "examples", "plans", PlanObjectName(s) + ".json");

        static string PlanObjectName(DrStrategy s) => Regex.Replace(s.ToString(), "(?<=[a-z])([A-Z])", "-$1").ToLowerInvariant();

        public static IEnumerable<object[]> Strategies => Enum.GetValues(typeof(DrStrategy)).Cast<object>().Select(s => new[] { s });

        [Theory]
        [MemberData(nameof(Strategies))]
        public void Each_documented_example_loads_without_errors_or_warnings(DrStrategy strategy)
        {
            var path = ExamplePath(strategy);
            if (Environment.GetEnvironmentVariable("DRTOOLS_UPDATE_EXAMPLES") == "1")
                File.WriteAllText(path, DrPlanWriter.ToJson(DrPlanTemplates.Create(strategy)));
            var result = DrPlanLoader.LoadFile(path);
            Assert.True(result.IsValid, string.Join("\n", result.Issues));
            Assert.Empty(result.Issues);
            Assert.Equal(strategy, result.Plan!.Strategy);
            Assert.Equal(path, result.Plan.Source);
        }

        [Theory]
        [MemberData(nameof(Strategies))]
        public void New_DrPlan_scaffold_is_exactly_the_documented_example(DrStrategy strategy)
        {
            // If this fails after changing a template, regenerate: DRTOOLS_UPDATE_EXAMPLES=1 dotnet test --filter PlanExamplesTests
            var expected = File.ReadAllText(ExamplePath(strategy)).Replace("\r\n", "\n");
            Assert.Equal(expected, DrPlanWriter.ToJson(DrPlanTemplates.Create(strategy)));
        }

        [Theory]
        [MemberData(nameof(Strategies))]
        public void A_scaffold_round_trips_through_the_loader(DrStrategy strategy)
        {
            var json = DrPlanWriter.ToJson(DrPlanTemplates.Create(strategy, "billing", "eu-west-1", "eu-central-1"));
            var plan = DrPlanLoader.Parse(json).GetPlanOrThrow();
            Assert.Equal("billing", plan.Name);
            Assert.Equal("eu-central-1", plan.DrRegion);
            Assert.Equal(json, DrPlanWriter.ToJson(plan));
        }

        [Fact]
        public void Every_json_example_in_the_schema_doc_loads_without_errors()
        {
            var doc = File.ReadAllText(Path.Combine(RepoRoot(), "docs", "plan-schema.md"));
            var blocks = Regex.Matches(doc, "```json\\s*\\n(.*?)```", RegexOptions.Singleline).Cast<Match>().Select(m => m.Groups[1].Value).ToList();
            var fullPlans = blocks.Where(b => b.Contains("\"strategy\"")).ToList();
            Assert.True(fullPlans.Count >= 4, $"expected a full example per strategy in plan-schema.md, found {fullPlans.Count}");
            foreach (var block in fullPlans)
            {
                var result = DrPlanLoader.Parse(block);
                Assert.True(result.IsValid, string.Join("\n", result.Issues) + "\n" + block);
            }
            foreach (DrStrategy s in Enum.GetValues(typeof(DrStrategy)))
                Assert.Contains(fullPlans, b => DrPlanLoader.Parse(b).Plan!.Strategy == s);
        }
    }
}
