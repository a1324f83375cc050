namespace Ippo.MLNet.Core.Tasks.Gsm8k;

/// <summary>Finds the GSM8K folder: <see cref="EnvironmentVariable"/>, else shared/data/gsm8k above the working directory.</summary>
public static class Gsm8kDataLocator
{
    /// <summary>The environment variable naming a folder that holds train.jsonl and test.jsonl.</summary>
    public const string EnvironmentVariable = "IPPO_GSM8K_DIR";

    /// <summary>True with the folder when the data is found.</summary>
    public static bool TryFindDirectory(out string? directory)
    {
        directory = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrEmpty(directory)) return File.Exists(Path.Combine(directory, "test.jsonl"));
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data", "gsm8k");
            if (File.Exists(Path.Combine(candidate, "test.jsonl")))
            {
                directory = candidate;
                return true;
            }
        }
        directory = null;
        return false;
    }
}
