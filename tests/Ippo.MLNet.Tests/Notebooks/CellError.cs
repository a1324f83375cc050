namespace Ippo.MLNet.Tests.Notebooks;

/// <summary>A compile error in one notebook cell.</summary>
/// <param name="Cell">The cell's 1-based position among all cells of the notebook, markdown included.</param>
/// <param name="Text">The diagnostic, starting with its (line,column) inside the cell.</param>
internal sealed record CellError(int Cell, string Text);
