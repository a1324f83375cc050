namespace Ippo.MLNet.Core.Tasks.Strings;

/// <summary>Reverse the word: <c>abc&gt;</c> answers <c>cba</c> (each output position reads a different input position).</summary>
public sealed class ReverseTask : StringTask
{
    /// <summary>Words of 3 to 6 letters from a..h by default.</summary>
    public ReverseTask(string letters = "abcdefgh", int minLength = 3, int maxLength = 6) : base(letters, minLength, maxLength) { }

    /// <inheritdoc />
    public override string Name => StringTasks.Reverse;

    /// <inheritdoc />
    public override string Transform(string word) => new(word.Reverse().ToArray());
}
