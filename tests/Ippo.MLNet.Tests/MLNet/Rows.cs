namespace Ippo.MLNet.Tests.MLNet;

public sealed class QuestionRow
{
    public string Question { get; set; } = "";
    public string Answer { get; set; } = "";
}

public sealed class SftRow
{
    public string Prompt { get; set; } = "";
    public string Completion { get; set; } = "";
}

public sealed class NumericRow
{
    public float Prompt { get; set; }
}

public sealed class EpisodeRow
{
    public string Prompt { get; set; } = "";
    public string Completion { get; set; } = "";
    public float Advantage { get; set; }
    public int Id { get; set; }
}
