namespace Ippo.MLNet.Tests.Notebooks;

/// <summary>A notebook cell that failed to compile or threw while the tests executed it.</summary>
internal sealed class NotebookCellException(int cell, string what, string output, Exception inner)
    : Exception($"cell {cell} {what}\n--- console output so far ---\n{output}", inner)
{
    /// <summary>The cell's 1-based position among all cells, markdown included.</summary>
    public int Cell { get; } = cell;
}
