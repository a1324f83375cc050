using Microsoft.ML.Transforms;

namespace Ippo.MLNet;

/// <summary>
/// Lets ML.NET rebuild the inner custom mapping of a saved <see cref="PolicyTransformer"/>. The weights are not in
/// ML.NET's part of the file, so <see cref="IppoCatalog.LoadModel"/> replaces each rebuilt mapping with a
/// <see cref="PolicyTransformer"/> read from the model file's Ippo entries; a mapping loaded any other way says so.
/// </summary>
[CustomMappingFactoryAttribute(ContractName)]
public sealed class PolicyMappingFactory : CustomMappingFactory<PromptRow, CompletionRow>
{
    /// <summary>The contract name recorded in saved models.</summary>
    public const string ContractName = "Ippo.MLNet.Policy";

    /// <inheritdoc />
    public override Action<PromptRow, CompletionRow> GetMapping() => (_, _) =>
        throw new InvalidOperationException(
            "This policy was loaded with mlContext.Model.Load, which cannot restore its weights. Load it with mlContext.Ippo().LoadModel(path, out schema).");
}
