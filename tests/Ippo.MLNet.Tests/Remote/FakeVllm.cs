using System.Text.Json;
using System.Text.Json.Nodes;
using Ippo.MLNet.Core.Generation;
using Ippo.MLNet.Core.Models;
using Ippo.MLNet.Core.Models.Lora;
using Ippo.MLNet.Core.Rollouts;

namespace Ippo.MLNet.Tests.Remote;

/// <summary>
/// The subset of vLLM's OpenAI-compatible server the remote engine speaks, backed by an in-process model:
/// /v1/completions (prompts as token-id arrays, n, temperature, top_p, top_k, max_tokens, stop_token_ids, seed,
/// logprobs, return_token_ids; choice index = prompt x n + sample), /v1/load_lora_adapter (reads the PEFT folder into a
/// fresh copy of the base model) and /collective_rpc reload_weights (reads the Hugging Face folder it was started from).
/// It samples with the same <see cref="TextGenerator"/> code and seed as <see cref="InProcessRolloutEngine"/>.
/// </summary>
internal sealed class FakeVllm : IDisposable
{
    private readonly Policy _base;
    private readonly string _baseName;
    private readonly string? _modelFolder;
    private readonly Dictionary<string, (Policy Policy, TextGenerator Generator)> _models = new();
    private readonly object _gate = new();

    /// <summary>Serves <paramref name="basePolicy"/> (owned) as <paramref name="baseName"/>; <paramref name="modelFolder"/>: what reload_weights reads.</summary>
    public FakeVllm(Policy basePolicy, string baseName = "base", string? modelFolder = null)
    {
        _base = basePolicy;
        _baseName = baseName;
        _modelFolder = modelFolder;
        _models[baseName] = (basePolicy, new TextGenerator(basePolicy));
        Server = new LoopbackServer(Handle);
    }

    public LoopbackServer Server { get; }

    /// <summary>Added to every log-prob the server reports (an engine whose log-probs are wrong).</summary>
    public float LogProbOffset { get; set; }

    public int AdapterLoads { get; private set; }

    public int WeightReloads { get; private set; }

    public List<string> SampledModels { get; } = new();

    private (int, string) Handle(string path, string body)
    {
        lock (_gate)
        {
            var json = JsonNode.Parse(body)!.AsObject();
            return path switch
            {
                "/v1/completions" => Completions(json),
                "/v1/load_lora_adapter" => LoadAdapter(json),
                "/collective_rpc" => Reload(json),
                _ => (404, "{\"error\": \"no route\"}"),
            };
        }
    }

    private (int, string) Completions(JsonObject json)
    {
        var model = (string)json["model"]!;
        if (!_models.TryGetValue(model, out var served)) return (404, $"{{\"error\": \"The model `{model}` does not exist.\"}}");
        if ((int?)json["logprobs"] != 0 || json["return_token_ids"]?.GetValue<bool>() != true)
            return (400, "{\"error\": \"the engine must ask logprobs 0 and return_token_ids\"}");
        SampledModels.Add(model);
        int topK = (int)json["top_k"]!;
        var request = new RolloutRequest(
            json["prompt"]!.AsArray().Select(p => p!.AsArray().Select(t => (int)t!).ToArray()).ToList(),
            (int)json["n"]!,
            new GenerationOptions
            {
                Temperature = (double)json["temperature"]!, TopP = (double)json["top_p"]!, TopK = topK < 0 ? 0 : topK,
                MaxNewTokens = (int)json["max_tokens"]!,
            },
            json["stop_token_ids"]!.AsArray().Select(t => (int)t!).ToArray(),
            (long)json["seed"]!);
        var completions = InProcessRolloutEngine.Generate(served.Generator, request);
        var choices = new JsonArray();
        for (int i = 0; i < completions.Count; i++)
            choices.Add(new JsonObject
            {
                ["index"] = i, ["text"] = "",
                ["token_ids"] = new JsonArray(completions[i].TokenIds.Select(t => (JsonNode)t).ToArray()),
                ["logprobs"] = new JsonObject { ["token_logprobs"] = new JsonArray(completions[i].LogProbs.Select(l => (JsonNode)(l + LogProbOffset)).ToArray()) },
                ["finish_reason"] = completions[i].EndedWithStop ? "stop" : "length",
            });
        return (200, new JsonObject { ["id"] = "cmpl-1", ["object"] = "text_completion", ["model"] = model, ["choices"] = choices }.ToJsonString());
    }

    private (int, string) LoadAdapter(JsonObject json)
    {
        var name = (string)json["lora_name"]!;
        var folder = (string)json["lora_path"]!;
        if (_models.ContainsKey(name) && json["load_inplace"]?.GetValue<bool>() != true)
            return (400, $"{{\"error\": \"The lora adapter '{name}' has already been loaded.\"}}");
        var model = ModelDevice.CopyOf(_base.Model);
        PeftAdapterFiles.Load(model, folder);
        Replace(name, new Policy(model, _base.Tokenizer));
        AdapterLoads++;
        return (200, "\"Success: LoRA adapter loaded\"");
    }

    private (int, string) Reload(JsonObject json)
    {
        if ((string?)json["method"] != "reload_weights" || _modelFolder is null) return (400, "{\"error\": \"unknown method\"}");
        Replace(_baseName, Policy.FromPretrained(_modelFolder));
        WeightReloads++;
        return (200, "{\"results\": [null]}");
    }

    private void Replace(string name, Policy policy)
    {
        if (_models.Remove(name, out var old))
        {
            old.Generator.Dispose();
            if (!ReferenceEquals(old.Policy, _base)) old.Policy.Dispose();
        }
        _models[name] = (policy, new TextGenerator(policy));
    }

    public void Dispose()
    {
        Server.Dispose();
        foreach (var (policy, generator) in _models.Values)
        {
            generator.Dispose();
            if (!ReferenceEquals(policy, _base)) policy.Dispose();
        }
        _base.Dispose();
    }
}
