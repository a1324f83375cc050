namespace Ippo.MLNet.Core.Tasks.Strings;

/// <summary>The string tasks by name: the built-in ones and any registered with <see cref="Register"/>.</summary>
public static class StringTasks
{
    /// <summary>Name of <see cref="ReverseTask"/>.</summary>
    public const string Reverse = "reverse";

    /// <summary>Name of <see cref="SortLettersTask"/>.</summary>
    public const string SortLetters = "sort_letters";

    /// <summary>Name of <see cref="ShiftLettersTask"/>.</summary>
    public const string ShiftLetters = "shift_letters";

    private static readonly Dictionary<string, Func<StringTask>> Factories = new(StringComparer.Ordinal)
    {
        [Reverse] = () => new ReverseTask(),
        [SortLetters] = () => new SortLettersTask(),
        [ShiftLetters] = () => new ShiftLettersTask(),
    };

    /// <summary>The registered names, sorted.</summary>
    public static IReadOnlyList<string> Names
    {
        get
        {
            lock (Factories) return Factories.Keys.OrderBy(k => k, StringComparer.Ordinal).ToList();
        }
    }

    /// <summary>A new instance of the task named <paramref name="name"/> with its default letters and lengths.</summary>
    public static StringTask Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        lock (Factories)
            return Factories.TryGetValue(name, out var factory) ? factory()
                : throw new ArgumentOutOfRangeException(nameof(name), name, $"Unknown string task '{name}'; registered: {string.Join(", ", Factories.Keys.OrderBy(k => k, StringComparer.Ordinal))}.");
    }

    /// <summary>Adds (or replaces) a task under <paramref name="name"/>.</summary>
    public static void Register(string name, Func<StringTask> factory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(factory);
        lock (Factories) Factories[name] = factory;
    }
}
