using static TorchSharp.torch;

namespace Ippo.MLNet.Tests.Algorithms;

/// <summary>A small batch of two interleaved groups with ids 7 and 3, shared by the GRPO-family tests.</summary>
internal static class AlgorithmTestData
{
    // Group 7 = rows 0, 2 with scores [1, 3]: mean 2, Bessel std sqrt((1 + 1) / 1) = sqrt 2.
    // Group 3 = rows 1, 3, 4 with scores [0, 0, 3]: mean 1, Bessel std sqrt((1 + 1 + 4) / 2) = sqrt 3.
    public static readonly long[] GroupIds = { 7, 3, 7, 3, 3 };
    public static readonly double[] Scores = { 1, 0, 3, 0, 3 };

    // Response lengths [2, 1, 2, 1, 1]; the third column is padding.
    public static readonly double[,] Mask = { { 1, 1, 0 }, { 1, 0, 0 }, { 1, 1, 0 }, { 1, 0, 0 }, { 1, 0, 0 } };

    public static Tensor T(double[,] x) => tensor(x, ScalarType.Float64);
    public static Tensor T(double[] x) => tensor(x, ScalarType.Float64);
    public static Tensor Ids(params long[] ids) => tensor(ids, ScalarType.Int64);
    public static double[] Flat(Tensor t) => t.to(ScalarType.Float64).contiguous().data<double>().ToArray();

    /// <summary>perEpisode[i] on each of row i's response tokens, 0 on padding: what the estimators return.</summary>
    public static double[] OnMask(double[] perEpisode, double[,] mask)
    {
        var result = new double[mask.Length];
        for (int i = 0; i < mask.GetLength(0); i++)
            for (int j = 0; j < mask.GetLength(1); j++)
                result[i * mask.GetLength(1) + j] = perEpisode[i] * mask[i, j];
        return result;
    }
}
