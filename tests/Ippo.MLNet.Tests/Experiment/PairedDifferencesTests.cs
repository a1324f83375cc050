using Ippo.MLNet.Core.Evaluation;
using Ippo.MLNet.Reproduction;
using NUnit.Framework;

namespace Ippo.MLNet.Tests.Experiment;

/// <summary>Per-seed differences to PPO and GRPO, against values worked out by hand.</summary>
public class PairedDifferencesTests
{
    private static MethodResult Row(ExperimentMethod method, int seed, double accuracy, double faithful, double unfaithful) =>
        new(method, seed, new PolicyMetrics { Accuracy = accuracy, FaithfulAccuracy = faithful, UnfaithfulRate = unfaithful }, 10, 1, null);

    private static readonly MethodResult[] Results =
    {
        Row(ExperimentMethod.Sft, 1, 0.50, 0.25, 0.40), Row(ExperimentMethod.Ppo, 1, 0.75, 0.625, 0.125),
        Row(ExperimentMethod.IPpo, 1, 0.875, 0.75, 0.0625), Row(ExperimentMethod.Grpo, 1, 0.5, 0.5, 0.0),
        Row(ExperimentMethod.IGrpo, 1, 0.625, 0.375, 0.25),
        Row(ExperimentMethod.Ppo, 2, 0.5, 0.25, 0.5), Row(ExperimentMethod.IPpo, 2, 0.25, 0.25, 0.0),
        Row(ExperimentMethod.IPpo, 3, 0.25, 0.25, 0.0),
    };

    [Test]
    public void DifferencesAreToTheSameSeedsBaseline()
    {
        var ippo1 = Results[2];
        Assert.That(PairedDifferences.Difference(ippo1, "accuracy", ExperimentMethod.Ppo, Results), Is.EqualTo(0.125));
        Assert.That(PairedDifferences.Difference(ippo1, "faithful_accuracy", ExperimentMethod.Ppo, Results), Is.EqualTo(0.125));
        Assert.That(PairedDifferences.Difference(ippo1, "unfaithful_rate", ExperimentMethod.Ppo, Results), Is.EqualTo(-0.0625));
        Assert.That(PairedDifferences.Difference(Results[6], "accuracy", ExperimentMethod.Ppo, Results), Is.EqualTo(-0.25), "seed 2 against seed 2's PPO");
        Assert.That(PairedDifferences.Difference(Results[7], "accuracy", ExperimentMethod.Ppo, Results), Is.Null, "no PPO on seed 3");
        Assert.That(PairedDifferences.Difference(Results[4], "accuracy", ExperimentMethod.Grpo, Results), Is.EqualTo(0.125));
        Assert.That(PairedDifferences.Difference(Results[4], "faithful_accuracy", ExperimentMethod.Ppo, Results), Is.EqualTo(-0.25));
        Assert.That(PairedDifferences.Difference(ippo1, "accuracy", ExperimentMethod.Grpo, Results), Is.Null, "I-PPO is not compared with GRPO");
        Assert.That(PairedDifferences.Difference(Results[1], "accuracy", ExperimentMethod.Ppo, Results), Is.EqualTo(0));
    }

    [Test]
    public void MarkdownHasMeanStdAndPerSeedValues()
    {
        var text = PairedDifferences.ToMarkdown(Results);
        // I-PPO vs PPO accuracy: +12.5 (seed 1), -25.0 (seed 2); mean -6.25, std sqrt(2 * 18.75^2) = 26.5; seed 3 has no PPO.
        Assert.That(text, Does.Contain("| I-PPO | 2 | -6.3 ± 26.5 (+12.5, -25.0) |"));
        Assert.That(text, Does.Contain("| I-GRPO | 1 | +12.5 ± 0.0 (+12.5) | -12.5 ± 0.0 (-12.5) | +25.0 ± 0.0 (+25.0) |"));
        Assert.That(text, Does.Contain("| SFT | 1 | -25.0 ± 0.0 (-25.0) |"));
    }

    [Test]
    public void ColumnsFollowTheBaselinesAndMetrics()
    {
        Assert.That(PairedDifferences.Columns, Is.EqualTo(new[]
        {
            "accuracy_minus_ppo", "faithful_accuracy_minus_ppo", "unfaithful_rate_minus_ppo",
            "accuracy_minus_grpo", "faithful_accuracy_minus_grpo", "unfaithful_rate_minus_grpo",
        }));
        Assert.That(ResultsWriter.ExtraColumns.TakeLast(6), Is.EqualTo(PairedDifferences.Columns), "the differences go after the existing columns");
    }
}
