using Ippo.MLNet.Core.Evaluation;
using Ippo.MLNet.Core.Ppo;
using ScottPlot;

namespace Ippo.MLNet.Reproduction;

/// <summary>The experiment's figures (PNG, ScottPlot): curves averaged over seeds, and the influence-score histogram.</summary>
public static class Plots
{
    private const int Width = 900;
    private const int Height = 560;

    /// <summary>Writes every figure into <paramref name="folder"/> and returns their full paths.</summary>
    public static IReadOnlyList<string> WriteAll(string folder, IReadOnlyList<IterationRecord> records, IReadOnlyList<InfluenceSample> samples)
    {
        FontSetup.Ensure();
        return new[]
        {
            Curve(folder, "accuracy-vs-iteration.png", records, HeldOutMetrics.Accuracy, "Held-out accuracy (one sample per prompt, temperature 1)", "accuracy", carryForward: true),
            Curve(folder, "unfaithful-rate-vs-iteration.png", records, HeldOutMetrics.UnfaithfulRate, "Unfaithful rate among correct held-out answers (temperature 1)", "unfaithful rate", carryForward: true),
            Curve(folder, "kept-fraction-vs-iteration.png", records, MetricNames.KeptFraction, "Fraction of each rollout buffer used by the update", "kept fraction", carryForward: false),
            Curve(folder, "update-seconds-vs-iteration.png", records, MetricNames.UpdateSeconds, "Update compute per iteration (wall seconds of the policy update)", "seconds", carryForward: false, fraction: false),
            Histogram(folder, "influence-score-histogram.png", samples),
        };
    }

    /// <summary>
    /// One line per method: the mean over seeds of <paramref name="metric"/> at each iteration it was recorded. With
    /// <paramref name="carryForward"/> (held-out checkpoints), a seed whose run stopped early keeps its last value at the
    /// later checkpoints of the other seeds: its final policy is what it is. Without it (buffer metrics), the mean is over
    /// the seeds that ran that iteration. A <paramref name="fraction"/> is drawn on [0, 1]; anything else from 0 to its maximum.
    /// </summary>
    public static string Curve(string folder, string name, IReadOnlyList<IterationRecord> records, string metric, string title, string yLabel, bool carryForward, bool fraction = true)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        int maxIteration = records.Count == 0 ? 1 : Math.Max(1, records.Max(r => r.Iteration));
        foreach (var method in ExperimentMethods.All)
        {
            var points = MeanOverSeeds(records.Where(r => r.Method == method && r.Metric == metric && double.IsFinite(r.Value)).ToList(), carryForward);
            if (points.Count == 0) continue;
            var color = palette.GetColor((int)method);
            if (method == ExperimentMethod.Sft)
            {
                // No RL: its value at the warm start holds for every iteration.
                var line = plot.Add.Scatter(new[] { 0.0, maxIteration }, new[] { points[0].Y, points[0].Y });
                line.Color = color;
                line.LinePattern = LinePattern.Dashed;
                line.MarkerSize = 0;
                line.LegendText = method.Name();
                continue;
            }
            var scatter = plot.Add.Scatter(points.Select(p => p.X).ToArray(), points.Select(p => p.Y).ToArray());
            scatter.Color = color;
            scatter.LineWidth = 2;
            scatter.MarkerSize = 5;
            scatter.LegendText = method.Name();
        }
        plot.Title(title);
        plot.XLabel("iteration");
        plot.YLabel(yLabel);
        double top = fraction ? 1.05 : 1.05 * Math.Max(1e-9, records.Where(r => r.Metric == metric && double.IsFinite(r.Value)).Select(r => r.Value).DefaultIfEmpty(1).Max());
        plot.Axes.SetLimitsY(fraction ? -0.02 : 0, top);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        plot.ShowLegend(Edge.Right);
        return Save(plot, folder, name);
    }

    private static List<(double X, double Y)> MeanOverSeeds(IReadOnlyList<IterationRecord> records, bool carryForward)
    {
        var bySeed = records.GroupBy(r => r.Seed).Select(g => g.OrderBy(r => r.Iteration).ToList()).ToList();
        var points = new List<(double X, double Y)>();
        foreach (var iteration in records.Select(r => r.Iteration).Distinct().Order())
        {
            var values = bySeed
                .Select(seed => carryForward ? seed.LastOrDefault(r => r.Iteration <= iteration) : seed.FirstOrDefault(r => r.Iteration == iteration))
                .Where(r => r is not null).Select(r => r!.Value).ToList();
            if (values.Count > 0) points.Add((iteration, values.Average()));
        }
        return points;
    }

    /// <summary>Overlaid histograms of the influence scores of faithful and unfaithful correct-answer I-PPO episodes.</summary>
    public static string Histogram(string folder, string name, IReadOnlyList<InfluenceSample> samples)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        var finite = samples.Where(s => double.IsFinite(s.Score)).ToList();
        if (finite.Count > 0)
        {
            double min = finite.Min(s => s.Score), max = finite.Max(s => s.Score);
            if (max <= min) { min -= 1e-9; max += 1e-9; }
            int bins = Math.Clamp((int)Math.Ceiling(Math.Sqrt(finite.Count)), 5, 40);
            double width = (max - min) / bins;
            var groups = new[] { (TraceLabel.CorrectFaithful, "faithful (correct)"), (TraceLabel.CorrectUnfaithful, "unfaithful (correct)") };
            for (int g = 0; g < groups.Length; g++)
            {
                var scores = finite.Where(s => s.Label == groups[g].Item1).Select(s => s.Score).ToList();
                var counts = new double[bins];
                foreach (var s in scores) counts[Math.Min(bins - 1, (int)((s - min) / width))]++;
                var color = palette.GetColor(g == 0 ? 2 : 3).WithAlpha(0.55);
                var bars = plot.Add.Bars(Enumerable.Range(0, bins).Select(i => new Bar
                {
                    Position = min + (i + 0.5) * width, Value = counts[i], Size = width, FillColor = color, LineWidth = 0,
                }).ToList());
                bars.LegendText = $"{groups[g].Item2}: n = {scores.Count}, mean = {(scores.Count == 0 ? double.NaN : scores.Average()):G3}";
            }
            var zero = plot.Add.VerticalLine(0);
            zero.Color = Colors.Black;
            zero.LinePattern = LinePattern.Dotted;
            plot.ShowLegend(Edge.Bottom);
            plot.Axes.Margins(bottom: 0);
        }
        else
        {
            plot.Add.Annotation("No correct-answer I-PPO episodes were recorded.");
            plot.Axes.SetLimits(-1, 1, 0, 1);
        }
        plot.Title("Influence scores of correct-answer I-PPO episodes (all iterations, all seeds)");
        plot.XLabel("influence score (dot product with the validation gradient)");
        plot.YLabel("episodes");
        return Save(plot, folder, name);
    }

    private static string Save(Plot plot, string folder, string name)
    {
        var path = Path.GetFullPath(Path.Combine(folder, name));
        plot.SavePng(path, Width, Height);
        return path;
    }
}
