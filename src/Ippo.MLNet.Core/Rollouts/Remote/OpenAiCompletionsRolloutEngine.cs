using System.Text.Json;
using Ippo.MLNet.Core.Models;

namespace Ippo.MLNet.Core.Rollouts.Remote;

/// <summary>
/// Rollouts from an OpenAI-compatible completions server (vLLM): <c>POST {BaseUrl}/v1/completions</c> with the prompts
/// as token-id arrays, n, temperature, top_p, top_k, max_tokens, stop_token_ids, seed, logprobs 0 and
/// return_token_ids true; reads choices[i].token_ids, .logprobs.token_logprobs, .finish_reason and .index (choice
/// index = prompt x n + sample, as vLLM numbers them). Prompts go <see cref="OpenAiCompletionsOptions.PromptsPerRequest"/>
/// per request, at most <see cref="OpenAiCompletionsOptions.MaxConcurrentRequests"/> at once; request k of an iteration
/// sends seed = the iteration's seed + k. Weights reach the server through <see cref="OpenAiCompletionsOptions.WeightSync"/>.
/// Every answer is checked: a missing or repeated choice, a token count that differs from the log-prob count, more
/// tokens than max_tokens or an unknown finish reason is a <see cref="RolloutEngineException"/> naming the URL and the prompt.
/// </summary>
public sealed class OpenAiCompletionsRolloutEngine : IRolloutEngine, IDisposable
{
    private readonly OpenAiCompletionsOptions _options;
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly RemoteServer _server;
    private string _model;

    /// <summary>An engine for the server in <paramref name="options"/>; <paramref name="http"/>: a client to use (null: its own, disposed with the engine).</summary>
    public OpenAiCompletionsRolloutEngine(OpenAiCompletionsOptions options, HttpClient? http = null)
    {
        _options = (options ?? throw new ArgumentNullException(nameof(options))).Validate();
        _ownsHttp = http is null;
        _http = http ?? new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        _server = new RemoteServer(_http, _options);
        _model = _options.Model!;
    }

    /// <summary>The model name requests sample with now (the adapter's name after a <see cref="LoraAdapterSync"/>).</summary>
    public string Model => _model;

    /// <summary>The server, for custom weight syncs.</summary>
    public RemoteServer Server => _server;

    /// <inheritdoc />
    public async Task<IReadOnlyList<RolloutCompletion>> GenerateAsync(RolloutRequest request, CancellationToken cancellationToken = default)
    {
        (request ?? throw new ArgumentNullException(nameof(request))).Validate();
        var result = new RolloutCompletion[request.CompletionCount];
        using var gate = new SemaphoreSlim(_options.MaxConcurrentRequests);
        var chunks = Enumerable.Range(0, (request.Prompts.Count + _options.PromptsPerRequest - 1) / _options.PromptsPerRequest);
        await Task.WhenAll(chunks.Select(async k =>
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                int first = k * _options.PromptsPerRequest;
                int count = Math.Min(_options.PromptsPerRequest, request.Prompts.Count - first);
                await RequestChunk(request, first, count, request.Seed + k, result, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
        })).ConfigureAwait(false);
        return result;
    }

    private async Task RequestChunk(RolloutRequest request, int first, int count, long seed, RolloutCompletion[] result, CancellationToken cancellationToken)
    {
        var sampling = request.Sampling;
        int n = request.SamplesPerPrompt;
        var body = new Dictionary<string, object>
        {
            ["model"] = _model,
            ["prompt"] = request.Prompts.Skip(first).Take(count).ToArray(),
            ["n"] = n,
            ["temperature"] = sampling.Temperature,
            ["top_p"] = sampling.TopP,
            ["top_k"] = sampling.TopK == 0 ? -1 : sampling.TopK,
            ["max_tokens"] = sampling.MaxNewTokens,
            ["stop_token_ids"] = request.StopTokenIds.Concat(sampling.StopTokenIds).Distinct().ToArray(),
            ["seed"] = seed,
            ["logprobs"] = 0,
            ["return_token_ids"] = true,
        };
        var url = _server.UrlOf("v1/completions");
        var text = await _server.PostJsonAsync("v1/completions", body, cancellationToken).ConfigureAwait(false);
        CompletionsAnswer? answer;
        try
        {
            answer = JsonSerializer.Deserialize<CompletionsAnswer>(text);
        }
        catch (JsonException e)
        {
            throw new RolloutEngineException(
                $"POST {url} answered JSON that is not a completions answer at '{e.Path ?? "$"}' (line {e.LineNumber}, byte {e.BytePositionInLine}): {e.Message} Body starts: {RemoteServer.Start(text)}", url, 200, e);
        }
        var choices = answer?.Choices ?? throw new RolloutEngineException($"POST {url} answered without a 'choices' array. Body starts: {RemoteServer.Start(text)}", url, 200);
        var seen = new bool[count * n];
        foreach (var choice in choices)
        {
            if (choice?.Index is not { } index || index < 0 || index >= seen.Length)
                throw new RolloutEngineException($"POST {url}: a choice has index {choice?.Index?.ToString() ?? "null"}; {count} prompts x n = {n} need indices [0, {seen.Length}).", url, 200);
            int prompt = first + index / n, sample = index % n;
            string where = $"POST {url}: prompt {prompt} sample {sample} (choice {index})";
            if (seen[index]) throw new RolloutEngineException($"{where} came twice.", url, 200);
            seen[index] = true;
            var tokens = choice.TokenIds ?? throw new RolloutEngineException($"{where} has no 'token_ids' (the server must honour return_token_ids: vLLM >= 0.10.2).", url, 200);
            var logProbs = choice.LogProbs?.TokenLogProbs ?? throw new RolloutEngineException($"{where} has no 'logprobs.token_logprobs'.", url, 200);
            if (tokens.Count != logProbs.Count)
                throw new RolloutEngineException($"{where} has {tokens.Count} token ids but {logProbs.Count} log-probs.", url, 200);
            if (tokens.Count > sampling.MaxNewTokens)
                throw new RolloutEngineException($"{where} has {tokens.Count} tokens, more than max_tokens {sampling.MaxNewTokens}.", url, 200);
            if (logProbs.Any(l => l is null))
                throw new RolloutEngineException($"{where} has a null log-prob at token {logProbs.FindIndex(l => l is null)}.", url, 200);
            var reason = choice.FinishReason switch
            {
                "stop" => RolloutFinishReason.Stop,
                "length" => RolloutFinishReason.Length,
                var other => throw new RolloutEngineException($"{where} has finish_reason '{other ?? "null"}'; expected 'stop' or 'length'.", url, 200),
            };
            result[prompt * n + sample] = new RolloutCompletion(tokens.ToArray(), logProbs.Select(l => l!.Value).ToArray(), reason);
        }
        int missing = Array.IndexOf(seen, false);
        if (missing >= 0)
            throw new RolloutEngineException(
                $"POST {url}: no choice for prompt {first + missing / n} sample {missing % n} (choice {missing}); {choices.Count} of {seen.Length} choices came.", url, 200);
    }

    /// <inheritdoc />
    public async Task SyncWeightsAsync(Policy policy, CancellationToken cancellationToken = default)
    {
        if (_options.WeightSync is { } sync) _model = await sync.SyncAsync(policy, _server, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsHttp) _http.Dispose();
    }
}
