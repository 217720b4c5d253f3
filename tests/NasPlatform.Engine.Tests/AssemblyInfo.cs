// Torch's thread count and generator are process-wide, and the machines have 2 cores:
// test classes run one after another.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
