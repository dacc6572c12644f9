using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using DrTools.Core.Access;
using DrTools.TestSupport;
using Xunit;
using static DrTools.TestSupport.PsHarness;

namespace DrTools.PowerShell.Tests
{
    /// <summary>Get-DrIamPolicy in the real engine: the document, the file it writes, and what it refuses.</summary>
    public sealed class IamPolicyCmdletTests : IDisposable
    {
        readonly string _root = Path.Combine(Path.GetTempPath(), "drtools-iam-" + Guid.NewGuid().ToString("N").Substring(0, 8));

        public IamPolicyCmdletTests() => Directory.CreateDirectory(_root);

        public void Dispose()
        {
            try { Directory.Delete(_root, true); } catch (IOException) { }
        }

        static string Example(string name) => Quote(Path.Combine(RepoRoot, "docs", "examples", "plans", name));

        static void Ok(PsResult r) => Assert.True(r.Terminating == null && r.Errors.Count == 0, r.Describe());

        [Fact]
        public void Returns_the_operator_policy_of_a_plan_without_any_AWS_setup()
        {
            var r = Run($"Get-DrIamPolicy -Plan {Example("warm-standby.json")}");
            Ok(r);
            var policy = Assert.IsType<IamPolicyDocument>(Assert.Single(r.Output).BaseObject);
            Assert.Equal(("Operator", "orders", null), (policy.Role, policy.Plan, policy.Path));
            Assert.Equal(new[] { "us-west-2", "us-east-1" }, policy.Regions);
            using var doc = JsonDocument.Parse(policy.Json);
            Assert.Equal("2012-10-17", doc.RootElement.GetProperty("Version").GetString());
            Assert.Contains("autoScalingGroupName/orders-web-dr", policy.Json);
            Assert.Contains("rds:PromoteReadReplica", policy.Json);
        }

        [Fact]
        public void Path_writes_the_document_and_refuses_to_overwrite_without_Overwrite_and_WhatIf_writes_nothing()
        {
            var file = Path.Combine(_root, "orders-readonly.json");
            var whatIf = Run($"Get-DrIamPolicy {Example("pilot-light.json")} -Role ReadOnly -Path {Quote(file)} -WhatIf");
            Ok(whatIf);
            Assert.False(File.Exists(file));
            Assert.Contains("ReadOnly IAM policy of plan 'orders'", whatIf.HostText);

            var r = Run($"Get-DrIamPolicy {Example("pilot-light.json")} -Role readonly -Path {Quote(file)}");
            Ok(r);
            var policy = Assert.IsType<IamPolicyDocument>(Assert.Single(r.Output).BaseObject);
            Assert.Equal(("ReadOnly", file), (policy.Role, policy.Path));
            Assert.Equal(policy.Json.Trim(), File.ReadAllText(file).Trim());
            Assert.DoesNotContain("rds:PromoteReadReplica", policy.Json);

            var refused = Run($"Get-DrIamPolicy {Example("pilot-light.json")} -Role Operator -Path {Quote(file)}");
            var e = Assert.Single(refused.AllErrors);
            Assert.StartsWith("DrTools.AlreadyExists", e.FullyQualifiedErrorId);
            Assert.Equal(policy.Json.Trim(), File.ReadAllText(file).Trim());

            Ok(Run($"Get-DrIamPolicy {Example("pilot-light.json")} -Role Operator -Path {Quote(file)} -Overwrite"));
            Assert.Contains("rds:PromoteReadReplica", File.ReadAllText(file));
            Assert.Single(Directory.GetFiles(_root)); // no temporary file left behind
        }

        [Fact]
        public void Piped_plans_each_get_a_policy_and_a_bad_one_is_a_non_terminating_error()
        {
            var bad = Path.Combine(_root, "bad.json");
            File.WriteAllText(bad, "{ \"name\": \"x\" }");
            var r = Run($"{Example("pilot-light.json")}, {Quote(bad)}, {Example("multi-site.json")} | Get-DrIamPolicy -Role Drill");
            Assert.Null(r.Terminating);
            Assert.StartsWith("DrTools.InvalidPlan", Assert.Single(r.Errors).FullyQualifiedErrorId);
            Assert.Equal(2, r.Output.Count);
            Assert.All(r.Output, o => Assert.Equal("Drill", ((IamPolicyDocument)o.BaseObject).Role));
        }

        [Fact]
        public void An_unknown_role_is_refused_by_parameter_validation()
        {
            var r = Run($"Get-DrIamPolicy {Example("pilot-light.json")} -Role Admin");
            Assert.Contains(r.AllErrors, e => e.FullyQualifiedErrorId.StartsWith("ParameterArgumentValidationError", StringComparison.Ordinal));
        }
    }
}
