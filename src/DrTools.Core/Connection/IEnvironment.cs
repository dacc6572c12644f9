using System;

namespace DrTools.Core.Connection
{
    /// <summary>Reads environment variables; tests substitute their own.</summary>
    public interface IEnvironment
    {
        string? Get(string name);
    }

    public sealed class ProcessEnvironment : IEnvironment
    {
        public static readonly ProcessEnvironment Instance = new();

        public string? Get(string name)
        {
            var value = Environment.GetEnvironmentVariable(name);
            return string.IsNullOrWhiteSpace(value) ? null : value;
        }
    }
}
