using System.Text.Json;
using Ippo.MLNet.Core.Checkpoints;
using Ippo.MLNet.Core.Models;
using Ippo.MLNet.Tests.Tokenization;

namespace Ippo.MLNet.Tests.Models.Pretrained;

/// <summary>
/// Whole Hugging Face folders (tiny random model + byte-level tokenizer + config files) written by a test, shaped like
/// a Qwen2.5-Instruct folder (no BOS, ChatML template, two EOS ids) and a Llama 3 folder (BOS first, two EOS ids).
/// </summary>
internal static class PretrainedFolders
{
    /// <summary>Qwen2 style: ids 456 &lt;|endoftext|&gt;, 457 &lt;|im_start|&gt;, 458 &lt;|im_end|&gt; (EOS first), 459; the model has 464 rows.</summary>
    public static string WriteQwen(string folder, long seed = 5, int[]? eosIds = null, int contextLength = 48)
    {
        using (var model = ModelRegistry.Get("qwen2").Create(TinyFamilies.Llama("qwen2") with { VocabSize = 464, TieWordEmbeddings = true, BosTokenId = null, EosTokenIds = new[] { 458, 456 }, MaxPositionEmbeddings = contextLength }))
        {
            TinyFamilies.Randomize(model, seed);
            PretrainedModels.Save(model, folder);
        }
        TokenizerJsonFixtures.WriteQwen2Style(folder);
        WriteJson(folder, "tokenizer_config.json", new Dictionary<string, object?>
        {
            ["bos_token"] = null, ["eos_token"] = "<|im_end|>", ["pad_token"] = "<|endoftext|>", ["add_bos_token"] = false,
            ["chat_template"] = "{%- for m in messages %}{{- '<|im_start|>' + m.role + '\\n' + m.content + '<|im_end|>\\n' }}{%- endfor %}",
        });
        WriteJson(folder, "generation_config.json", new Dictionary<string, object?> { ["eos_token_id"] = eosIds ?? new[] { 458, 456 }, ["pad_token_id"] = 456 });
        return folder;
    }

    /// <summary>Llama 3 style tokenizer (&lt;|begin_of_text|&gt; put first, EOS &lt;|eot_id|&gt; then &lt;|end_of_text|&gt;) on an untied tiny Llama with 8 more rows than the tokenizer has ids and extra config fields.</summary>
    public static string WriteLlama(string folder, long seed = 7, int contextLength = 48)
    {
        int rows = TokenizerSize(TokenizerJsonFixtures.WriteLlama3Style) + 8; // the model saves first and replaces the folder
        using (var model = ModelRegistry.Get("llama").Create(TinyFamilies.Llama("llama") with { VocabSize = rows, BosTokenId = null, EosTokenIds = null, MaxPositionEmbeddings = contextLength }))
        {
            TinyFamilies.Randomize(model, seed);
            PretrainedModels.Save(model, folder);
        }
        var config = Path.Combine(folder, "config.json");
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(config))!.AsObject();
        json["architectures"] = new System.Text.Json.Nodes.JsonArray("LlamaForCausalLM");
        json["transformers_version"] = "4.46.0";
        File.WriteAllText(config, json.ToJsonString());
        var tokenizer = Ippo.MLNet.Core.Tokenization.PolicyTokenizer.FromTokenizerJson(TokenizerJsonFixtures.WriteLlama3Style(folder));
        int Id(string token) => tokenizer.Encode(token).Single();
        WriteJson(folder, "tokenizer_config.json", new Dictionary<string, object?>
        {
            ["bos_token"] = "<|begin_of_text|>", ["eos_token"] = "<|eot_id|>",
        });
        WriteJson(folder, "generation_config.json", new Dictionary<string, object?> { ["bos_token_id"] = Id("<|begin_of_text|>"), ["eos_token_id"] = new[] { Id("<|eot_id|>"), Id("<|end_of_text|>") } });
        return folder;
    }

    private static int TokenizerSize(Func<string, string> write)
    {
        var probe = Path.Combine(Path.GetTempPath(), "ippo-tokenizer-probe-" + Guid.NewGuid().ToString("N"));
        try
        {
            return Ippo.MLNet.Core.Tokenization.PolicyTokenizer.FromTokenizerJson(write(probe)).VocabSize;
        }
        finally
        {
            Directory.Delete(probe, recursive: true);
        }
    }

    private static void WriteJson(string folder, string file, object value) =>
        File.WriteAllText(Path.Combine(folder, file), JsonSerializer.Serialize(value));
}
