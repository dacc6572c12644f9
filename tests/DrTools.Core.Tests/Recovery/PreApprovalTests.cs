using DrTools.Core.Diagnostics;
using DrTools.Core.Recovery.Engine;
using Xunit;

namespace DrTools.Core.Tests.Recovery
{
    public class PreApprovalTests
    {
        static RecoveryPlan Plan() => RecoveryGraph.Build("orders", "PILOT_LIGHT", new IRecoveryStep[]
        {
            new FakeStep("launch"),
            new ManualApprovalStep("approve-change-dns", "May DNS move to us-west-2?", new[] { "launch" }),
            new ManualApprovalStep("approve-scale-group", "Scale out the web tier?", new[] { "launch" }),
        });

        [Theory]
        [InlineData("approve-change-dns")]
        [InlineData("ChangeDns")]
        [InlineData("change-dns")]
        public void An_approval_named_by_step_id_or_kind_is_given_and_only_that_one(string name)
        {
            var pre = PreApprovals.Resolve(Plan(), new[] { name });
            Assert.True(pre.IsApproved("May DNS move to us-west-2?"));
            Assert.False(pre.IsApproved("Scale out the web tier?"));
        }

        [Fact]
        public void A_name_that_matches_no_approval_fails_before_the_run_and_lists_the_real_ones()
        {
            var ex = Assert.Throws<DrToolsException>(() => PreApprovals.Resolve(Plan(), new[] { "ChangDns" }));
            Assert.Equal(ErrorIds.InvalidParameter, ex.ErrorId);
            Assert.Contains("approve-change-dns, approve-scale-group", ex.Message);
        }

        [Fact]
        public void Without_names_nothing_is_approved()
        {
            var pre = PreApprovals.Resolve(Plan(), null);
            Assert.False(pre.IsApproved("May DNS move to us-west-2?"));
        }
    }
}
