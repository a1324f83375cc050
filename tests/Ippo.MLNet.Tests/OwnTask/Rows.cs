namespace Ippo.MLNet.Tests.OwnTask;

public sealed class WordRow
{
    public string Prompt { get; set; } = "";
    public string Answer { get; set; } = "";
}
