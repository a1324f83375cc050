namespace Ippo.MLNet.Core.Tasks.Strings;

/// <summary>Sort the word's letters in alphabet order: <c>dbca&gt;</c> answers <c>abcd</c> (the output depends on the content, not the positions).</summary>
public sealed class SortLettersTask : StringTask
{
    /// <summary>Words of 3 to 6 letters from a..h by default.</summary>
    public SortLettersTask(string letters = "abcdefgh", int minLength = 3, int maxLength = 6) : base(letters, minLength, maxLength) { }

    /// <inheritdoc />
    public override string Name => StringTasks.SortLetters;

    /// <inheritdoc />
    public override string Transform(string word) => new(word.OrderBy(c => Letters.IndexOf(c)).ToArray());
}
