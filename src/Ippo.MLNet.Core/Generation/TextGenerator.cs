using Ippo.MLNet.Core.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Generation;

/// <summary>
/// Batched autoregressive generation with a KV cache. Prompts of different lengths share a batch (left-padded);
/// each row stops at its own stop token. Sampling draws from a generator seeded once, so a seed gives the same
/// samples on the same device.
/// </summary>
public sealed class TextGenerator : IDisposable
{
    private readonly CausalLanguageModel _model;
    private readonly int _padId;
    private readonly int[] _eosIds;
    private readonly int _drawableVocabSize;
    private readonly Generator _generator;

    /// <summary>
    /// Creates a generator for <paramref name="model"/> (any architecture); <paramref name="seed"/> seeds sampling.
    /// <paramref name="drawableVocabSize"/>: only ids below it are ever drawn (the tokenizer's size when the model's
    /// embedding has padding rows); null or the model's vocabulary size draws from all, range [1, vocabulary size].
    /// <paramref name="moreEosIds"/>: further ids that end a row like <paramref name="eosId"/> (a tokenizer's other
    /// EOS ids, e.g. Qwen's &lt;|endoftext|&gt; besides &lt;|im_end|&gt;), each in [0, drawableVocabSize).
    /// </summary>
    public TextGenerator(CausalLanguageModel model, int padId, int eosId, long seed = 0, int? drawableVocabSize = null, IReadOnlyList<int>? moreEosIds = null)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        int vocab = model.Config.VocabSize;
        _drawableVocabSize = drawableVocabSize ?? vocab;
        if (_drawableVocabSize < 1 || _drawableVocabSize > vocab)
            throw new ArgumentOutOfRangeException(nameof(drawableVocabSize), drawableVocabSize, $"drawableVocabSize must be in [1, {vocab}] (the model's vocabulary size).");
        CheckId(nameof(padId), padId, _drawableVocabSize);
        CheckId(nameof(eosId), eosId, _drawableVocabSize);
        foreach (var id in moreEosIds ?? Array.Empty<int>()) CheckId(nameof(moreEosIds), id, _drawableVocabSize);
        _padId = padId;
        _eosIds = new[] { eosId }.Concat(moreEosIds ?? Array.Empty<int>()).Distinct().ToArray();
        _generator = new Generator((ulong)seed, ModelDevice.Of(model));
    }

    /// <summary>
    /// A generator for <paramref name="policy"/>'s model with its tokenizer's pad id, stopping on every one of its
    /// <see cref="Tokenization.PolicyTokenizer.EosIds"/>, drawing only ids the tokenizer has (<see cref="Policy.DrawableVocabSize"/>).
    /// </summary>
    public TextGenerator(Policy policy, long seed = 0)
        : this((policy ?? throw new ArgumentNullException(nameof(policy))).Model, policy.Tokenizer.PadId, policy.Tokenizer.EosId, seed,
               policy.DrawableVocabSize, policy.Tokenizer.EosIds)
    {
    }

    /// <summary>Ids at or above this are never drawn.</summary>
    public int DrawableVocabSize => _drawableVocabSize;

    /// <summary>Restarts the sampling generator from <paramref name="seed"/>: what follows is what a new generator with that seed would draw.</summary>
    public void Reseed(long seed) => _generator.manual_seed(seed);

    /// <summary>
    /// Generates a completion for every prompt (token ids, no padding). Runs without autograd, in eval mode,
    /// inside one dispose scope per step; the result's tensors belong to the caller.
    /// </summary>
    public GenerationResult Generate(IReadOnlyList<int[]> prompts, GenerationOptions options)
    {
        ValidateInputs(prompts, options);
        var device = ModelDevice.Of(_model);
        var stopIds = options.StopTokenIds.Concat(_eosIds).Distinct().ToArray();
        bool wasTraining = _model.training;
        _model.eval();
        try
        {
            using var outer = NewDisposeScope();
            using var noGrad = no_grad();
            var (promptTokens, promptMask) = PromptBatch.LeftPad(prompts, _padId, device);
            using var cache = options.UseKvCache ? _model.CreateCache() : null;
            var stops = tensor(stopIds.Select(i => (long)i).ToArray(), device: device);
            var mask = promptMask;
            var sequence = promptTokens;
            var finished = zeros(prompts.Count, ScalarType.Bool, device);
            var tokens = new List<Tensor>();
            var logProbs = new List<Tensor>();
            var masks = new List<Tensor>();
            // The prompt's forward in its own scope: its intermediates die here, not at the end of generation (the cache keeps its keys and values).
            Tensor last;
            using (NewDisposeScope()) last = LastHidden(promptTokens, mask, cache).MoveToOuterDisposeScope();
            for (int step = 0; step < options.MaxNewTokens; step++)
            {
                using var stepScope = NewDisposeScope();
                var (next, logProb) = TokenSampler.Sample(_model.Logits(last), options.Temperature, options.TopK, options.TopP, _generator, _drawableVocabSize);
                var alive = finished.logical_not();
                next = next.masked_fill(finished, _padId);
                tokens.Add(next.MoveToOuterDisposeScope());
                logProbs.Add((logProb * alive).MoveToOuterDisposeScope());
                masks.Add(alive.to(ScalarType.Float32).MoveToOuterDisposeScope());
                finished = finished.logical_or(isin(next, stops)).MoveToOuterDisposeScope();
                if (step == options.MaxNewTokens - 1 || finished.all().item<bool>()) break;
                mask = cat(new[] { mask, masks[^1].unsqueeze(1) }, 1).MoveToOuterDisposeScope();
                if (cache is null) sequence = cat(new[] { sequence, next.unsqueeze(1) }, 1).MoveToOuterDisposeScope();
                last = LastHidden(cache is null ? sequence : next.unsqueeze(1), mask, cache).MoveToOuterDisposeScope();
            }
            var result = new GenerationResult(
                promptTokens.MoveToOuterDisposeScope(),
                promptMask.MoveToOuterDisposeScope(),
                stack(tokens, 1).MoveToOuterDisposeScope(),
                stack(logProbs, 1).MoveToOuterDisposeScope(),
                stack(masks, 1).MoveToOuterDisposeScope(),
                finished.cpu().data<bool>().ToArray());
            return result;
        }
        finally
        {
            _model.train(wasTraining);
        }
    }

    private Tensor LastHidden(Tensor newTokens, Tensor mask, KvCache? cache)
    {
        var hidden = _model.Hidden(newTokens, mask, cache);
        return hidden.select(1, hidden.shape[1] - 1);
    }

    private void ValidateInputs(IReadOnlyList<int[]> prompts, GenerationOptions options)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (prompts.Count == 0) throw new ArgumentException("At least one prompt is needed.", nameof(prompts));
        var config = _model.Config;
        if (options.TopK > _drawableVocabSize)
            throw new ArgumentOutOfRangeException(nameof(options), options.TopK, $"GenerationOptions.TopK must be in [0, {_drawableVocabSize}] (the drawable vocabulary size).");
        for (int i = 0; i < prompts.Count; i++)
        {
            var prompt = prompts[i] ?? throw new ArgumentException($"Prompt {i} is null.", nameof(prompts));
            if (prompt.Length == 0) throw new ArgumentException($"Prompt {i} is empty: every prompt needs at least one token.", nameof(prompts));
            if (prompt.Length + options.MaxNewTokens > config.ContextLength)
                throw new ArgumentException(
                    $"Prompt {i} has {prompt.Length} tokens; with MaxNewTokens {options.MaxNewTokens} that exceeds the model's context length {config.ContextLength}.",
                    nameof(prompts));
            foreach (var id in prompt) CheckId($"prompts[{i}]", id, config.VocabSize);
        }
    }

    private static void CheckId(string name, int id, int vocab)
    {
        if (id < 0 || id >= vocab)
            throw new ArgumentOutOfRangeException(name, id, $"Token id {id} is outside the vocabulary [0, {vocab}).");
    }

    /// <inheritdoc />
    public void Dispose() => _generator.Dispose();
}
