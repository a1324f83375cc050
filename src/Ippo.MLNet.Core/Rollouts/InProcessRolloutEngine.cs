using Ippo.MLNet.Core.Generation;
using Ippo.MLNet.Core.Models;
using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Rollouts;

/// <summary>
/// The default engine: the TorchSharp <see cref="TextGenerator"/> over the policy being trained (it shares the
/// weights, so <see cref="SyncWeightsAsync"/> does nothing). Each request reseeds the generator from
/// <see cref="RolloutRequest.Seed"/> and samples every prompt's copies in one batch.
/// </summary>
public sealed class InProcessRolloutEngine : IRolloutEngine, IDisposable
{
    private readonly TextGenerator _generator;

    /// <summary>An engine sampling from <paramref name="policy"/> (its tokenizer's pad, EOS ids and drawable vocabulary).</summary>
    public InProcessRolloutEngine(Policy policy) => _generator = new TextGenerator(policy ?? throw new ArgumentNullException(nameof(policy)));

    /// <inheritdoc />
    public Task<IReadOnlyList<RolloutCompletion>> GenerateAsync(RolloutRequest request, CancellationToken cancellationToken = default)
    {
        (request ?? throw new ArgumentNullException(nameof(request))).Validate();
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Generate(_generator, request));
    }

    /// <summary>
    /// Samples <paramref name="request"/> with <paramref name="generator"/> reseeded from its seed: every prompt
    /// repeated SamplesPerPrompt times in one batch, prompt-major. Shared with test servers that must draw the same.
    /// </summary>
    public static IReadOnlyList<RolloutCompletion> Generate(TextGenerator generator, RolloutRequest request)
    {
        ArgumentNullException.ThrowIfNull(generator);
        generator.Reseed(request.Seed);
        var rows = request.Prompts.SelectMany(p => Enumerable.Repeat(p, request.SamplesPerPrompt)).ToList();
        using var scope = NewDisposeScope();
        using var generated = generator.Generate(rows, request.Sampling with { StopTokenIds = request.StopTokenIds });
        var tokens = generated.Tokens.cpu().data<long>().ToArray();
        var logProbs = generated.LogProbs.to(ScalarType.Float32).cpu().data<float>().ToArray();
        var lengths = generated.Mask.sum(dim: 1).to(ScalarType.Int64).cpu().data<long>().ToArray();
        int width = (int)generated.Tokens.shape[1];
        var result = new RolloutCompletion[rows.Count];
        for (int i = 0; i < rows.Count; i++)
        {
            int n = (int)lengths[i];
            result[i] = new RolloutCompletion(
                Enumerable.Range(0, n).Select(j => (int)tokens[i * width + j]).ToArray(),
                logProbs.AsSpan(i * width, n).ToArray(),
                generated.EndedWithStop[i] ? RolloutFinishReason.Stop : RolloutFinishReason.Length);
        }
        return result;
    }

    /// <inheritdoc />
    public Task SyncWeightsAsync(Policy policy, CancellationToken cancellationToken = default) => Task.CompletedTask;

    /// <inheritdoc />
    public void Dispose() => _generator.Dispose();
}
