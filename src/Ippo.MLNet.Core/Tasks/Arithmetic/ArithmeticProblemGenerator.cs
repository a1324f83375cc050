namespace Ippo.MLNet.Core.Tasks.Arithmetic;

/// <summary>Draws random problems within <see cref="ArithmeticTaskOptions"/>; the same seed gives the same problems.</summary>
public sealed class ArithmeticProblemGenerator
{
    private const int MaxAttempts = 100_000;
    private readonly ArithmeticTaskOptions _options;
    private readonly Random _random;
    private readonly char[] _operators;

    /// <summary>Creates a generator for <paramref name="options"/> (validated) seeded with <paramref name="seed"/>.</summary>
    public ArithmeticProblemGenerator(ArithmeticTaskOptions options, int seed)
    {
        _options = (options ?? throw new ArgumentNullException(nameof(options))).Validate();
        _random = new Random(seed);
        _operators = options.AllowMultiply ? new[] { '+', '-', '*' } : new[] { '+', '-' };
    }

    /// <summary>The next problem whose every intermediate result lies in [MinResult, MaxResult].</summary>
    public ArithmeticProblem Next()
    {
        for (int attempt = 0; attempt < MaxAttempts; attempt++)
        {
            int n = _random.Next(_options.MinOperations, _options.MaxOperations + 1);
            var operators = new char[n];
            var operands = new int[n + 1];
            operands[0] = Operand();
            for (int i = 0; i < n; i++)
            {
                operators[i] = _operators[_random.Next(_operators.Length)];
                operands[i + 1] = operators[i] == '*' ? _random.Next(2, 10) : Operand();
            }
            var problem = new ArithmeticProblem(operands, operators);
            if (problem.IntermediateResults.All(InRange)) return problem;
        }
        throw new InvalidOperationException(
            $"No problem with results in [{_options.MinResult}, {_options.MaxResult}] was found in {MaxAttempts} draws; widen MinResult/MaxResult or narrow the operands.");
    }

    /// <summary>The next <paramref name="count"/> problems.</summary>
    public IReadOnlyList<ArithmeticProblem> Take(int count) => Enumerable.Range(0, count).Select(_ => Next()).ToList();

    /// <summary>Whether a value lies in the allowed result range.</summary>
    public bool InRange(int value) => value >= _options.MinResult && value <= _options.MaxResult;

    private int Operand() => _random.Next(_options.MinOperand, _options.MaxOperand + 1);
}
