using Ippo.MLNet.Core.Models;

namespace Ippo.MLNet.Core.Rollouts.Remote;

/// <summary>A way to give a rollout server the trained weights without NCCL: files it can read plus one HTTP call.</summary>
public interface IRemoteWeightSync
{
    /// <summary>
    /// Writes <paramref name="policy"/>'s weights where the server reads them and asks it to load them through
    /// <paramref name="server"/>; returns the model name to sample with from now on.
    /// </summary>
    Task<string> SyncAsync(Policy policy, RemoteServer server, CancellationToken cancellationToken = default);
}
