using System.Text.Json;
using NasPlatform.Engine.Components;
using NasPlatform.Engine.Tasks.Classification;

namespace NasPlatform.Engine.Spaces.MnasNet;

/// <summary>Registers one profile of MnasNet's factorized hierarchical space (<see cref="MnasProfile.Standard"/> by default).</summary>
public sealed class MnasNetDefinition(MnasProfile profile) : ISearchSpaceDefinition
{
    public MnasNetDefinition() : this(MnasProfile.Standard) { }

    public string Name => profile.Name;

    public string Description => profile.Description;

    public IReadOnlyList<string> Tasks { get; } = [ClassificationTask.TaskName];

    public ISearchSpace Create(SpaceInput input, JsonElement? options)
    {
        var o = ComponentOptions.Read<MnasSpaceOptions>(options, $"the {Name} space");
        if (o.WidthScale is { } w && !(w is > 0 and <= 4)) throw new ArgumentException("widthScale must be in (0, 4].");
        if (o.HeadChannels is < 1 or > 8192) throw new ArgumentException("headChannels must be between 1 and 8192.");
        return new MnasSearchSpace(input.Image.Channels, input.Image.Height, input.Image.Width, input.Output.Classes, o, profile);
    }
}
