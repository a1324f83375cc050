using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ippo.MLNet.Core.Checkpoints;

/// <summary>
/// The JSON settings of every file the library writes and reads back (configs, trainer and filter state): numbers
/// come back bit for bit (<see cref="RoundTripFloatConverter{T}"/>), enums are written by name.
/// </summary>
public static class CheckpointJson
{
    /// <summary>Indented, exact numbers, enums by name.</summary>
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions
        {
            WriteIndented = true,
            Converters = { new RoundTripFloatConverter<double>(), new RoundTripFloatConverter<float>(), new JsonStringEnumConverter() },
        };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
