using System.IO.Compression;
using System.Text.Json;
using Ippo.MLNet.Core.Generation;
using Ippo.MLNet.Core.Models;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using Ippo.MLNet.Core.Checkpoints;

namespace Ippo.MLNet;

/// <summary>
/// ML.NET model files with policies inside: ML.NET writes its part (schema, other transforms, the policy's custom
/// mapping), and each policy's folder (config.json, model.safetensors, tokenizer.json, transformer.json) is added
/// as zip entries under <c>Ippo/policy-N/</c>, in pipeline order.
/// </summary>
internal static class ModelFile
{
    private const string EntryPrefix = "Ippo/policy-";
    private const string TransformerFile = "transformer.json";

    private sealed record TransformerSettings(PolicyColumns Columns, GenerationOptions Generation, bool FollowsContext = false);

    public static void Save(MLContext mlContext, ITransformer model, DataViewSchema inputSchema, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temp = full + ".tmp-" + Guid.NewGuid().ToString("N")[..8];
        var scratch = Directory.CreateTempSubdirectory("ippo-save-").FullName;
        try
        {
            mlContext.Model.Save(model, inputSchema, temp);
            var policies = Flatten(model).OfType<PolicyTransformer>().ToList();
            using (var zip = ZipFile.Open(temp, ZipArchiveMode.Update))
            {
                for (int k = 0; k < policies.Count; k++)
                {
                    var folder = Path.Combine(scratch, k.ToString());
                    policies[k].Policy.Save(folder);
                    File.WriteAllText(Path.Combine(folder, TransformerFile),
                        JsonSerializer.Serialize(new TransformerSettings(policies[k].Columns, policies[k].Generation, policies[k].FollowsContext), CheckpointJson.Options));
                    foreach (var file in Directory.GetFiles(folder))
                        zip.CreateEntryFromFile(file, $"{EntryPrefix}{k}/{Path.GetFileName(file)}", CompressionLevel.Fastest);
                }
            }
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
            Directory.Delete(scratch, recursive: true);
        }
    }

    public static ITransformer Load(MLContext mlContext, string path, out DataViewSchema inputSchema)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Model file '{path}' does not exist.", path);
        var scratch = Directory.CreateTempSubdirectory("ippo-load-").FullName;
        var policies = new Queue<(Policy Policy, TransformerSettings Settings)>();
        try
        {
            using (var zip = ZipFile.OpenRead(path))
            {
                var groups = zip.Entries.Where(e => e.FullName.StartsWith(EntryPrefix, StringComparison.Ordinal))
                    .GroupBy(e => int.Parse(e.FullName[EntryPrefix.Length..e.FullName.IndexOf('/', EntryPrefix.Length)]))
                    .OrderBy(g => g.Key);
                foreach (var group in groups)
                {
                    var folder = Path.Combine(scratch, group.Key.ToString());
                    Directory.CreateDirectory(folder);
                    foreach (var entry in group) entry.ExtractToFile(Path.Combine(folder, entry.Name));
                    var settings = JsonSerializer.Deserialize<TransformerSettings>(File.ReadAllText(Path.Combine(folder, TransformerFile)), CheckpointJson.Options)
                        ?? throw new InvalidDataException($"'{path}' has an empty {TransformerFile} for policy {group.Key}.");
                    policies.Enqueue((Policy.Load(folder), settings));
                }
            }
            mlContext.ComponentCatalog.RegisterAssembly(typeof(PolicyMappingFactory).Assembly);
            var loaded = mlContext.Model.Load(path, out inputSchema);
            var result = Replace(mlContext, loaded, policies, path);
            if (policies.Count > 0) throw new InvalidDataException($"'{path}' holds {policies.Count} more policies than its pipeline uses.");
            return result;
        }
        catch
        {
            foreach (var (policy, _) in policies) policy.Dispose();
            throw;
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    private static ITransformer Replace(MLContext mlContext, ITransformer loaded, Queue<(Policy Policy, TransformerSettings Settings)> policies, string path)
    {
        if (loaded is CustomMappingTransformer<PromptRow, CompletionRow>)
        {
            if (!policies.TryDequeue(out var next))
                throw new InvalidDataException($"'{path}' has a policy step but no policy weights: it was saved with mlContext.Model.Save; save with mlContext.Ippo().SaveModel.");
            return new PolicyTransformer(mlContext, next.Policy, next.Settings.Columns, next.Settings.Generation) { FollowsContext = next.Settings.FollowsContext };
        }
        if (loaded is IEnumerable<ITransformer> chain)
            return new TransformerChain<ITransformer>(chain.Select(t => Replace(mlContext, t, policies, path)).ToArray());
        return loaded;
    }

    private static IEnumerable<ITransformer> Flatten(ITransformer model) =>
        model is IEnumerable<ITransformer> chain ? chain.SelectMany(Flatten) : new[] { model };
}
