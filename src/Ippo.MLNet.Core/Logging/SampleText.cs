using System.Globalization;
using Ippo.MLNet.Core.Influence;
using Ippo.MLNet.Core.Ppo;

namespace Ippo.MLNet.Core.Logging;

/// <summary>Sample completions as a Markdown table (TensorBoard's text plugin renders Markdown).</summary>
public static class SampleText
{
    /// <summary>
    /// One row per episode: prompt, completion, reward, and the influence score and decision when
    /// <paramref name="scored"/> (the same buffer's scored episodes, in the same order) is given.
    /// </summary>
    public static string Table(IReadOnlyList<Episode> episodes, IReadOnlyList<ScoredEpisode>? scored = null)
    {
        var lines = new List<string>
        {
            scored is null ? "| prompt | completion | reward |" : "| prompt | completion | reward | influence score | kept |",
            scored is null ? "| --- | --- | --- |" : "| --- | --- | --- | --- | --- |",
        };
        for (int i = 0; i < episodes.Count; i++)
        {
            var e = episodes[i];
            var row = $"| {Cell(e.Prompt)} | {Cell(e.Completion)} | {e.Reward.ToString("G4", CultureInfo.InvariantCulture)} |";
            if (scored is not null)
                row += $" {scored[i].Score.ToString("G4", CultureInfo.InvariantCulture)} | {(scored[i].Kept ? "yes" : "no")} |";
            lines.Add(row);
        }
        return string.Join('\n', lines);
    }

    private static string Cell(string text) => text.Replace("\\", "\\\\").Replace("|", "\\|").Replace("\r", "").Replace("\n", "<br>");
}
