namespace Ippo.MLNet.Core.Rollouts;

/// <summary>Checks an engine's answer before the trainer uses it: nothing is truncated, padded or guessed silently.</summary>
public static class RolloutCompletions
{
    /// <summary>
    /// Throws <see cref="InvalidDataException"/> naming <paramref name="engine"/>, the prompt index and the sample when
    /// the answer does not fit <paramref name="request"/>: a wrong number of completions, an empty completion, more
    /// tokens than MaxNewTokens, a log-prob count that differs from the token count, a token id outside
    /// [0, <paramref name="vocabularySize"/>), a non-finite or positive log-prob, a Stop whose last token is no stop
    /// id, a stop id before the end, or a Length that is shorter than MaxNewTokens.
    /// </summary>
    public static void Check(RolloutRequest request, IReadOnlyList<RolloutCompletion> completions, int vocabularySize, string engine)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (completions is null) throw new InvalidDataException($"{engine} returned no completions.");
        if (completions.Count != request.CompletionCount)
            throw new InvalidDataException(
                $"{engine} returned {completions.Count} completions for {request.Prompts.Count} prompts x {request.SamplesPerPrompt} samples = {request.CompletionCount}.");
        var stops = request.StopTokenIds.ToHashSet();
        int max = request.Sampling.MaxNewTokens;
        for (int k = 0; k < completions.Count; k++)
        {
            var c = completions[k];
            string where = $"{engine}, prompt {k / request.SamplesPerPrompt} sample {k % request.SamplesPerPrompt}";
            if (c?.TokenIds is null || c.LogProbs is null) throw new InvalidDataException($"{where}: the completion or its log-probs are missing.");
            int n = c.TokenIds.Length;
            if (n == 0) throw new InvalidDataException($"{where}: the completion has no token.");
            if (n > max) throw new InvalidDataException($"{where}: {n} tokens, more than MaxNewTokens {max}.");
            if (c.LogProbs.Length != n) throw new InvalidDataException($"{where}: {n} tokens but {c.LogProbs.Length} log-probs.");
            for (int t = 0; t < n; t++)
            {
                if (c.TokenIds[t] < 0 || c.TokenIds[t] >= vocabularySize)
                    throw new InvalidDataException($"{where}: token {t} is id {c.TokenIds[t]}, outside the vocabulary [0, {vocabularySize}).");
                if (!float.IsFinite(c.LogProbs[t]) || c.LogProbs[t] > 0)
                    throw new InvalidDataException($"{where}: token {t}'s log-prob is {c.LogProbs[t]}; a log-prob is finite and <= 0.");
                if (t < n - 1 && stops.Contains(c.TokenIds[t]))
                    throw new InvalidDataException($"{where}: stop token {c.TokenIds[t]} at position {t}, before the completion's end.");
            }
            if (c.FinishReason == RolloutFinishReason.Stop && !stops.Contains(c.TokenIds[^1]))
                throw new InvalidDataException($"{where}: finish reason stop, but its last token {c.TokenIds[^1]} is not a stop id ({string.Join(", ", stops)}).");
            if (c.FinishReason == RolloutFinishReason.Length && n != max)
                throw new InvalidDataException($"{where}: finish reason length after {n} tokens, fewer than MaxNewTokens {max}.");
        }
    }
}
