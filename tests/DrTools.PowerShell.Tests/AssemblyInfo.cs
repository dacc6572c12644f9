using Xunit;

// Cmdlet tests set session and environment state that the engine reads; run them one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
