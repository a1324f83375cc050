namespace Ippo.MLNet.Core.Tasks.Arithmetic;

/// <summary>
/// A chain of operations applied left to right, e.g. 23+45-12. Its prompt is <c>23+45-12=</c> and its gold
/// completion writes every step, then the answer: <c>23+45=68,68-12=56;56</c>.
/// </summary>
public sealed record ArithmeticProblem
{
    /// <summary>Creates the problem; operands must be one more than operators.</summary>
    public ArithmeticProblem(IReadOnlyList<int> operands, IReadOnlyList<char> operators)
    {
        if (operands.Count != operators.Count + 1 || operators.Count == 0)
            throw new ArgumentException($"A problem needs n >= 1 operators and n + 1 operands; got {operators.Count} and {operands.Count}.");
        Operands = operands.ToArray();
        Operators = operators.ToArray();
        var results = new int[operators.Count];
        int value = operands[0];
        for (int i = 0; i < operators.Count; i++) results[i] = value = Apply(value, operators[i], operands[i + 1]);
        IntermediateResults = results;
    }

    /// <summary>The numbers, in order.</summary>
    public IReadOnlyList<int> Operands { get; }

    /// <summary>The operators ('+', '-', '*'), in order.</summary>
    public IReadOnlyList<char> Operators { get; }

    /// <summary>The result after each operation; the last one is the answer.</summary>
    public IReadOnlyList<int> IntermediateResults { get; }

    /// <summary>The final result.</summary>
    public int Answer => IntermediateResults[^1];

    /// <summary>The prompt text, e.g. <c>23+45-12=</c>.</summary>
    public string Prompt => string.Concat(Operands.Select((x, i) => i == 0 ? x.ToString() : $"{Operators[i - 1]}{x}")) + "=";

    /// <summary>The faithful completion, e.g. <c>23+45=68,68-12=56;56</c> (EOS not included).</summary>
    public string GoldCompletion => ArithmeticTrace.Write(ArithmeticTrace.GoldSteps(this), Answer);

    /// <summary>Applies one operation.</summary>
    public static int Apply(int left, char op, int right) => op switch
    {
        '+' => left + right,
        '-' => left - right,
        '*' => left * right,
        _ => throw new ArgumentException($"Unknown operator '{op}' (known: + - *).", nameof(op)),
    };
}
