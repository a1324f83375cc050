using Ippo.MLNet.Core.Models;

namespace Ippo.MLNet.Tests.Models;

/// <summary>Tiny configurations shared by the unit tests.</summary>
internal static class TinyModels
{
    public const int Pad = 0;
    public const int Eos = 2;

    public static GptConfig Config(long seed = 7, bool tied = true) => new()
    {
        VocabSize = 20, ContextLength = 48, Width = 32, Layers = 2, Heads = 4, TieEmbeddings = tied, InitSeed = seed,
    };

    public static GptLanguageModel Model(long seed = 7, bool tied = true) => new(Config(seed, tied));

    public static readonly int[][] RaggedPrompts = { new[] { 3, 4, 5 }, new[] { 6 }, new[] { 7, 8, 9, 10, 11, 12 }, new[] { 13, 14 } };
}
