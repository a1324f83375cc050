using Ippo.MLNet.Core.Models;

namespace Ippo.MLNet.Core.Rollouts.Remote;

/// <summary>
/// Weight sync for a policy without adapters: writes the whole model as a Hugging Face folder
/// (<see cref="Policy.SavePretrained"/>) over the folder the server was started from, then calls
/// <c>POST /collective_rpc</c> with method "reload_weights" (vLLM serves that route only with VLLM_SERVER_DEV_MODE=1;
/// it reloads the weights from the model path the server started with). Cost per sync: writing and reading every
/// weight (about 2 bytes per parameter in bf16, 4 in float32) plus the server's reload, far more than an adapter. Where the
/// route is not served, the fallback is restarting the server on the new folder (minutes for a large model).
/// </summary>
public sealed class FullCheckpointReloadSync : IRemoteWeightSync
{
    /// <summary>
    /// <paramref name="localFolder"/>: the folder the server loads (its --model path, as this process sees it).
    /// <paramref name="servedModelName"/>: the model name rollouts sample with.
    /// </summary>
    public FullCheckpointReloadSync(string localFolder, string servedModelName)
    {
        if (string.IsNullOrWhiteSpace(localFolder)) throw new ArgumentException("FullCheckpointReloadSync needs the server's model folder.", nameof(localFolder));
        if (string.IsNullOrWhiteSpace(servedModelName)) throw new ArgumentException("FullCheckpointReloadSync needs the served model name.", nameof(servedModelName));
        LocalFolder = localFolder;
        ServedModelName = servedModelName;
    }

    /// <summary>The folder the server loads, as this process sees it.</summary>
    public string LocalFolder { get; }

    /// <summary>The model name rollouts sample with.</summary>
    public string ServedModelName { get; }

    /// <inheritdoc />
    public async Task<string> SyncAsync(Policy policy, RemoteServer server, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(server);
        policy.SavePretrained(LocalFolder);
        await server.PostJsonAsync("collective_rpc", new Dictionary<string, object> { ["method"] = "reload_weights" }, cancellationToken).ConfigureAwait(false);
        return ServedModelName;
    }
}
