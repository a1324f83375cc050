using Ippo.MLNet.Core.Models;
using Ippo.MLNet.Core.Models.Lora;

namespace Ippo.MLNet.Core.Rollouts.Remote;

/// <summary>
/// Weight sync for a policy with LoRA adapters: writes them in PEFT format (<see cref="PeftAdapterFiles.Save"/>) to
/// {LocalFolder}/{AdapterName} and calls vLLM's <c>POST /v1/load_lora_adapter</c> with lora_name = AdapterName,
/// lora_path = {ServerFolder}/{AdapterName} and load_inplace = true; rollouts then sample with AdapterName as the
/// model. The server needs --enable-lora, --max-lora-rank at least the adapters' rank and
/// VLLM_ALLOW_RUNTIME_LORA_UPDATING=True. Cost per sync: writing the adapter file (rank x (in + out) values per adapted
/// matrix) plus the server's load, not the whole model.
/// </summary>
public sealed class LoraAdapterSync : IRemoteWeightSync
{
    /// <summary>
    /// <paramref name="localFolder"/>: where this process writes the adapter. <paramref name="serverFolder"/>: the same
    /// folder as the server sees it (null: the same path, for a shared disk mounted at the same place).
    /// <paramref name="adapterName"/>: the lora_name and sampled model name, letters, digits, '-', '_' and '.'.
    /// <paramref name="baseModelNameOrPath"/>: written as base_model_name_or_path in adapter_config.json (null: none).
    /// </summary>
    public LoraAdapterSync(string localFolder, string? serverFolder = null, string adapterName = "ippo-policy", string? baseModelNameOrPath = null)
    {
        if (string.IsNullOrWhiteSpace(localFolder)) throw new ArgumentException("LoraAdapterSync needs a local folder to write the adapter to.", nameof(localFolder));
        if (string.IsNullOrWhiteSpace(adapterName) || !adapterName.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            throw new ArgumentException($"LoraAdapterSync's adapter name must be letters, digits, '-', '_' or '.'; got '{adapterName}'.", nameof(adapterName));
        LocalFolder = localFolder;
        ServerFolder = serverFolder ?? localFolder;
        AdapterName = adapterName;
        BaseModelNameOrPath = baseModelNameOrPath;
    }

    /// <summary>Where this process writes the adapter.</summary>
    public string LocalFolder { get; }

    /// <summary>The same folder as the server sees it.</summary>
    public string ServerFolder { get; }

    /// <summary>The adapter's name on the server (the model name rollouts sample with).</summary>
    public string AdapterName { get; }

    /// <summary>base_model_name_or_path in the written adapter_config.json, or null.</summary>
    public string? BaseModelNameOrPath { get; }

    /// <summary>Syncs done so far.</summary>
    public int Syncs { get; private set; }

    /// <inheritdoc />
    public async Task<string> SyncAsync(Policy policy, RemoteServer server, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(server);
        if (policy.Model.Lora is null)
            throw new InvalidOperationException("LoraAdapterSync needs a policy with LoRA adapters (LoraAdapters.Apply); for a full model use FullCheckpointReloadSync.");
        PeftAdapterFiles.Save(policy.Model, Path.Combine(LocalFolder, AdapterName), BaseModelNameOrPath);
        var serverPath = ServerFolder.TrimEnd('/', '\\') + "/" + AdapterName;
        await server.PostJsonAsync("v1/load_lora_adapter", new Dictionary<string, object>
        {
            ["lora_name"] = AdapterName, ["lora_path"] = serverPath, ["load_inplace"] = true,
        }, cancellationToken).ConfigureAwait(false);
        Syncs++;
        return AdapterName;
    }
}
