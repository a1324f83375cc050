using Ippo.MLNet.Core.Algorithms;
using Ippo.MLNet.Core.Ppo;
using NUnit.Framework;
using static Ippo.MLNet.Tests.Algorithms.AlgorithmTestData;
using static TorchSharp.torch;

namespace Ippo.MLNet.Tests.Algorithms;

public class AdvantageEstimatorsTests
{
    [Test]
    public void EveryBuiltInEstimatorIsRegisteredAndOnlyGaeNeedsACritic()
    {
        var builtIn = new[] { "dr_grpo", "gae", "grpo", "reinforce_plus_plus", "reinforce_plus_plus_baseline", "rloo" };
        Assert.That(AdvantageEstimators.Names, Is.SupersetOf(builtIn));
        foreach (var name in builtIn)
        {
            var estimator = AdvantageEstimators.Get(name);
            Assert.That(estimator.Name, Is.EqualTo(name));
            Assert.That(estimator.NeedsCritic, Is.EqualTo(name == "gae"), name);
            Assert.That(estimator.NeedsGroups, Is.EqualTo(name is not ("gae" or "reinforce_plus_plus")), name);
        }
    }

    [Test]
    public void AnUnknownNameListsTheRegisteredOnes()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => AdvantageEstimators.Get("grpoo"))!;
        Assert.That(error.Message, Does.Contain("'grpoo'").And.Contain("gae").And.Contain("rloo"));
    }

    [Test]
    public void GaeEntryIsGaeWithGammaAndLambdaInTheirPlaces()
    {
        // Hand example of PpoMathTests: rewards [0, 0, 1], values [.5, .6, .7], gamma 1, lambda .5 -> A [.225, .25, .3];
        // swapping gamma and lambda would give delta2 = .3, A1 = (0 + .5 * .7 - .6) + .5 * .3 = -.1, a different row.
        var inputs = new AdvantageInputs(T(new double[,] { { 0, 0, 1, 9 } }), T(new double[,] { { 1, 1, 1, 0 } }),
            Values: T(new double[,] { { 0.5, 0.6, 0.7, 9 } }));
        var settings = new AdvantageSettings { Gamma = 1.0, Lambda = 0.5, WhitenAdvantages = false };
        var (adv, ret) = AdvantageEstimators.Get(AdvantageEstimators.Gae).Compute(inputs, settings);
        Assert.That(Flat(adv), Is.EqualTo(new[] { 0.225, 0.25, 0.3, 0 }).Within(1e-12));
        Assert.That(Flat(ret), Is.EqualTo(new[] { 0.725, 0.85, 1.0, 0 }).Within(1e-12));

        // Whitened: the entry must be MaskedWhiten of the raw advantages (the same code on the same numbers).
        var (whitened, _) = AdvantageEstimators.Get(AdvantageEstimators.Gae).Compute(inputs, settings with { WhitenAdvantages = true });
        Assert.That(Flat(whitened), Is.EqualTo(Flat(MaskedStats.MaskedWhiten(adv, inputs.ResponseMask))).Within(1e-15));
    }

    [Test]
    public void GaeWithoutValuesNamesTheMissingInput()
    {
        var inputs = new AdvantageInputs(T(new double[,] { { 0, 1 } }), T(new double[,] { { 1, 1 } }));
        var error = Assert.Throws<ArgumentException>(() => AdvantageEstimators.Get("gae").Compute(inputs, new AdvantageSettings()))!;
        Assert.That(error.Message, Does.Contain("Values").And.Contain("critic"));
    }

    [Test]
    public void GroupEstimatorsWithoutGroupIdsNameTheMissingInput()
    {
        var inputs = new AdvantageInputs(T(new double[,] { { 0, 1 } }), T(new double[,] { { 1, 1 } }));
        var error = Assert.Throws<ArgumentException>(() => AdvantageEstimators.Get("rloo").Compute(inputs, new AdvantageSettings()))!;
        Assert.That(error.Message, Does.Contain("GroupIds").And.Contain("'rloo'"));
    }

    [Test]
    public void GroupEstimatorsScoreEachEpisodeByItsMaskedRewardSum()
    {
        // Token rewards with a -0.1 KL share on each response token and the score on the last; padding holds junk (50).
        // Masked sums: row 0: -.1 + (1 - .1) = .8; row 1: -.1 + (0 - .1) = -.2 (lengths 2, 2); rows 2, 3 of length 1: 0 and .5.
        var rewards = T(new double[,] { { -0.1, 0.9, 50 }, { -0.1, -0.1, 50 }, { 0, 50, 50 }, { 0.5, 50, 50 } });
        var mask = T(new double[,] { { 1, 1, 0 }, { 1, 1, 0 }, { 1, 0, 0 }, { 1, 0, 0 } });
        var ids = Ids(0, 0, 1, 1);
        var (viaRegistry, _) = AdvantageEstimators.Get("grpo").Compute(new AdvantageInputs(rewards, mask, ids), new AdvantageSettings());
        var (direct, _) = GroupAdvantages.Grpo(T(new[] { 0.8, -0.2, 0, 0.5 }), mask, ids);
        Assert.That(Flat(viaRegistry), Is.EqualTo(Flat(direct)).Within(1e-12));
    }

    [Test]
    public void ARegisteredEstimatorIsFoundByNameAndItsInputsAreChecked()
    {
        // A toy estimator: the advantage is the token reward itself (no baseline).
        var custom = new AdvantageEstimator("test_identity", needsCritic: false, needsGroups: false,
            (inputs, _) => (inputs.TokenLevelRewards * inputs.ResponseMask, inputs.TokenLevelRewards * inputs.ResponseMask));
        AdvantageEstimators.Register(custom);
        Assert.That(AdvantageEstimators.Get("test_identity"), Is.SameAs(custom));
        var (adv, _) = custom.Compute(new AdvantageInputs(T(new double[,] { { 2, 3 } }), T(new double[,] { { 1, 0 } })), new AdvantageSettings());
        Assert.That(Flat(adv), Is.EqualTo(new double[] { 2, 0 }));
        var mismatch = new AdvantageInputs(T(new double[,] { { 2, 3 } }), T(new double[,] { { 1, 0, 0 } }));
        Assert.That(() => custom.Compute(mismatch, new AdvantageSettings()), Throws.ArgumentException.With.Message.Contain("ResponseMask"));
    }

    [TestCase(nameof(AdvantageSettings.Gamma))]
    [TestCase(nameof(AdvantageSettings.Lambda))]
    [TestCase(nameof(AdvantageSettings.Epsilon))]
    public void SettingsOutOfRangeAreNamed(string setting)
    {
        var settings = setting switch
        {
            nameof(AdvantageSettings.Gamma) => new AdvantageSettings { Gamma = 1.5 },
            nameof(AdvantageSettings.Lambda) => new AdvantageSettings { Lambda = -0.1 },
            _ => new AdvantageSettings { Epsilon = 0 },
        };
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => settings.Validate())!;
        Assert.That(error.Message, Does.Contain($"AdvantageSettings.{setting}"));
    }
    [Test]
    public void ReinforcePlusPlusWhitensTheDiscountedRewardToGo()
    {
        // gamma .5. Row 0 rewards [0, 0, 1] -> returns [.25, .5, 1]; row 1 [0, 2, junk on padding] -> [1, 2, 0].
        // Tokens .25 .5 1 1 2: mean .95, deviations -.7 -.45 .05 .05 1.05, squares sum 1.8, Bessel var 1.8 / 4 = .45.
        var inputs = new AdvantageInputs(T(new double[,] { { 0, 0, 1 }, { 0, 2, 7 } }), T(new double[,] { { 1, 1, 1 }, { 1, 1, 0 } }));
        var (adv, ret) = AdvantageEstimators.Get(AdvantageEstimators.ReinforcePlusPlus).Compute(inputs, new AdvantageSettings { Gamma = 0.5 });
        Assert.That(Flat(ret), Is.EqualTo(new[] { 0.25, 0.5, 1, 1, 2, 0 }).Within(1e-15));
        double s = Math.Sqrt(0.45 + 1e-8);
        Assert.That(Flat(adv), Is.EqualTo(new[] { -0.7 / s, -0.45 / s, 0.05 / s, 0.05 / s, 1.05 / s, 0 }).Within(1e-12));
    }
}
