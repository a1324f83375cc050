using Ippo.MLNet.Core.Logging;

namespace Ippo.MLNet;

/// <summary>Merges the ML.NET options' logging shortcuts into the core trainer's <see cref="MetricsLogOptions"/>.</summary>
internal static class LoggingMerge
{
    public static MetricsLogOptions With(MetricsLogOptions logging, string? tensorBoardFolder, string? csvFile, string owner, string inner)
    {
        ArgumentNullException.ThrowIfNull(logging, $"{owner}.{inner}");
        return logging with
        {
            TensorBoardFolder = Pick(logging.TensorBoardFolder, tensorBoardFolder, $"{owner}.TensorBoardFolder", $"{owner}.{inner}.{nameof(MetricsLogOptions.TensorBoardFolder)}"),
            CsvFile = Pick(logging.CsvFile, csvFile, $"{owner}.MetricsCsvFile", $"{owner}.{inner}.{nameof(MetricsLogOptions.CsvFile)}"),
        };
    }

    private static string? Pick(string? inner, string? outer, string outerName, string innerName) =>
        inner is not null && outer is not null && inner != outer
            ? throw new ArgumentException($"{outerName} is \"{outer}\" but {innerName} is \"{inner}\"; set one of them.")
            : outer ?? inner;
}
