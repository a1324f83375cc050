using TorchSharp;
using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Models;

/// <summary>Chooses the device to train on: CPU by default, CUDA when asked for and available.</summary>
public static class DeviceSelector
{
    /// <summary>
    /// <paramref name="gpuDeviceId"/> null means CPU. A GPU id when CUDA is not available either falls back to the
    /// CPU (<paramref name="fallbackToCpu"/>, reported through <paramref name="warn"/>) or throws
    /// <see cref="InvalidOperationException"/> explaining which native package is missing.
    /// </summary>
    public static Device Resolve(int? gpuDeviceId, bool fallbackToCpu, Action<string>? warn = null)
    {
        if (gpuDeviceId is null) return CPU;
        if (gpuDeviceId < 0)
            throw new ArgumentOutOfRangeException(nameof(gpuDeviceId), gpuDeviceId, "The GPU device id must be >= 0 (or null for the CPU).");
        if (cuda.is_available() && gpuDeviceId < cuda.device_count())
            return new Device(DeviceType.CUDA, gpuDeviceId.Value);
        var why = cuda.is_available()
            ? $"GPU {gpuDeviceId} was requested but only {cuda.device_count()} CUDA device(s) are visible."
            : $"GPU {gpuDeviceId} was requested but the loaded libtorch has no CUDA support: the application references " +
              "libtorch-cpu-linux-x64. Reference TorchSharp-cuda-linux (or TorchSharp-cuda-windows) instead, on a machine with an NVIDIA driver.";
        if (!fallbackToCpu) throw new InvalidOperationException(why);
        warn?.Invoke(why + " Falling back to the CPU.");
        return CPU;
    }
}
