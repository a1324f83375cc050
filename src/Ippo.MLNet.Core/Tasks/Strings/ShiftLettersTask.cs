namespace Ippo.MLNet.Core.Tasks.Strings;

/// <summary>
/// Copy the word with a rule: every letter becomes the next one of the alphabet, the last wrapping to the first
/// (<c>abh&gt;</c> answers <c>bca</c> with letters a..h): a position-wise map.
/// </summary>
public sealed class ShiftLettersTask : StringTask
{
    /// <summary>Words of 3 to 6 letters from a..h by default.</summary>
    public ShiftLettersTask(string letters = "abcdefgh", int minLength = 3, int maxLength = 6) : base(letters, minLength, maxLength) { }

    /// <inheritdoc />
    public override string Name => StringTasks.ShiftLetters;

    /// <inheritdoc />
    public override string Transform(string word) => new(word.Select(c => Letters[(Letters.IndexOf(c) + 1) % Letters.Length]).ToArray());
}
