using System.Globalization;

namespace Ippo.MLNet.Core.Logging;

/// <summary>Doubles as invariant text that parses back to the same bits.</summary>
public static class RoundTripNumber
{
    /// <summary>
    /// The shortest "R" form when it parses back to exactly <paramref name="value"/>, else the 17-digit "G17" form
    /// (which always does). NaN and infinities come out as "NaN", "Infinity", "-Infinity".
    /// </summary>
    public static string Format(double value)
    {
        var shortest = value.ToString("R", CultureInfo.InvariantCulture);
        return BitConverter.DoubleToInt64Bits(double.Parse(shortest, CultureInfo.InvariantCulture)) == BitConverter.DoubleToInt64Bits(value)
            ? shortest
            : value.ToString("G17", CultureInfo.InvariantCulture);
    }
}
