namespace Ippo.MLNet.Reproduction;

/// <summary>
/// Per-seed differences of a method's final metrics to a baseline run on the same seed (the same warm start), the
/// paired analysis of the experiment: PPO is the baseline of every method, GRPO also of the critic-free ones.
/// </summary>
public static class PairedDifferences
{
    /// <summary>The metrics that get a difference column, as results.csv names them.</summary>
    public static IReadOnlyList<string> Metrics { get; } = new[] { "accuracy", "faithful_accuracy", "unfaithful_rate" };

    /// <summary>The baselines, in column order: PPO for every method, GRPO for the critic-free methods.</summary>
    public static IReadOnlyList<ExperimentMethod> Baselines { get; } = new[] { ExperimentMethod.Ppo, ExperimentMethod.Grpo };

    /// <summary>results.csv's difference columns, e.g. <c>accuracy_minus_ppo</c>, in <see cref="Baselines"/> then <see cref="Metrics"/> order.</summary>
    public static IReadOnlyList<string> Columns { get; } =
        Baselines.SelectMany(b => Metrics.Select(m => Column(m, b))).ToArray();

    /// <summary>The column of <paramref name="metric"/>'s difference to <paramref name="baseline"/>.</summary>
    public static string Column(string metric, ExperimentMethod baseline) => $"{metric}_minus_{baseline.Name().ToLowerInvariant()}";

    /// <summary>Whether <paramref name="method"/> is compared with <paramref name="baseline"/>: everything with PPO, the critic-free methods with GRPO.</summary>
    public static bool Applies(ExperimentMethod method, ExperimentMethod baseline) =>
        baseline == ExperimentMethod.Ppo || (baseline == ExperimentMethod.Grpo && method.IsGroupMethod());

    /// <summary>
    /// <paramref name="result"/>'s <paramref name="metric"/> minus the same metric of <paramref name="baseline"/> on the
    /// same seed in <paramref name="all"/>; null when the comparison does not apply or the baseline did not run on that
    /// seed. NaN stays NaN (an unfaithful rate without right answers).
    /// </summary>
    public static double? Difference(MethodResult result, string metric, ExperimentMethod baseline, IReadOnlyList<MethodResult> all)
    {
        if (!Applies(result.Method, baseline)) return null;
        var reference = all.FirstOrDefault(r => r.Method == baseline && r.Seed == result.Seed);
        return reference is null ? null : SummaryTable.Value(result, metric) - SummaryTable.Value(reference, metric);
    }

    /// <summary>
    /// A Markdown table: per method and baseline, the mean ± sample standard deviation over seeds of the differences
    /// (in percentage points) and the per-seed values; empty when no baseline ran.
    /// </summary>
    public static string ToMarkdown(IReadOnlyList<MethodResult> results)
    {
        var text = new System.Text.StringBuilder();
        foreach (var baseline in Baselines)
        {
            var lines = new List<string>();
            foreach (var method in ExperimentMethods.All.Where(m => m != baseline && Applies(m, baseline)))
            {
                var mine = results.Where(r => r.Method == method).OrderBy(r => r.Seed).ToList();
                var paired = mine.Where(r => Difference(r, Metrics[0], baseline, results) is not null).ToList();
                if (paired.Count == 0) continue;
                var cells = Metrics.Select(metric =>
                {
                    var d = paired.Select(r => 100 * Difference(r, metric, baseline, results)!.Value).ToList();
                    var finite = d.Where(double.IsFinite).ToList();
                    double mean = finite.Count == 0 ? double.NaN : finite.Average();
                    double std = finite.Count < 2 ? 0 : Math.Sqrt(finite.Sum(v => (v - mean) * (v - mean)) / (finite.Count - 1));
                    return string.Create(System.Globalization.CultureInfo.InvariantCulture,
                        $"{mean:+0.0;-0.0;0.0} ± {std:F1} ({string.Join(", ", d.Select(v => v.ToString("+0.0;-0.0;0.0", System.Globalization.CultureInfo.InvariantCulture)))})");
                });
                lines.Add($"| {method.Name()} | {paired.Count} | {string.Join(" | ", cells)} |");
            }
            if (lines.Count == 0) continue;
            text.AppendLine();
            text.AppendLine($"Paired differences to {baseline.Name()} on the same seed (percentage points; mean ± std over seeds, then per seed in seed order):");
            text.AppendLine();
            text.AppendLine("| method | seeds | accuracy | faithful accuracy | unfaithful rate |");
            text.AppendLine("|---|---|---|---|---|");
            foreach (var line in lines) text.AppendLine(line);
        }
        return text.ToString();
    }
}
