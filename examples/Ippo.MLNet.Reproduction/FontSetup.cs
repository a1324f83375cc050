using ScottPlot;

namespace Ippo.MLNet.Reproduction;

/// <summary>
/// Makes sure ScottPlot has a font it can draw text with. SkiaSharp's Linux natives without dependencies do not use
/// fontconfig, so the default family may resolve to nothing; registering a TrueType file found on disk fixes that.
/// </summary>
internal static class FontSetup
{
    private static readonly string[] Candidates =
    {
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/TTF/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    };

    private static bool _done;

    private static string BoldOf(string path) =>
        path.Contains("-Regular", StringComparison.Ordinal) ? path.Replace("-Regular", "-Bold", StringComparison.Ordinal) : path.Replace(".ttf", "-Bold.ttf", StringComparison.Ordinal);

    /// <summary>Registers the first font file found (once); does nothing when none exists.</summary>
    public static void Ensure()
    {
        if (_done) return;
        _done = true;
        if (Candidates.FirstOrDefault(File.Exists) is { } path)
        {
            Fonts.AddFontFile("Ippo Sans", path, bold: false, italic: false);
            // Titles and axis labels ask for bold; without a bold face ScottPlot falls back to another family.
            var bold = BoldOf(path);
            Fonts.AddFontFile("Ippo Sans", File.Exists(bold) ? bold : path, bold: true, italic: false);
            Fonts.Default = "Ippo Sans";
        }
    }
}
