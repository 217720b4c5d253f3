// TEMPORARY stand-in until the datasets branch merges (replaced wholesale).
namespace NasPlatform.Engine.Datasets;
public static class DataSplit
{
    public static (ImageDataset Train, ImageDataset Validation) TrainValidation(ImageDataset train, double validationFraction, long seed)
    {
        int nVal = (int)(train.Count * validationFraction);
        return (train.Subset(Enumerable.Range(nVal, train.Count - nVal).ToArray()), train.Subset(Enumerable.Range(0, nVal).ToArray()));
    }
    public static ImageDataset Fraction(ImageDataset data, double fraction, long seed) =>
        data.Subset(Enumerable.Range(0, Math.Max(1, (int)(data.Count * fraction))).ToArray());
}
