using System;
using System.Collections;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using DrTools.Core.Aws.Rds;
using DrTools.Core.Connection;
using DrTools.Core.Tests.Plans;
using DrTools.TestSupport;
using Xunit;

namespace DrTools.Core.Tests.Aws.Rds
{
    /// <summary>
    /// The RDS wire format checked against the AWS API model: rds-model-subset.json, extracted from botocore's
    /// rds/2014-10-31/service-2.json by build/rds-model-subset.py. Every request RdsService sends may name only members
    /// of the operation's input shape (flattened the Query way) and must name every required one; every response
    /// built from the model's output shape fills every member DrTools reads. A misspelt parameter or element fails here.
    /// </summary>
    public class RdsModelConformanceTests
    {
        const string Ns = "http://rds.amazonaws.com/doc/2014-10-31/";
        const string ClusterArn = "arn:aws:rds:us-east-1:123456789012:cluster:orders-dr";
        static readonly string Root = PlanExamplesTests.RepoRoot();
        static readonly Lazy<JsonDocument> Model = new(() =>
            JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "tests", "DrTools.Core.Tests", "Aws", "Rds", "rds-model-subset.json"))));

        static JsonElement Operations => Model.Value.RootElement.GetProperty("operations");
        static JsonElement Shapes => Model.Value.RootElement.GetProperty("shapes");

        /// <summary>The operations the RDS service classes call (the same scan as the script that writes the fixture).</summary>
        static SortedSet<string> CalledOperations()
        {
            var call = new Regex(@"\b(?:CallAsync|PagesAsync)\(\s*""([A-Z][A-Za-z0-9]+)""");
            var found = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var file in Directory.GetFiles(Path.Combine(Root, "src", "DrTools.Core", "Aws", "Rds"), "*.cs"))
                foreach (Match m in call.Matches(File.ReadAllText(file))) found.Add(m.Groups[1].Value);
            return found;
        }

        /// <summary>Every RdsService call, with every optional member set (so every parameter name it can send is sent).</summary>
        static readonly (string Operation, Func<RdsService, Task<object?>> Call)[] Calls =
        {
            ("DescribeDBInstances", async r => (await r.DescribeDBInstancesAsync("orders-db", new[] { new RdsFilter("engine", "postgres", "mysql") })).Single()),
            ("DescribeDBSnapshots", async r => (await r.DescribeDBSnapshotsAsync(new DbSnapshotQuery
                { DBInstanceIdentifier = "orders-db", DBSnapshotIdentifier = "s", SnapshotType = "manual", Filters = new[] { new RdsFilter("engine", "postgres") } })).Single()),
            ("CreateDBSnapshot", async r => await r.CreateDBSnapshotAsync("orders-db", "s", Tags())),
            ("CopyDBSnapshot", async r => await r.CopyDBSnapshotAsync(new CopyDbSnapshotRequest
            {
                SourceSnapshot = "arn:aws:rds:us-east-1:123456789012:snapshot:s", TargetSnapshotIdentifier = "t", KmsKeyId = "alias/dr", CopyTags = true,
                Tags = Tags(), OptionGroupName = "og",
            })),
            ("RestoreDBInstanceFromDBSnapshot", async r => await r.RestoreDBInstanceFromDBSnapshotAsync(Settings(new RestoreDbInstanceRequest
                { DBInstanceIdentifier = "orders-dr", DBSnapshotIdentifier = "s" }))),
            ("RestoreDBInstanceToPointInTime", async r => await r.RestoreDBInstanceToPointInTimeAsync(Settings(new RestoreDbInstanceToPointInTimeRequest
                { SourceDBInstanceIdentifier = "orders-db", TargetDBInstanceIdentifier = "orders-pitr", RestoreTime = new DateTime(2026, 12, 1, 0, 0, 0, DateTimeKind.Utc) }))),
            ("RestoreDBInstanceToPointInTime", async r => await r.RestoreDBInstanceToPointInTimeAsync(new RestoreDbInstanceToPointInTimeRequest
                { SourceDBInstanceAutomatedBackupsArn = "arn:aws:rds:us-west-2:123456789012:auto-backup:ab-1", TargetDBInstanceIdentifier = "t", UseLatestRestorableTime = true })),
            ("DescribeDBInstanceAutomatedBackups", async r => (await r.DescribeDBInstanceAutomatedBackupsAsync("orders-db", new[] { new RdsFilter("status", "active") })).Single()),
            ("StartDBInstanceAutomatedBackupsReplication", async r => await r.StartDBInstanceAutomatedBackupsReplicationAsync(
                "arn:aws:rds:us-east-1:123456789012:db:orders-db", 7, "alias/dr")),
            ("CreateDBInstanceReadReplica", async r => await r.CreateDBInstanceReadReplicaAsync(new CreateReadReplicaRequest
            {
                DBInstanceIdentifier = "orders-dr", SourceDBInstance = "arn:aws:rds:us-east-1:123456789012:db:orders-db", DBInstanceClass = "db.r6g.large",
                AvailabilityZone = "us-west-2a", MultiAZ = false, DBSubnetGroupName = "dr", VpcSecurityGroupIds = new[] { "sg-1", "sg-2" }, KmsKeyId = "alias/dr",
                DBParameterGroupName = "pg", PubliclyAccessible = false, DeletionProtection = true, Tags = Tags(),
            })),
            ("PromoteReadReplica", async r => await r.PromoteReadReplicaAsync("orders-dr", 7)),
            ("ModifyDBInstance", async r => await r.ModifyDBInstanceAsync(new ModifyDbInstanceRequest
            {
                DBInstanceIdentifier = "orders-dr", DBInstanceClass = "db.r6g.large", AllocatedStorage = 100, MultiAZ = true, BackupRetentionPeriod = 7,
                VpcSecurityGroupIds = new[] { "sg-1" }, DeletionProtection = true, NewDBInstanceIdentifier = "orders-dr-old", DBParameterGroupName = "ro", ApplyImmediately = true,
            })),
            ("RebootDBInstance", async r => await r.RebootDBInstanceAsync("orders-dr")),
            ("DeleteDBInstance", async r => await r.DeleteDBInstanceAsync("orders-dr", DbFinalSnapshot.Take("final"), true)),
            ("DeleteDBInstance", async r => await r.DeleteDBInstanceAsync("orders-dr", DbFinalSnapshot.None)),
            ("DeleteDBSnapshot", async r => await r.DeleteDBSnapshotAsync("s")),
            ("ListTagsForResource", async r => await r.ListTagsForResourceAsync("arn:aws:rds:us-west-2:123456789012:db:orders-dr")),
            ("AddTagsToResource", async r => { await r.AddTagsToResourceAsync("arn:aws:rds:us-west-2:123456789012:db:orders-dr", Tags()); return null; }),
            ("RemoveTagsFromResource", async r => { await r.RemoveTagsFromResourceAsync("arn:aws:rds:us-west-2:123456789012:db:orders-dr", new[] { "a", "b" }); return null; }),
            // Aurora
            ("DescribeDBClusters", async r => (await r.DescribeDBClustersAsync("orders", new[] { new RdsFilter("engine", "aurora-postgresql") })).Single()),
            // The model-built response names its global database "v-GlobalClusterIdentifier" (and the service keeps only the one asked for).
            ("DescribeGlobalClusters", async r => (await r.DescribeGlobalClustersAsync("v-GlobalClusterIdentifier")).Single()),
            ("SwitchoverGlobalCluster", async r => await r.SwitchoverGlobalClusterAsync("orders-global", ClusterArn)),
            ("FailoverGlobalCluster", async r => await r.FailoverGlobalClusterAsync("orders-global", ClusterArn, allowDataLoss: true)),
            ("FailoverGlobalCluster", async r => await r.FailoverGlobalClusterAsync("orders-global", ClusterArn, allowDataLoss: false)),
            ("RestoreDBClusterFromSnapshot", async r => await r.RestoreDBClusterFromSnapshotAsync(new RestoreDbClusterFromSnapshotRequest
            {
                DBClusterIdentifier = "orders-dr", SnapshotIdentifier = "cs", Engine = "aurora-postgresql", EngineVersion = "15.4", DBSubnetGroupName = "dr",
                VpcSecurityGroupIds = new[] { "sg-1", "sg-2" }, KmsKeyId = "alias/dr", DeletionProtection = true, Tags = Tags(),
            })),
            ("RestoreDBClusterToPointInTime", async r => await r.RestoreDBClusterToPointInTimeAsync(new RestoreDbClusterToPointInTimeRequest
            {
                DBClusterIdentifier = "orders-pitr", SourceDBClusterIdentifier = "orders", RestoreToTime = new DateTime(2026, 12, 1, 0, 0, 0, DateTimeKind.Utc),
                RestoreType = "copy-on-write", DBSubnetGroupName = "dr", VpcSecurityGroupIds = new[] { "sg-1" }, KmsKeyId = "alias/dr", DeletionProtection = false, Tags = Tags(),
            })),
            ("RestoreDBClusterToPointInTime", async r => await r.RestoreDBClusterToPointInTimeAsync(new RestoreDbClusterToPointInTimeRequest
                { DBClusterIdentifier = "orders-pitr", SourceDBClusterIdentifier = "orders", UseLatestRestorableTime = true })),
            ("CreateDBInstance", async r => await r.CreateDBClusterInstanceAsync(new CreateDbClusterInstanceRequest
                { DBInstanceIdentifier = "orders-dr-1", DBClusterIdentifier = "orders-dr", DBInstanceClass = "db.r6g.large", Engine = "aurora-postgresql", Tags = Tags() })),
            ("DeleteDBCluster", async r => await r.DeleteDBClusterAsync("orders-dr", DbFinalSnapshot.Take("final"))),
            ("DeleteDBCluster", async r => await r.DeleteDBClusterAsync("orders-dr", DbFinalSnapshot.None)),
            ("DescribeDBClusterSnapshots", async r => (await r.DescribeDBClusterSnapshotsAsync(new DbClusterSnapshotQuery
                { DBClusterIdentifier = "orders", DBClusterSnapshotIdentifier = "cs", SnapshotType = "manual", Filters = new[] { new RdsFilter("engine", "aurora-postgresql") } })).Single()),
            ("CreateDBClusterSnapshot", async r => await r.CreateDBClusterSnapshotAsync("orders", "cs", Tags())),
            ("CopyDBClusterSnapshot", async r => await r.CopyDBClusterSnapshotAsync(new CopyDbClusterSnapshotRequest
            {
                SourceDBClusterSnapshotIdentifier = "arn:aws:rds:us-east-1:123456789012:cluster-snapshot:cs", TargetDBClusterSnapshotIdentifier = "cs-dr",
                KmsKeyId = "alias/dr", CopyTags = true, Tags = Tags(),
            })),
            ("DeleteDBClusterSnapshot", async r => await r.DeleteDBClusterSnapshotAsync("cs")),
        };

        static Dictionary<string, string> Tags() => new() { ["a"] = "1", ["b"] = "2" };

        static T Settings<T>(T request) where T : NewDbInstanceSettings => request with
        {
            DBInstanceClass = "db.r6g.large", DBSubnetGroupName = "dr", VpcSecurityGroupIds = new[] { "sg-1", "sg-2" }, MultiAZ = true,
            AvailabilityZone = "us-west-2a", PubliclyAccessible = false, DBParameterGroupName = "pg", OptionGroupName = "og", StorageType = "gp3",
            DeletionProtection = true, Tags = Tags(),
        };

        [Fact]
        public void The_fixture_names_its_source_and_licence_and_covers_every_operation_RdsService_calls()
        {
            var header = string.Join(" ", Model.Value.RootElement.GetProperty("_comment").EnumerateArray().Select(e => e.GetString()));
            Assert.Contains("botocore", header);
            Assert.Contains("Apache License, Version 2.0", header);
            Assert.Equal("2014-10-31", Model.Value.RootElement.GetProperty("apiVersion").GetString());
            var inFixture = Operations.EnumerateObject().Select(p => p.Name).ToHashSet();
            var missing = CalledOperations().Where(op => !inFixture.Contains(op)).ToList();
            Assert.True(missing.Count == 0, "rds-model-subset.json lacks operations RdsService calls (re-run build/rds-model-subset.py): " + string.Join(", ", missing));
            var untested = CalledOperations().Where(op => Calls.All(c => c.Operation != op)).ToList();
            Assert.True(untested.Count == 0, "RdsModelConformanceTests.Calls does not exercise: " + string.Join(", ", untested));
        }

        [Fact]
        public async Task Every_request_names_only_members_of_the_input_shape_and_every_required_member()
        {
            var (server, rds) = Start();
            using (server)
            using (rds)
            {
                var problems = new List<string>();
                foreach (var (operation, call) in Calls)
                {
                    var before = server.Requests.Count;
                    await call(rds);
                    var sent = server.Requests.Skip(before).ToList();
                    Assert.True(sent.Count >= 1, operation + " sent nothing");
                    foreach (var request in sent)
                    {
                        Assert.Equal(operation, request.Form["Action"]);
                        problems.AddRange(Check(operation, request.Form));
                        if (request.Form.TryGetValue("PreSignedUrl", out var url))
                        {
                            // The pre-signed request is the same operation, for the source region: the same members, plus DestinationRegion and the signature.
                            var q = Query(new Uri(url));
                            Assert.Equal(operation, q["Action"]);
                            var signed = q.Where(kv => kv.Key != "DestinationRegion" && !kv.Key.StartsWith("X-Amz-", StringComparison.Ordinal))
                                .ToDictionary(kv => kv.Key, kv => kv.Value);
                            problems.AddRange(Check(operation, signed).Select(p => "pre-signed URL: " + p));
                        }
                    }
                }
                Assert.True(problems.Count == 0, "Requests that do not match the RDS model:\n" + string.Join("\n", problems));
            }
        }

        /// <summary>The fixture check itself must fail on a misspelt or missing parameter (a check that cannot fail proves nothing).</summary>
        [Fact]
        public void The_check_catches_a_misspelt_member_a_wrong_list_element_and_a_missing_required_member()
        {
            var good = new Dictionary<string, string>
            {
                ["Action"] = "CopyDBClusterSnapshot", ["Version"] = "2014-10-31", ["SourceDBClusterSnapshotIdentifier"] = "a",
                ["TargetDBClusterSnapshotIdentifier"] = "b", ["Tags.Tag.1.Key"] = "k", ["Tags.Tag.1.Value"] = "v",
            };
            Assert.Empty(Check("CopyDBClusterSnapshot", good));
            var misspelt = new Dictionary<string, string>(good) { ["KmsKeyID"] = "x" };
            Assert.Contains(Check("CopyDBClusterSnapshot", misspelt), p => p.Contains("KmsKeyID"));
            var wrongList = new Dictionary<string, string>(good) { ["Tags.member.2.Key"] = "k" };
            Assert.Contains(Check("CopyDBClusterSnapshot", wrongList), p => p.Contains("Tags.member.2.Key"));
            var noTarget = new Dictionary<string, string>(good);
            noTarget.Remove("TargetDBClusterSnapshotIdentifier");
            Assert.Contains(Check("CopyDBClusterSnapshot", noTarget), p => p.Contains("TargetDBClusterSnapshotIdentifier"));
            // SourceRegion is an SDK pseudo-parameter (it makes the SDK build PreSignedUrl); it is not on the wire.
            Assert.Contains(Check("CopyDBClusterSnapshot", new Dictionary<string, string>(good) { ["SourceRegion"] = "us-east-1" }), p => p.Contains("SourceRegion"));
            // And the response check reports a member a parser left empty.
            var partial = DbCluster.Parse(System.Xml.Linq.XElement.Parse("<DBCluster><DBClusterIdentifier>c</DBClusterIdentifier></DBCluster>"), "us-west-2");
            Assert.Contains(Unfilled(partial, "x"), p => p.EndsWith("DbCluster.Members", StringComparison.Ordinal));
            Assert.DoesNotContain(Unfilled(partial, "x"), p => p.EndsWith("DbCluster.Identifier", StringComparison.Ordinal));
        }

        [Fact]
        public async Task Responses_built_from_the_model_fill_every_member_the_parsers_read()
        {
            var (server, rds) = Start();
            using (server)
            using (rds)
            {
                var problems = new List<string>();
                foreach (var (operation, call) in Calls)
                {
                    var result = await call(rds);
                    if (result != null) problems.AddRange(Unfilled(result, operation));
                }
                Assert.True(problems.Count == 0, "Parsed members left empty by a response that has every member of the model " +
                                                 "(the parser reads an element the model does not have):\n" + string.Join("\n", problems.Distinct()));
            }
        }

        // ---------------------------------------------------------------- helpers

        static (FakeAwsServer, RdsService) Start()
        {
            var server = new FakeAwsServer(r => Respond(r.Form["Action"]));
            var rds = RdsService.Create(new AwsClientFactory(QueryFakes.Connection(server)));
            return (server, rds);
        }

        /// <summary>What is wrong with a request of <paramref name="operation"/>: names outside the input shape, required members missing.</summary>
        static IEnumerable<string> Check(string operation, IReadOnlyDictionary<string, string> form)
        {
            if (!Operations.TryGetProperty(operation, out var op))
            {
                yield return $"{operation}: not in the model subset";
                yield break;
            }
            var input = op.GetProperty("input");
            var members = input.GetProperty("members").EnumerateArray().Select(e => e.GetString()!).ToHashSet(StringComparer.Ordinal);
            foreach (var key in form.Keys.Where(k => k != "Action" && k != "Version"))
            {
                var pattern = Regex.Replace(key, @"\.[0-9]+(?=\.|$)", ".N");
                if (!members.Contains(pattern)) yield return $"{operation}: '{key}' is not a member of the input shape";
            }
            foreach (var required in input.GetProperty("required").EnumerateArray().Select(e => e.GetString()!))
                if (!form.Keys.Any(k => k == required || k.StartsWith(required + ".", StringComparison.Ordinal)))
                    yield return $"{operation}: the required member '{required}' is not sent";
        }

        static Dictionary<string, string> Query(Uri uri) =>
            uri.Query.TrimStart('?').Split('&').Select(p => p.Split('=', 2))
                .ToDictionary(p => Uri.UnescapeDataString(p[0]), p => Uri.UnescapeDataString(p[1]));

        /// <summary>A response to <paramref name="action"/> with every member of its output shape (no Marker: one page).</summary>
        static FakeResponse Respond(string action)
        {
            var output = Operations.GetProperty(action).GetProperty("output");
            if (output.ValueKind == JsonValueKind.Null) return QueryFakes.Empty(action, Ns);
            var sb = new StringBuilder();
            WriteMembers(sb, output.GetProperty("shape").GetString()!, 0, skip: "Marker");
            return QueryFakes.Ok(action, Ns, sb.ToString());
        }

        static void WriteMembers(StringBuilder sb, string shapeName, int depth, string? skip = null)
        {
            foreach (var member in Shapes.GetProperty(shapeName).GetProperty("members").EnumerateObject())
            {
                if (member.Name == skip) continue;
                WriteValue(sb, member.Name, member.Value.GetString()!, depth + 1);
            }
        }

        static void WriteValue(StringBuilder sb, string element, string type, int depth)
        {
            if (depth > 8) return;
            var scalar = type switch
            {
                "string" => "v-" + element,
                "integer" or "long" => "7",
                "double" or "float" => "1.5",
                "boolean" => "true",
                "timestamp" => "2026-12-01T02:03:04Z",
                _ => null,
            };
            if (scalar != null)
            {
                sb.Append('<').Append(element).Append('>').Append(System.Security.SecurityElement.Escape(scalar)).Append("</").Append(element).Append('>');
                return;
            }
            if (!Shapes.TryGetProperty(type, out var shape)) return; // a map or blob: nothing DrTools reads
            sb.Append('<').Append(element).Append('>');
            if (shape.GetProperty("type").GetString() == "list")
                WriteValue(sb, shape.GetProperty("element").GetString()!, shape.GetProperty("member").GetString()!, depth + 1);
            else
                WriteMembers(sb, type, depth);
            sb.Append("</").Append(element).Append('>');
        }

        /// <summary>The public properties of a parsed model object (and of the DrTools records inside it) left at their default.</summary>
        static IEnumerable<string> Unfilled(object value, string path)
        {
            if (value is string) yield break;
            if (value is IReadOnlyDictionary<string, string> tags)
            {
                if (tags.Count == 0) yield return path + ": empty";
                yield break;
            }
            if (value is IEnumerable list and not IDictionary<string, string>)
            {
                foreach (var item in list) foreach (var p in Unfilled(item, path + "[]")) yield return p;
                yield break;
            }
            foreach (var property in value.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                if (property.GetIndexParameters().Length > 0) continue;
                var v = property.GetValue(value);
                var name = $"{path}: {value.GetType().Name}.{property.Name}";
                var empty = v switch
                {
                    null => true,
                    string s => s.Length == 0,
                    bool b => !b,
                    ICollection c => c.Count == 0,
                    IReadOnlyCollection<string> c => c.Count == 0,
                    IReadOnlyCollection<KeyValuePair<string, string>> c => c.Count == 0,
                    _ => false,
                };
                if (empty) { yield return name; continue; }
                if (v!.GetType().Namespace == typeof(DbInstance).Namespace || v is IEnumerable and not string and not IDictionary<string, string>)
                    foreach (var p in Unfilled(v, name)) yield return p;
            }
        }
    }
}
