namespace Ippo.MLNet.Core.Rollouts.Remote;

/// <summary>
/// How <see cref="OpenAiCompletionsRolloutEngine"/> talks to an OpenAI-compatible completions server (vLLM's
/// <c>vllm serve</c>). Validated by <see cref="Validate"/> when the engine is built.
/// </summary>
public sealed record OpenAiCompletionsOptions
{
    /// <summary>The server's root, e.g. http://127.0.0.1:8000 (requests go to {BaseUrl}/v1/completions). Required; http or https.</summary>
    public Uri? BaseUrl { get; init; }

    /// <summary>
    /// The served model name sampled when no <see cref="WeightSync"/> names another (vLLM: the --served-model-name, or
    /// the model path). Required.
    /// </summary>
    public string? Model { get; init; }

    /// <summary>Distinct prompts per HTTP request (each asks n = SamplesPerPrompt completions of each). Default 64; range [1, 65,536].</summary>
    public int PromptsPerRequest { get; init; } = 64;

    /// <summary>Requests in flight at once. Default 4; range [1, 256].</summary>
    public int MaxConcurrentRequests { get; init; } = 4;

    /// <summary>Retries after a refused or dropped connection or a 5xx answer (4xx answers are never retried). Default 3; range [0, 20].</summary>
    public int MaxRetries { get; init; } = 3;

    /// <summary>Wait before the first retry; each further retry waits twice as long, up to <see cref="MaxRetryDelay"/>. Default 0.5 s; range [0, 5 min].</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(0.5);

    /// <summary>The longest wait between two retries. Default 10 s; range [RetryDelay, 10 min].</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Limit on one HTTP call, answer included; a call that runs past it fails without retry. Default 10 min; range (0, 24 h].</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How the server gets the trained weights after each update (<see cref="LoraAdapterSync"/> or
    /// <see cref="FullCheckpointReloadSync"/>). Default null: the server keeps the weights it has (rollouts then come
    /// from a stale policy; the mismatch metric shows by how much).
    /// </summary>
    public IRemoteWeightSync? WeightSync { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first option out of range.</summary>
    public OpenAiCompletionsOptions Validate()
    {
        if (BaseUrl is null || !BaseUrl.IsAbsoluteUri || (BaseUrl.Scheme != Uri.UriSchemeHttp && BaseUrl.Scheme != Uri.UriSchemeHttps))
            throw new ArgumentException($"OpenAiCompletionsOptions.BaseUrl must be an absolute http or https URL; got '{BaseUrl}'.", nameof(BaseUrl));
        if (string.IsNullOrWhiteSpace(Model))
            throw new ArgumentException("OpenAiCompletionsOptions.Model must name the served model.", nameof(Model));
        Range(nameof(PromptsPerRequest), PromptsPerRequest, 1, 65_536);
        Range(nameof(MaxConcurrentRequests), MaxConcurrentRequests, 1, 256);
        Range(nameof(MaxRetries), MaxRetries, 0, 20);
        if (RetryDelay < TimeSpan.Zero || RetryDelay > TimeSpan.FromMinutes(5))
            throw new ArgumentOutOfRangeException(nameof(RetryDelay), RetryDelay, "OpenAiCompletionsOptions.RetryDelay must be in [0, 5 min].");
        if (MaxRetryDelay < RetryDelay || MaxRetryDelay > TimeSpan.FromMinutes(10))
            throw new ArgumentOutOfRangeException(nameof(MaxRetryDelay), MaxRetryDelay, $"OpenAiCompletionsOptions.MaxRetryDelay must be in [RetryDelay = {RetryDelay}, 10 min].");
        if (RequestTimeout <= TimeSpan.Zero || RequestTimeout > TimeSpan.FromHours(24))
            throw new ArgumentOutOfRangeException(nameof(RequestTimeout), RequestTimeout, "OpenAiCompletionsOptions.RequestTimeout must be in (0, 24 h].");
        return this;
    }

    private static void Range(string name, int value, int min, int max)
    {
        if (value < min || value > max)
            throw new ArgumentOutOfRangeException(name, value, $"OpenAiCompletionsOptions.{name} must be in [{min}, {max}]; got {value}.");
    }
}
