using Ippo.MLNet.Reproduction;
using NUnit.Framework;

namespace Ippo.MLNet.Tests.Experiment;

/// <summary>The reproduction's SFT learning-rate option: validated up front, naming the option and the value.</summary>
public class ExperimentOptionsTests
{
    [TestCase(0.0)]
    [TestCase(-1e-3)]
    [TestCase(1.5)]
    [TestCase(double.NaN)]
    public void SftLearningRateOutsideTheRangeIsRejectedByName(double rate)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new ExperimentOptions { SftLearningRate = rate }.Validate());
        Assert.That(error!.ParamName, Is.EqualTo(nameof(ExperimentOptions.SftLearningRate)));
        Assert.That(error.Message, Does.Contain("(0, 1]"));
    }

    [TestCase(1e-3)]
    [TestCase(1.0)]
    public void SftLearningRateInsideTheRangeIsAccepted(double rate) =>
        Assert.That(new ExperimentOptions { SftLearningRate = rate }.Validate().SftLearningRate, Is.EqualTo(rate));
}
