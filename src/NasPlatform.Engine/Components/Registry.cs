namespace NasPlatform.Engine.Components;

/// <summary>Something the platform looks up by the name stored on a search, a trial or a model.</summary>
public interface IRegistered
{
    /// <summary>Lower-case registry name, e.g. "mnasnet", "evolution".</summary>
    string Name { get; }

    /// <summary>One sentence for forms, help texts and cards.</summary>
    string Description { get; }
}

/// <summary>Named parts of one kind (spaces, strategies, objectives, tasks).</summary>
public sealed class Registry<T> where T : IRegistered
{
    private readonly Dictionary<string, T> _items;
    private readonly string _what;

    public Registry(string what, IEnumerable<T> items)
    {
        _what = what;
        _items = new Dictionary<string, T>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            if (!_items.TryAdd(item.Name, item))
                throw new ArgumentException($"Two {what}s are registered as '{item.Name}'.");
        }
    }

    public IReadOnlyList<string> Names => _items.Keys.ToList();

    public IEnumerable<T> All => _items.Values;

    public bool Contains(string name) => _items.ContainsKey(name);

    public T Get(string name) => _items.TryGetValue(name, out var item)
        ? item
        : throw new ArgumentException(UnknownMessage(name));

    public string UnknownMessage(string name) => $"Unknown {_what} '{name}': use {string.Join(", ", Names)}.";
}
