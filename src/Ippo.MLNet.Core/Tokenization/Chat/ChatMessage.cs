namespace Ippo.MLNet.Core.Tokenization.Chat;

/// <summary>One turn of a chat prompt.</summary>
/// <param name="Role">"system", "user" or "assistant" (templates write other roles as they are).</param>
/// <param name="Content">The text of the turn.</param>
public sealed record ChatMessage(string Role, string Content)
{
    /// <summary>A system turn.</summary>
    public static ChatMessage System(string content) => new("system", content);

    /// <summary>A user turn.</summary>
    public static ChatMessage User(string content) => new("user", content);

    /// <summary>An assistant turn.</summary>
    public static ChatMessage Assistant(string content) => new("assistant", content);
}
