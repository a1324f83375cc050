namespace Ippo.MLNet.Core.Tasks.Arithmetic;

/// <summary>One written step <c>left op right = result</c>; the result may be wrong.</summary>
/// <param name="Left">Left operand as written.</param>
/// <param name="Operator">'+', '-' or '*'.</param>
/// <param name="Right">Right operand as written.</param>
/// <param name="Result">Result as written.</param>
public sealed record ArithmeticStep(int Left, char Operator, int Right, int Result)
{
    /// <summary>Whether <see cref="Result"/> is the true result of the operation.</summary>
    public bool IsRight => ArithmeticProblem.Apply(Left, Operator, Right) == Result;

    /// <inheritdoc />
    public override string ToString() => $"{Left}{Operator}{Right}={Result}";
}
