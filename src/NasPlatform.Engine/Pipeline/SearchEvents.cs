using NasPlatform.Engine.Training;

namespace NasPlatform.Engine.Pipeline;

/// <summary>Progress of a search, in the order it happens. Background jobs forward these to their listeners.</summary>
public abstract record SearchEvent(DateTimeOffset At);

public sealed record SearchStarted(DateTimeOffset At, SearchOptions Options, int TrainCount, int ValidationCount, int TestCount, double SpaceSize) : SearchEvent(At);

public sealed record TrialStarted(DateTimeOffset At, int Trial, Candidate Candidate) : SearchEvent(At);

/// <summary>An epoch of a trial (Trial &gt;= 1) or of the final training (Trial = 0).</summary>
public sealed record EpochFinished(DateTimeOffset At, int Trial, EpochReport Report) : SearchEvent(At);

public sealed record TrialFinished(DateTimeOffset At, TrialRecord Record) : SearchEvent(At);

/// <summary>Emitted after each trial: persist it to be able to resume.</summary>
public sealed record CheckpointReady(DateTimeOffset At, SearchCheckpoint Checkpoint) : SearchEvent(At);

/// <summary>A one-shot search finished a step; persist <paramref name="Run"/>'s checkpoint to be able to resume.</summary>
public sealed record OneShotStepped(DateTimeOffset At, OneShot.OneShotProgress Progress, OneShot.IOneShotRun Run) : SearchEvent(At);

/// <param name="Finalists">Under a hard budget: the best trials near it measured again before this choice.</param>
/// <param name="Shortened">Set when the total time budget left room for fewer epochs than asked: how many and why.</param>
public sealed record FinalTrainingStarted(DateTimeOffset At, TrialRecord Best, int Epochs, int TrainCount, IReadOnlyList<FinalistCheck>? Finalists = null,
    string? Shortened = null) : SearchEvent(At);

/// <summary>The final model is trained and measured; the zoo (if asked) comes next.</summary>
public sealed record FinalTrainingFinished(DateTimeOffset At, FinalModel Final) : SearchEvent(At);

public sealed record BaselineStarted(DateTimeOffset At, string Name, int Index, int Count) : SearchEvent(At);

public sealed record BaselineFinished(DateTimeOffset At, Zoo.BaselineResult Result) : SearchEvent(At);

public sealed record SearchFinished(DateTimeOffset At, SearchResult Result) : SearchEvent(At);
