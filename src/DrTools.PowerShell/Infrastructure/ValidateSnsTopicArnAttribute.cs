using System.Management.Automation;
using DrTools.Core.Diagnostics;

namespace DrTools.PowerShell.Infrastructure
{
    /// <summary>-NotifyTopicArn must be an SNS topic ARN: checked when the parameter binds, before any work starts.</summary>
    public sealed class ValidateSnsTopicArnAttribute : ValidateArgumentsAttribute
    {
        protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
        {
            try
            {
                Core.Aws.Sns.SnsTopicArn.Parse(arguments as string ?? arguments?.ToString());
            }
            catch (DrToolsException ex)
            {
                throw new ValidationMetadataException($"{ex.Message} {ex.RecommendedAction}");
            }
        }
    }
}
