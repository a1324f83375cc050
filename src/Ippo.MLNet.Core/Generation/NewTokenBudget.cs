namespace Ippo.MLNet.Core.Generation;

/// <summary>How many new tokens a prompt set leaves room for: the rule shared by rollouts and evaluation.</summary>
internal static class NewTokenBudget
{
    /// <summary>
    /// <paramref name="maxNewTokens"/>, or all the room <paramref name="contextLength"/> leaves after
    /// <paramref name="longestPrompt"/> tokens when it is null. <paramref name="option"/> names the setting in errors.
    /// </summary>
    /// <exception cref="ArgumentException">No token fits, or an explicit value does not fit.</exception>
    public static int Resolve(int? maxNewTokens, string option, int longestPrompt, int contextLength)
    {
        int room = contextLength - longestPrompt;
        if (maxNewTokens is { } set)
        {
            if (set > room)
                throw new ArgumentException(
                    $"{option} is {set} but a prompt has {longestPrompt} tokens and the model's context length is {contextLength}: " +
                    $"at most {Math.Max(room, 0)} new tokens fit. Lower it or leave it null (the room left in the context).");
            return set;
        }
        if (room < 1)
            throw new ArgumentException($"A prompt has {longestPrompt} tokens and fills the model's context length {contextLength}: no room for new tokens ({option}).");
        return room;
    }
}
