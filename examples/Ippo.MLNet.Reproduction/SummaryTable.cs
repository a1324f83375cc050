using System.Globalization;
using System.Text;

namespace Ippo.MLNet.Reproduction;

/// <summary>Mean ± standard deviation over seeds per method, and how soon each method reached PPO's final accuracy.</summary>
public static class SummaryTable
{
    /// <summary>The summarised columns, in order: results.csv names.</summary>
    public static IReadOnlyList<string> Columns { get; } = new[]
    {
        "accuracy", "faithful_accuracy", "unfaithful_rate", "majority_vote", "pass_at_k", "greedy_accuracy", "iterations", "wall_seconds",
    };

    /// <summary>One row per method present in <paramref name="results"/>, in <see cref="ExperimentMethods.All"/>'s order.</summary>
    public static IReadOnlyList<SummaryRow> Compute(IReadOnlyList<MethodResult> results, IReadOnlyList<IterationRecord> iterations)
    {
        var curves = iterations.Where(r => r.Metric == HeldOutMetrics.Accuracy)
            .GroupBy(r => (r.Method, r.Seed))
            .ToDictionary(g => g.Key, g => g.OrderBy(r => r.Iteration).ToList());
        var rows = new List<SummaryRow>();
        foreach (var method in ExperimentMethods.All)
        {
            var mine = results.Where(r => r.Method == method).ToList();
            if (mine.Count == 0) continue;
            var columns = Columns.ToDictionary(c => c, c => MeanStd(mine.Select(r => Value(r, c)).ToList()));
            var reached = new List<double>();
            foreach (var r in mine)
            {
                if (!curves.TryGetValue((ExperimentMethod.Ppo, r.Seed), out var ppo) || !curves.TryGetValue((method, r.Seed), out var curve)) continue;
                double target = ppo[^1].Value;
                var first = curve.FirstOrDefault(p => p.Value >= target);
                if (first is not null) reached.Add(first.Iteration);
            }
            rows.Add(new SummaryRow(method, mine.Count, columns, reached.Count == 0 ? null : reached.Average(), reached.Count,
                results.Any(r => r.Method == ExperimentMethod.Ppo)));
        }
        return rows;
    }

    /// <summary>The value of results.csv column <paramref name="column"/> in <paramref name="result"/>.</summary>
    public static double Value(MethodResult result, string column) => column switch
    {
        "accuracy" => result.Metrics.Accuracy,
        "faithful_accuracy" => result.Metrics.FaithfulAccuracy,
        "unfaithful_rate" => result.Metrics.UnfaithfulRate,
        "majority_vote" => result.Metrics.MajorityVote,
        "pass_at_k" => result.Metrics.PassAtK,
        "greedy_accuracy" => result.Metrics.GreedyAccuracy,
        "greedy_faithful_accuracy" => result.Metrics.GreedyFaithfulAccuracy,
        "greedy_unfaithful_rate" => result.Metrics.GreedyUnfaithfulRate,
        "malformed_rate" => result.Metrics.MalformedRate,
        "iterations" => result.Iterations,
        "wall_seconds" => result.WallSeconds,
        _ => throw new ArgumentOutOfRangeException(nameof(column), column, "Unknown results column."),
    };

    /// <summary>The summary as a Markdown table (rates in percent).</summary>
    public static string ToMarkdown(IReadOnlyList<SummaryRow> rows, ExperimentOptions options)
    {
        var text = new StringBuilder();
        text.AppendLine("# Reproduction: SFT vs PPO vs I-PPO (and ablations)");
        text.AppendLine();
        text.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"Seeds {string.Join(", ", options.Seeds)}; {options.Iterations} iterations x {options.Episodes} episodes; SFT {options.SftSteps} steps; " +
            $"model width {options.ModelWidth}, {options.ModelLayers} layer(s); {options.HeldOut} held-out prompts x {options.Samples} samples at temperature 1; " +
            $"validation set {options.ValidationSize} gold traces. Mean ± standard deviation over seeds."));
        text.AppendLine();
        text.AppendLine("| " + string.Join(" | ", Headers()) + " |");
        text.AppendLine("|" + string.Concat(Enumerable.Repeat("---|", Headers().Count)));
        foreach (var row in rows) text.AppendLine("| " + string.Join(" | ", Cells(row)) + " |");
        text.AppendLine();
        text.AppendLine("Rates are sampled (temperature 1) except greedy accuracy. \"Iterations to PPO's final\": first held-out checkpoint " +
            $"(curve subset, every {options.EvalEvery} iterations) at or above PPO's final checkpoint accuracy of the same seed; mean over the seeds that reached it (count in brackets).");
        return text.ToString();
    }

    /// <summary>Column headers of the summary table.</summary>
    public static IReadOnlyList<string> Headers() => new[]
    {
        "method", "seeds", "accuracy %", "faithful %", "unfaithful %", "maj@k %", "pass@k %", "greedy %", "iterations", "wall s", "iterations to PPO's final",
    };

    /// <summary>The cells of one summary row, formatted.</summary>
    public static IReadOnlyList<string> Cells(SummaryRow row)
    {
        string Pct(string c) => Format(row.Columns[c], 100, "F1");
        return new[]
        {
            row.Method.Name(), row.Seeds.ToString(CultureInfo.InvariantCulture),
            Pct("accuracy"), Pct("faithful_accuracy"), Pct("unfaithful_rate"), Pct("majority_vote"), Pct("pass_at_k"), Pct("greedy_accuracy"),
            Format(row.Columns["iterations"], 1, "F1"), Format(row.Columns["wall_seconds"], 1, "F1"),
            row.IterationsToPpoFinal is { } it ? string.Create(CultureInfo.InvariantCulture, $"{it:F1} ({row.ReachedPpoFinal}/{row.Seeds})") : row.PpoRan ? $"not reached (0/{row.Seeds})" : "n/a (PPO not run)",
        };
    }

    private static string Format((double Mean, double Std) v, double scale, string format) =>
        double.IsNaN(v.Mean) ? "n/a"
            : (v.Mean * scale).ToString(format, CultureInfo.InvariantCulture) + " ± " + (v.Std * scale).ToString(format, CultureInfo.InvariantCulture);

    private static (double Mean, double Std) MeanStd(IReadOnlyList<double> values)
    {
        var finite = values.Where(double.IsFinite).ToList();
        if (finite.Count == 0) return (double.NaN, double.NaN);
        double mean = finite.Average();
        double std = finite.Count < 2 ? 0 : Math.Sqrt(finite.Sum(v => (v - mean) * (v - mean)) / (finite.Count - 1));
        return (mean, std);
    }
}
