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
    /// <summary>Pairs <paramref name="model"/> with <paramref name="tokenizer"/>; their vocabulary sizes must agree.</summary>
    public Policy(GptLanguageModel model, PolicyTokenizer tokenizer)
    {
        Model = model ?? throw new ArgumentNullException(nameof(model));
        Tokenizer = tokenizer ?? throw new ArgumentNullException(nameof(tokenizer));
        if (tokenizer.VocabSize != model.Config.VocabSize)
            throw new ArgumentException(
                $"The tokenizer has {tokenizer.VocabSize} tokens but the model's vocabulary size is {model.Config.VocabSize}; they must match.",
                nameof(tokenizer));
    }

    /// <summary>The language model.</summary>
    public GptLanguageModel Model { get; }

    /// <summary>The tokenizer.</summary>
    public PolicyTokenizer Tokenizer { get; }

    /// <summary>Token ids the model sees for a prompt: BOS, then the prompt's tokens.</summary>
    public int[] EncodePrompt(string prompt) => new[] { Tokenizer.BosId }.Concat(Tokenizer.Encode(prompt)).ToArray();

    /// <summary>Token ids of a completion as trained: its tokens, then EOS.</summary>
    public int[] EncodeCompletion(string completion) => Tokenizer.Encode(completion).Append(Tokenizer.EosId).ToArray();

    /// <summary>Writes the policy to <paramref name="folder"/> atomically.</summary>
    public void Save(string folder) => PolicyCheckpoint.Save(Model, folder, Tokenizer.SaveTo);

    /// <summary>Loads a policy folder written by <see cref="Save"/>.</summary>
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
        var copy = new GptLanguageModel(Model.GptConfig);
        copy.load_state_dict(Model.state_dict());
        copy.to(ModelDevice.Of(Model));
        return new Policy(copy, Tokenizer);
    }

    /// <inheritdoc />
    public void Dispose() => Model.Dispose();
}
