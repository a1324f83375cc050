using Ippo.MLNet.Core.Models;
using static TorchSharp.torch;

namespace Ippo.MLNet.Gsm8k;

/// <summary>The --device option: "cpu", "cuda" or "cuda:N".</summary>
public static class Gsm8kDevice
{
    /// <summary>The GPU index <paramref name="text"/> names, or null for the CPU; an <see cref="ArgumentException"/> for anything else.</summary>
    public static int? Parse(string text)
    {
        var value = (text ?? "").Trim().ToLowerInvariant();
        if (value == "cpu") return null;
        if (value == "cuda") return 0;
        if (value.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(value[5..], out var id) && id >= 0) return id;
        throw new ArgumentException($"--device is \"{text}\"; expected cpu, cuda or cuda:N (N >= 0).");
    }

    /// <summary>
    /// The device <paramref name="text"/> names. CUDA without a CUDA libtorch is an <see cref="InvalidOperationException"/>
    /// saying which package to reference (see <see cref="DeviceSelector.Resolve"/>).
    /// </summary>
    public static Device Resolve(string text) => DeviceSelector.Resolve(Parse(text), fallbackToCpu: false);
}
