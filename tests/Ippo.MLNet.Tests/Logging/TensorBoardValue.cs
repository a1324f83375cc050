namespace Ippo.MLNet.Tests.Logging;

/// <summary>One summary value: its tag and whichever payload it carries.</summary>
internal sealed record TensorBoardValue(string Tag, float? SimpleValue, TensorBoardHistogram? Histogram, IReadOnlyList<string> Strings);
