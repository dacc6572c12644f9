using System;
using System.Linq;
using DrTools.Core.Plans;
using Xunit;

namespace DrTools.Core.Tests.Plans
{
    /// <summary>database.reprotect and database.fence: the model, validation by JSON path, and the writer round-trip.</summary>
    public class PlanReprotectSchemaTests
    {
        static void AssertError(PlanLoadResult r, string path, string fragment) =>
            Assert.True(r.Errors.Any(e => e.Path == path && e.Message.Contains(fragment, StringComparison.OrdinalIgnoreCase)),
                $"no error at {path} containing '{fragment}'; got:\n" + string.Join("\n", r.Issues));

        static PlanLoadResult Load(string extra, string database = "\"primaryInstanceId\": \"orders-db\", \"replicaInstanceId\": \"orders-db-dr\"") => DrPlanLoader.Parse($$"""
            { "name": "orders", "strategy": "PILOT_LIGHT", "primaryRegion": "us-east-1", "drRegion": "us-west-2", "rto": "PT1H", "rpo": "PT15M",
              "resources": {
                "appServers": [ { "name": "web", "ami": "ami-0123456789abcdef0", "instanceType": "t3.large" } ],
                "database": { {{database}}{{extra}} } } }
            """);

        [Fact]
        public void Reprotect_and_fence_load_into_the_model_and_the_writer_round_trips_them()
        {
            var r = Load("""
                , "reprotect": { "region": "us-east-2", "instanceId": "orders-db-2", "instanceClass": "db.r6g.large",
                                 "kmsKeyId": "arn:aws:kms:us-east-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
                                 "dbSubnetGroupName": "orders-east-2", "securityGroupIds": ["sg-0123456789abcdef0"], "afterFailover": true },
                  "fence": { "mode": "PARAMETER_GROUP", "parameterGroupName": "orders-read-only" }
                """);
            Assert.True(r.IsValid, string.Join("\n", r.Issues));
            Assert.Empty(r.Issues);
            var db = r.Plan!.Resources.Database!;
            var p = db.Reprotect!;
            Assert.Equal(("us-east-2", "orders-db-2", "db.r6g.large", "orders-east-2", true), (p.Region, p.InstanceId, p.InstanceClass, p.DbSubnetGroupName, p.AfterFailover));
            Assert.Equal("arn:aws:kms:us-east-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab", p.KmsKeyId);
            Assert.Equal(new[] { "sg-0123456789abcdef0" }, p.SecurityGroupIds);
            Assert.Equal((FenceMode.ParameterGroup, "orders-read-only"), (db.Fence!.Mode, db.Fence.ParameterGroupName));

            var again = DrPlanLoader.Parse(DrPlanWriter.ToJson(r.Plan!));
            Assert.True(again.IsValid, string.Join("\n", again.Issues));
            var q = again.Plan!.Resources.Database!;
            Assert.Equal((p.Region, p.InstanceId, p.InstanceClass, p.KmsKeyId, p.DbSubnetGroupName, p.AfterFailover),
                (q.Reprotect!.Region, q.Reprotect.InstanceId, q.Reprotect.InstanceClass, q.Reprotect.KmsKeyId, q.Reprotect.DbSubnetGroupName, q.Reprotect.AfterFailover));
            Assert.Equal(p.SecurityGroupIds, q.Reprotect.SecurityGroupIds);
            Assert.Equal((FenceMode.ParameterGroup, "orders-read-only"), (q.Fence!.Mode, q.Fence.ParameterGroupName));
        }

        [Fact]
        public void Empty_sections_take_the_defaults()
        {
            var r = Load(""", "reprotect": {}, "fence": {}""");
            Assert.True(r.IsValid, string.Join("\n", r.Issues));
            var db = r.Plan!.Resources.Database!;
            Assert.Equal((null, null, false), (db.Reprotect!.Region, db.Reprotect.InstanceId, db.Reprotect.AfterFailover));
            Assert.Equal(FenceMode.StopAppServers, db.Fence!.Mode);
            var typo = Load(""", "reprotect": { "regoin": "us-east-2" }""");
            Assert.Contains(typo.Issues, i => i.Path == "$.resources.database.reprotect.regoin" && i.Message.Contains("did you mean 'region'"));
            Assert.Null(DrPlanLoader.Parse(DrPlanWriter.ToJson(Load("").Plan!)).Plan!.Resources.Database!.Reprotect); // none written when none given
        }

        [Theory]
        [InlineData("""{ "region": "us-wset" }""", "$.resources.database.reprotect.region", "region")]
        [InlineData("""{ "region": "us-west-2" }""", "$.resources.database.reprotect.region", "is the DR region")]
        [InlineData("""{ "instanceId": "1-bad--id" }""", "$.resources.database.reprotect.instanceId", "DB instance identifier")]
        [InlineData("""{ "kmsKeyId": "my key" }""", "$.resources.database.reprotect.kmsKeyId", "KMS key")]
        [InlineData("""{ "securityGroupIds": ["default"] }""", "$.resources.database.reprotect.securityGroupIds[0]", "security group id")]
        [InlineData("""{ "instanceClass": "large" }""", "$.resources.database.reprotect.instanceClass", "instance class")]
        [InlineData("""{ "afterFailover": "yes" }""", "$.resources.database.reprotect.afterFailover", "true or false")]
        public void A_bad_reprotect_value_is_an_error_at_its_path(string reprotect, string path, string fragment) =>
            AssertError(Load(", \"reprotect\": " + reprotect), path, fragment);

        [Fact]
        public void Parameter_group_fencing_needs_the_group_and_a_mode_must_be_known()
        {
            AssertError(Load(""", "fence": { "mode": "PARAMETER_GROUP" }"""), "$.resources.database.fence.parameterGroupName", "is required");
            AssertError(Load(""", "fence": { "mode": "READ_ONLY" }"""), "$.resources.database.fence.mode", "STOP_APP_SERVERS");
            AssertError(Load(""", "fence": { "mode": "PARAMETER_GROUP", "parameterGroupName": "-bad" }"""), "$.resources.database.fence.parameterGroupName", "parameter group");
            var ignored = Load(""", "fence": { "mode": "STOP_APP_SERVERS", "parameterGroupName": "orders-read-only" }""");
            Assert.True(ignored.IsValid);
            Assert.Contains(ignored.Issues, i => i.Path == "$.resources.database.fence.parameterGroupName" && i.Message.Contains("ignored"));
        }

        [Fact]
        public void Reprotect_needs_somewhere_to_put_the_replica_and_a_database_that_fails_over()
        {
            // No primaryInstanceId: the replica's id must be given.
            AssertError(Load(""", "reprotect": {}""", "\"replicaInstanceId\": \"orders-db-dr\""), "$.resources.database.reprotect.instanceId", "is required");
            Assert.True(Load(""", "reprotect": { "instanceId": "orders-db" }""", "\"replicaInstanceId\": \"orders-db-dr\"").IsValid);
        }
    }
}
