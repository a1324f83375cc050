using System.Globalization;
using System.Text;

namespace Ippo.MLNet.Reproduction;

/// <summary>Writes the experiment's CSV and Markdown files (invariant culture, "\n" line ends, UTF-8 without BOM).</summary>
public static class ResultsWriter
{
    /// <summary>The required header of results.csv; the extra columns follow it.</summary>
    public const string ResultsHeader = "method,seed,accuracy,faithful_accuracy,unfaithful_rate,majority_vote,pass_at_k,iterations,wall_seconds";

    /// <summary>Columns of results.csv after <see cref="ResultsHeader"/>: greedy metrics, then the paired differences (<see cref="PairedDifferences.Columns"/>, empty where they do not apply).</summary>
    public static IReadOnlyList<string> ExtraColumns { get; } = new[]
    {
        "greedy_accuracy", "greedy_faithful_accuracy", "greedy_unfaithful_rate", "malformed_rate", "prompts", "stop_reason",
    }.Concat(PairedDifferences.Columns).ToArray();

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>results.csv: one row per method and seed.</summary>
    public static string WriteResults(string folder, IReadOnlyList<MethodResult> results)
    {
        var text = new StringBuilder();
        text.Append(ResultsHeader).Append(',').Append(string.Join(',', ExtraColumns)).Append('\n');
        foreach (var r in results)
        {
            var m = r.Metrics;
            var cells = new[]
            {
                r.Method.Name(), Int(r.Seed), Number(m.Accuracy), Number(m.FaithfulAccuracy), Number(m.UnfaithfulRate), Number(m.MajorityVote),
                Number(m.PassAtK), Int(r.Iterations), Number(r.WallSeconds),
                Number(m.GreedyAccuracy), Number(m.GreedyFaithfulAccuracy), Number(m.GreedyUnfaithfulRate), Number(m.MalformedRate),
                Int(m.Prompts), Quote(r.StopReason ?? ""),
            }.Concat(PairedDifferences.Baselines.SelectMany(b => PairedDifferences.Metrics.Select(c =>
                PairedDifferences.Difference(r, c, b, results) is { } d ? Number(d) : "")));
            text.Append(string.Join(',', cells)).Append('\n');
        }
        return Write(folder, "results.csv", text);
    }

    /// <summary>iterations.csv: method,seed,iteration,metric,value for every per-iteration metric and held-out checkpoint.</summary>
    public static string WriteIterations(string folder, IReadOnlyList<IterationRecord> records)
    {
        var text = new StringBuilder("method,seed,iteration,metric,value\n");
        foreach (var r in records)
            text.Append(r.Method.Name()).Append(',').Append(Int(r.Seed)).Append(',').Append(Int(r.Iteration)).Append(',')
                .Append(Quote(r.Metric)).Append(',').Append(Number(r.Value)).Append('\n');
        return Write(folder, "iterations.csv", text);
    }

    /// <summary>influence-scores.csv: the scores behind the histogram (correct-answer episodes of I-PPO).</summary>
    public static string WriteInfluenceSamples(string folder, IReadOnlyList<InfluenceSample> samples)
    {
        var text = new StringBuilder("seed,iteration,score,label,kept\n");
        foreach (var s in samples)
            text.Append(Int(s.Seed)).Append(',').Append(Int(s.Iteration)).Append(',').Append(Number(s.Score)).Append(',')
                .Append(s.Label).Append(',').Append(s.Kept ? "1" : "0").Append('\n');
        return Write(folder, "influence-scores.csv", text);
    }

    /// <summary>results-summary.md: the summary table, then the paired differences to PPO and GRPO.</summary>
    public static string WriteSummary(string folder, IReadOnlyList<SummaryRow> rows, IReadOnlyList<MethodResult> results, ExperimentOptions options) =>
        Write(folder, "results-summary.md", new StringBuilder((SummaryTable.ToMarkdown(rows, options) + PairedDifferences.ToMarkdown(results)).ReplaceLineEndings("\n")));

    private static string Write(string folder, string name, StringBuilder text)
    {
        var path = Path.GetFullPath(Path.Combine(folder, name));
        File.WriteAllText(path, text.ToString(), Utf8);
        return path;
    }

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Quote(string value) =>
        value.IndexOfAny(new[] { ',', '"', '\n', '\r' }) < 0 ? value : "\"" + value.Replace("\"", "\"\"") + "\"";
}
