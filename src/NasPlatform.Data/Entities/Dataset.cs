namespace NasPlatform.Data.Entities;

public enum DatasetStatus { Processing, Ready, Failed }

/// <summary>An uploaded image dataset. The bytes live in the blob store; this row describes them.</summary>
public sealed class Dataset : IOwned
{
    public Guid Id { get; set; }

    /// <summary>The user it belongs to; only they (and administrators) see it.</summary>
    public Guid OwnerId { get; set; }
    public required string Name { get; set; }

    /// <summary>idx-zip, cifar, imagefolder-zip, segmentation-zip or detection-zip.</summary>
    public required string Format { get; set; }

    /// <summary>What its labels are for: classification (one label per image), segmentation (a mask per image) or detection (boxes).</summary>
    public string Task { get; set; } = "classification";
    public DatasetStatus Status { get; set; }
    public string? Error { get; set; }

    public int Channels { get; set; }
    public int Height { get; set; }
    public int Width { get; set; }
    public int NumClasses { get; set; }
    public List<string> ClassNames { get; set; } = [];

    /// <summary>Training-part images per class (the histogram); for segmentation, the images in which the class appears; for detection, its objects.</summary>
    public List<int> ClassCounts { get; set; } = [];

    /// <summary>Segmentation: each class's share of the scored pixels of the training part (empty for classification).</summary>
    public List<double> PixelShares { get; set; } = [];
    public int TrainCount { get; set; }
    public int TestCount { get; set; }
    public long UploadBytes { get; set; }

    /// <summary>Blob holding the original upload (kept for provenance).</summary>
    public string? UploadBlob { get; set; }

    /// <summary>Blob holding the decoded images, ready to train on.</summary>
    public string? DataBlob { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ReadyAt { get; set; }
}
