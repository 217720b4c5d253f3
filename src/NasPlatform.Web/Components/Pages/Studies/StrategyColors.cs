namespace NasPlatform.Web.Components.Pages.Studies;

/// <summary>One colour per strategy, the same in every chart of a study page (by the strategy's position in the study).</summary>
internal static class StrategyColors
{
    private static readonly string[] Palette = ["#5e35b1", "#e65100", "#00897b", "#c62828", "#1565c0", "#6d4c41", "#ad1457", "#558b2f"];

    public static string Of(int index) => Palette[index % Palette.Length];
}
