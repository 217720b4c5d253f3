namespace NasPlatform.Data.Entities;

/// <summary>The final model of a search: the best architecture retrained and tested once.</summary>
public sealed class TrainedModel : IOwned
{
    public Guid Id { get; set; }

    /// <summary>The user it belongs to; only they (and administrators) see it.</summary>
    public Guid OwnerId { get; set; }
    public Guid SearchId { get; set; }
    public Guid TrialId { get; set; }
    public required string Name { get; set; }

    /// <summary>The space that reads <see cref="ArchitectureJson"/> and the task whose head the network ends in.</summary>
    public string SearchSpace { get; set; } = "mnasnet";
    public string Task { get; set; } = "classification";
    public required string ArchitectureJson { get; set; }
    public required string ArchitectureHash { get; set; }

    /// <summary>The task's primary metric (named by <see cref="Metric"/>) on the test part, measured once.</summary>
    public string Metric { get; set; } = "accuracy";
    public double TestMetric { get; set; }

    /// <summary>Every test metric of the task (JSON object).</summary>
    public string? TestMetricsJson { get; set; }
    public double TestLoss { get; set; }
    public double LatencyMs { get; set; }
    public string? LatencyJson { get; set; }
    public long Parameters { get; set; }
    public long Macs { get; set; }
    public double Reward { get; set; }
    public string? RewardTermsJson { get; set; }
    public string HistoryJson { get; set; } = "[]";
    public double TrainSeconds { get; set; }

    /// <summary>The final training's recipe (engine TrainingRecipe) and the budget check (engine BudgetCheck), as JSON.</summary>
    public string? RecipeJson { get; set; }
    public string? BudgetJson { get; set; }
    public required string Device { get; set; }

    /// <summary>Blob holding the TorchSharp weights.</summary>
    public required string WeightsBlob { get; set; }

    /// <summary>Blob holding the ONNX file (null when the export failed its check or predates exports).</summary>
    public string? OnnxBlob { get; set; }

    /// <summary>The ONNX export as result.json describes it (opset, the check against TorchSharp, or the error), as JSON.</summary>
    public string? OnnxJson { get; set; }

    /// <summary>The PyTorch files (state dict model.pt, source model.py, beside model.bin in the blob store) as result.json describes them, as JSON.</summary>
    public string? PyTorchJson { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
