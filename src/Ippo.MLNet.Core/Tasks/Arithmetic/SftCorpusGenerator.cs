using Ippo.MLNet.Core.Evaluation;

namespace Ippo.MLNet.Core.Tasks.Arithmetic;

/// <summary>
/// Writes SFT traces of the three kinds. Unfaithful: either one step's result is off by 1..3 while the next step
/// continues from the true value (e.g. <c>23+45=67,68-12=56;56</c>), or one non-final step is left out; the answer
/// is right. Wrong: one step's result is off by 1..3 and the error carries to the answer.
/// </summary>
public sealed class SftCorpusGenerator
{
    private readonly ArithmeticProblemGenerator _problems;
    private readonly SftCorpusOptions _mix;
    private readonly Random _random;

    /// <summary>Creates a generator; the same options and seed give the same corpus.</summary>
    public SftCorpusGenerator(ArithmeticTaskOptions task, SftCorpusOptions mix, int seed)
    {
        _problems = new ArithmeticProblemGenerator(task, seed);
        _mix = (mix ?? throw new ArgumentNullException(nameof(mix))).Validate();
        _random = new Random(unchecked(seed * 7919 + 17));
    }

    /// <summary>The next example; its kind is drawn from the mix.</summary>
    public SftExample Next()
    {
        double u = _random.NextDouble();
        var kind = u < _mix.GoldFraction ? TraceLabel.CorrectFaithful
            : u < _mix.GoldFraction + _mix.UnfaithfulFraction ? TraceLabel.CorrectUnfaithful
            : TraceLabel.Wrong;
        while (true)
        {
            var problem = _problems.Next();
            var completion = kind switch
            {
                TraceLabel.CorrectFaithful => problem.GoldCompletion,
                TraceLabel.CorrectUnfaithful => Unfaithful(problem),
                _ => Wrong(problem),
            };
            if (completion is not null) return new SftExample(problem.Prompt, completion, kind);
        }
    }

    /// <summary>The next <paramref name="count"/> examples.</summary>
    public IReadOnlyList<SftExample> Take(int count) => Enumerable.Range(0, count).Select(_ => Next()).ToList();

    private string? Unfaithful(ArithmeticProblem problem)
    {
        var steps = ArithmeticTrace.GoldSteps(problem).ToList();
        if (steps.Count < 2) return null;
        int k = _random.Next(steps.Count - 1);
        if (_random.Next(2) == 0)
        {
            steps.RemoveAt(k);
        }
        else
        {
            int wrong = steps[k].Result + Offset();
            if (!_problems.InRange(wrong)) return null;
            steps[k] = steps[k] with { Result = wrong };
        }
        return ArithmeticTrace.Write(steps, problem.Answer);
    }

    private string? Wrong(ArithmeticProblem problem)
    {
        var steps = ArithmeticTrace.GoldSteps(problem).ToList();
        int k = _random.Next(steps.Count);
        int value = steps[k].Result + Offset();
        if (!_problems.InRange(value)) return null;
        steps[k] = steps[k] with { Result = value };
        for (int i = k + 1; i < steps.Count; i++)
        {
            value = ArithmeticProblem.Apply(value, steps[i].Operator, steps[i].Right);
            if (!_problems.InRange(value)) return null;
            steps[i] = steps[i] with { Left = steps[i - 1].Result, Result = value };
        }
        return ArithmeticTrace.Write(steps, value);
    }

    private int Offset() => (_random.Next(2) == 0 ? -1 : 1) * _random.Next(1, 4);
}
