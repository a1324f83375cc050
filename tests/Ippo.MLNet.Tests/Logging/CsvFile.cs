using System.Globalization;

namespace Ippo.MLNet.Tests.Logging;

/// <summary>A metrics CSV as the tests read it: header and rows of cells (no quoting needed for metric names).</summary>
internal sealed record CsvFile(IReadOnlyList<string> Header, IReadOnlyList<IReadOnlyList<string>> Rows)
{
    public static CsvFile Read(string path)
    {
        var lines = File.ReadAllLines(path);
        return new CsvFile(lines[0].Split(','), lines.Skip(1).Select(l => (IReadOnlyList<string>)l.Split(',')).ToList());
    }

    /// <summary>Cell of <paramref name="column"/> in row <paramref name="row"/> as a double; null when empty.</summary>
    public double? Number(int row, string column)
    {
        var cell = Rows[row][Header.ToList().IndexOf(column)];
        return cell.Length == 0 ? null : double.Parse(cell, NumberStyles.Float, CultureInfo.InvariantCulture);
    }
}
