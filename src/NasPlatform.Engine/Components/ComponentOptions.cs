using System.Text.Json;
using System.Text.Json.Serialization;

namespace NasPlatform.Engine.Components;

/// <summary>
/// Reads a component's options (a space's, a strategy's, an objective's) from the JSON object a user
/// gave: camelCase names, unknown names refused, so a typo is an error instead of a silent default.
/// </summary>
public static class ComponentOptions
{
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
    };

    /// <exception cref="ArgumentException">The JSON is not an object of <typeparamref name="T"/>'s options.</exception>
    public static T Read<T>(JsonElement? options, string owner) where T : new()
    {
        if (options is not { } element || element.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined) return new T();
        if (element.ValueKind != JsonValueKind.Object) throw new ArgumentException($"The options of {owner} must be a JSON object.");
        try
        {
            return element.Deserialize<T>(Json) ?? new T();
        }
        catch (JsonException e)
        {
            // The serializer's own message names .NET types; say it in the user's terms.
            string name = e.Path?.TrimStart('$', '.') ?? "";
            // For an unknown member the path stops at its parent; the message quotes the name.
            var quoted = System.Text.RegularExpressions.Regex.Match(e.Message, "property '([^']+)'");
            if (quoted.Success) name = quoted.Groups[1].Value;
            throw new ArgumentException(e.Message.Contains("could not be mapped")
                ? $"{owner} has no option '{name}'."
                : $"Invalid option '{name}' of {owner}: expected a value of the right type.", e);
        }
    }

    public static string Write<T>(T options) => JsonSerializer.Serialize(options, Json);

    /// <summary>Options given as NAME=VALUE pairs (the CLI's form) as one JSON object; values that parse as JSON keep their type.</summary>
    public static JsonElement? FromPairs(IEnumerable<string> pairs)
    {
        var obj = new System.Text.Json.Nodes.JsonObject();
        foreach (var pair in pairs)
        {
            int eq = pair.IndexOf('=');
            if (eq <= 0) throw new ArgumentException($"'{pair}' is not NAME=VALUE.");
            string name = pair[..eq].Trim(), value = pair[(eq + 1)..].Trim();
            System.Text.Json.Nodes.JsonNode? node;
            try { node = System.Text.Json.Nodes.JsonNode.Parse(value); }
            catch (JsonException) { node = System.Text.Json.Nodes.JsonValue.Create(value); }
            obj[name] = node;
        }
        return obj.Count == 0 ? null : JsonSerializer.SerializeToElement(obj);
    }
}

/// <summary>For components that take no options: any given name is refused as unknown.</summary>
public sealed record NoOptions;
