// One platform host serves every test: Hangfire's JobStorage.Current is process-wide, and the
// tests share its background workers, so they run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
