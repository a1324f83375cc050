namespace Ippo.MLNet.Core.Rollouts.Remote;

/// <summary>A rollout server could not be reached or answered wrongly; the message names the URL and what went wrong.</summary>
public sealed class RolloutEngineException : Exception
{
    /// <summary>An error for <paramref name="url"/>; <paramref name="statusCode"/> is the HTTP status when one came back.</summary>
    public RolloutEngineException(string message, Uri url, int? statusCode = null, Exception? inner = null) : base(message, inner)
    {
        Url = url;
        StatusCode = statusCode;
    }

    /// <summary>The URL of the failed call.</summary>
    public Uri Url { get; }

    /// <summary>The HTTP status of the last answer, or null when none came (connection refused, timeout).</summary>
    public int? StatusCode { get; }
}
