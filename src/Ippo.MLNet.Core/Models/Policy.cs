using Ippo.MLNet.Core.Checkpoints;
using Ippo.MLNet.Core.Tokenization;
using TorchSharp;

namespace Ippo.MLNet.Core.Models;

/// <summary>
/// A language model and the tokenizer it reads: what gets trained, saved and loaded as one folder
/// (config.json, model.safetensors, tokenizer.json).
/// </summary>
public sealed partial class Policy : IDisposable
{
    /// <summary>
    /// Pairs <paramref name="model"/> (any architecture) with <paramref name="tokenizer"/>. The tokenizer may have fewer
    /// ids than the model's embedding has rows (real checkpoints pad their vocabulary; generation never draws the extra
    /// ids, see <see cref="DrawableVocabSize"/>), never more.
    /// </summary>
    public Policy(CausalLanguageModel model, PolicyTokenizer tokenizer)
    {
        Model = model ?? throw new ArgumentNullException(nameof(model));
        Tokenizer = tokenizer ?? throw new ArgumentNullException(nameof(tokenizer));
        if (tokenizer.VocabSize > model.Config.VocabSize)
            throw new ArgumentException(
                $"The tokenizer has {tokenizer.VocabSize} tokens but the model's vocabulary size is {model.Config.VocabSize}; " +
                "the tokenizer may not have more ids than the model has embedding rows.",
                nameof(tokenizer));
    }

    /// <summary>The language model.</summary>
    public CausalLanguageModel Model { get; }

    /// <summary>The tokenizer.</summary>
    public PolicyTokenizer Tokenizer { get; }

    /// <summary>
    /// The ids generation may draw: the tokenizer's size, which may be below the model's vocabulary size (the rows
    /// above it decode to nothing).
    /// </summary>
    public int DrawableVocabSize => Tokenizer.VocabSize;

    /// <summary>Token ids the model sees for a prompt: BOS, then the prompt's tokens.</summary>
    public int[] EncodePrompt(string prompt) => new[] { Tokenizer.BosId }.Concat(Tokenizer.Encode(prompt)).ToArray();

    /// <summary>Token ids of a completion as trained: its tokens, then EOS.</summary>
    public int[] EncodeCompletion(string completion) => Tokenizer.Encode(completion).Append(Tokenizer.EosId).ToArray();

    /// <summary>Writes the policy to <paramref name="folder"/> atomically.</summary>
    public void Save(string folder) => PolicyCheckpoint.Save(Model, folder, Tokenizer.SaveTo);

    /// <summary>Loads a policy folder written by <see cref="Save"/>; its config.json's model_type picks the architecture.</summary>
    public static Policy Load(string folder)
    {
        var tokenizer = PolicyTokenizer.LoadFrom(folder);
        var model = PolicyCheckpoint.Load(folder);
        try
        {
            return new Policy(model, tokenizer);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>A deep copy of the weights (same tokenizer).</summary>
    public Policy Clone()
    {
        var copy = ModelDevice.CopyOf(Model);
        return new Policy(copy, Tokenizer);
    }

    /// <inheritdoc />
    public void Dispose() => Model.Dispose();
}
