using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Generation;

/// <summary>Turns token-id lists into padded tensors.</summary>
public static class PromptBatch
{
    /// <summary>Left-pads prompts: (tokens [batch, maxLength] int64, mask [batch, maxLength] float32).</summary>
    public static (Tensor Tokens, Tensor Mask) LeftPad(IReadOnlyList<int[]> rows, int padId, Device device) => Pad(rows, padId, device, left: true);

    /// <summary>Right-pads sequences: (tokens [batch, maxLength] int64, mask [batch, maxLength] float32).</summary>
    public static (Tensor Tokens, Tensor Mask) RightPad(IReadOnlyList<int[]> rows, int padId, Device device) => Pad(rows, padId, device, left: false);

    private static (Tensor, Tensor) Pad(IReadOnlyList<int[]> rows, int padId, Device device, bool left)
    {
        int width = Math.Max(1, rows.Max(r => r.Length));
        var ids = new long[rows.Count * width];
        var mask = new float[rows.Count * width];
        for (int i = 0; i < rows.Count; i++)
        {
            int offset = left ? width - rows[i].Length : 0;
            for (int j = 0; j < width; j++) ids[i * width + j] = padId;
            for (int j = 0; j < rows[i].Length; j++)
            {
                ids[i * width + offset + j] = rows[i][j];
                mask[i * width + offset + j] = 1f;
            }
        }
        var shape = new long[] { rows.Count, width };
        return (tensor(ids, shape, device: device), tensor(mask, shape, device: device));
    }
}
