using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ippo.MLNet.Core.Models.Lora;

/// <summary>
/// The LoRA adapters of one model (<see cref="CausalLanguageModel.Lora"/>). Every targeted Linear layer gets two
/// bias-free Linear sub-modules registered on it, <c>lora_A</c> [r, in] and <c>lora_B</c> [out, r], so their state-dict
/// names are the layer's own plus <c>.lora_A.weight</c> / <c>.lora_B.weight</c> (PEFT's, without its adapter name),
/// and a forward hook adds scale * B A dropout(x) to the layer's output. No architecture code changes: any model whose
/// Linear layers are called through <c>module.call</c> can be adapted. While <see cref="Disable"/>'s scope is open the
/// model is exactly its frozen base: the reference policy costs no second copy of the weights.
/// </summary>
public sealed class LoraAdapters
{
    private const string A = "lora_A", B = "lora_B";
    private readonly List<AdaptedLayer> _layers;
    private readonly List<Parameter> _base;
    private int _disabled;

    private LoraAdapters(LoraOptions options, List<AdaptedLayer> layers, List<Parameter> frozenBase)
    {
        Options = options;
        _layers = layers;
        _base = frozenBase;
    }

    private sealed record AdaptedLayer(string Name, Linear Base, Linear LoraA, Linear LoraB);

    /// <summary>The options the adapters were built with (validated).</summary>
    public LoraOptions Options { get; }

    /// <summary>State-dict names of the adapted Linear layers ("model.layers.0.self_attn.q_proj", ...), in model order.</summary>
    public IReadOnlyList<string> ModuleNames => _layers.Select(l => l.Name).ToList();

    /// <summary>False while a <see cref="Disable"/> scope is open: the model then computes its base outputs.</summary>
    public bool Enabled => _disabled == 0;

    /// <summary>
    /// Adds adapters to the Linear layers of <paramref name="model"/> that <paramref name="options"/> targets, in the
    /// model's dtype and on its device, and freezes every base parameter (requires_grad false). A is drawn uniform in
    /// [-1/sqrt(in), 1/sqrt(in)] (PEFT's kaiming-uniform with a = sqrt(5)) from <see cref="LoraOptions.Seed"/>, B is
    /// zero: the adapted model's outputs equal the base model's until the first step. Throws when the model already
    /// has adapters or no Linear layer matches.
    /// </summary>
    public static LoraAdapters Apply(CausalLanguageModel model, LoraOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (model.Lora is not null) throw new InvalidOperationException("The model already has LoRA adapters.");
        var linears = model.named_modules().Where(m => m.module is Linear).Select(m => (m.name, linear: (Linear)m.module)).ToList();
        var targets = linears.Where(l => options.Targets(l.name)).ToList();
        if (targets.Count == 0)
            throw new ArgumentException(
                $"LoraOptions.TargetModules [{string.Join(", ", options.TargetModules)}] matches no Linear layer of this {model.Config.ModelType} model; its Linear layers: " +
                string.Join(", ", linears.Select(l => l.name).Take(12)) + (linears.Count > 12 ? ", ..." : "") + ".", nameof(options));
        var frozenBase = model.parameters().ToList();
        foreach (var p in frozenBase) p.requires_grad = false;
        var device = ModelDevice.Of(model);
        var dtype = ModelDevice.DtypeOf(model);
        var layers = new List<AdaptedLayer>();
        using (var generator = new Generator((ulong)options.Seed))
        using (no_grad())
        {
            foreach (var (name, linear) in targets)
            {
                long inSize = linear.weight!.shape[1], outSize = linear.weight!.shape[0];
                var loraA = nn.Linear(inSize, options.Rank, hasBias: false, device: device, dtype: dtype);
                var loraB = nn.Linear(options.Rank, outSize, hasBias: false, device: device, dtype: dtype);
                double bound = 1.0 / Math.Sqrt(inSize);
                using (var draw = rand(loraA.weight!.shape, dtype: ScalarType.Float64, generator: generator))
                    loraA.weight!.copy_(draw * (2 * bound) - bound);
                nn.init.zeros_(loraB.weight!);
                linear.register_module(A, loraA);
                linear.register_module(B, loraB);
                layers.Add(new AdaptedLayer(name, linear, loraA, loraB));
            }
        }
        var adapters = new LoraAdapters(options, layers, frozenBase);
        foreach (var layer in layers) layer.Base.register_forward_hook((m, x, y) => adapters.Enabled ? adapters.AddDelta(layer, x, y) : y);
        model.Lora = adapters;
        return adapters;
    }

    /// <summary>
    /// Switches the adapters off until the returned scope is disposed (scopes nest): the model computes its frozen base,
    /// which is the reference policy of a LoRA run.
    /// </summary>
    public IDisposable Disable()
    {
        _disabled++;
        return new Scope(this);
    }

    /// <summary>
    /// Marks the base parameters as requiring gradients until the returned scope is disposed, so gradient code that
    /// follows requires_grad (validation gradients, influence scores) covers every parameter
    /// (<see cref="LoraOptions.InfluenceOverAllParameters"/>). Optimizers built before hold only the adapters, so the
    /// base still never moves.
    /// </summary>
    public IDisposable IncludeBaseInGradients()
    {
        foreach (var p in _base) p.requires_grad = true;
        return new Callback(() =>
        {
            foreach (var p in _base) p.requires_grad = false;
        });
    }

    /// <summary>Whether <paramref name="parameterName"/> (a state-dict name) is an adapter matrix.</summary>
    public static bool IsAdapterParameter(string parameterName) =>
        parameterName.EndsWith("." + A + ".weight", StringComparison.Ordinal) || parameterName.EndsWith("." + B + ".weight", StringComparison.Ordinal);

    /// <summary>The adapter matrices of <paramref name="model"/> with their state-dict names, in model order.</summary>
    public static IReadOnlyList<(string Name, Parameter Parameter)> AdapterParameters(nn.Module model) =>
        model.named_parameters().Where(p => IsAdapterParameter(p.name)).Select(p => (p.name, p.parameter)).ToList();

    /// <summary>
    /// W + scale * B A for every adapted layer, keyed by the layer's weight name ("...q_proj.weight"): the merged
    /// weights, new tensors owned by the caller, computed in float64 and cast to the weight's dtype.
    /// </summary>
    public Dictionary<string, Tensor> MergedWeights()
    {
        var merged = new Dictionary<string, Tensor>();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        foreach (var layer in _layers)
        {
            var w = layer.Base.weight!;
            var delta = layer.LoraB.weight!.to(ScalarType.Float64).matmul(layer.LoraA.weight!.to(ScalarType.Float64)) * Options.Scale;
            merged[layer.Name + ".weight"] = (w.to(ScalarType.Float64) + delta).to(w.dtype).MoveToOuterDisposeScope();
        }
        return merged;
    }

    /// <summary>
    /// A copy of the model without adapters whose adapted weights are <see cref="MergedWeights"/> (same dtype and
    /// device): a plain model of its architecture that computes what the adapted one does, for
    /// <see cref="Policy.SavePretrained"/>. Owned by the caller.
    /// </summary>
    public CausalLanguageModel MergedCopy(CausalLanguageModel model)
    {
        var merged = MergedWeights();
        try
        {
            return PlainCopy(model, merged);
        }
        finally
        {
            foreach (var t in merged.Values) t.Dispose();
        }
    }

    /// <summary>
    /// A copy of the model without adapters holding its frozen base weights (same dtype and device): what the model
    /// computes with its adapters off, for <see cref="Policy.Save"/>, which writes the adapters beside it. Owned by the caller.
    /// </summary>
    public CausalLanguageModel BaseCopy(CausalLanguageModel model) => PlainCopy(model, new Dictionary<string, Tensor>());

    // A sibling of the model without adapters: every state-dict entry copied, those in `replace` taken from there.
    private CausalLanguageModel PlainCopy(CausalLanguageModel model, Dictionary<string, Tensor> replace)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!ReferenceEquals(model.Lora, this)) throw new ArgumentException("These adapters do not belong to that model.", nameof(model));
        var copy = model.CreateSibling();
        try
        {
            copy.to(ModelDevice.Of(model), ModelDevice.DtypeOf(model));
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var source = model.state_dict();
            foreach (var (name, target) in copy.state_dict())
                target.copy_(replace.TryGetValue(name, out var m) ? m : source[name]);
            return copy;
        }
        catch
        {
            copy.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Makes every frozen base parameter of <paramref name="target"/> share the storage of the same-named parameter of
    /// <paramref name="source"/> (same architecture and config): two adapted models on one copy of the base weights.
    /// Adapter matrices stay separate. The base weights must stay frozen: a step on one would move both.
    /// </summary>
    public static void ShareBaseWeights(CausalLanguageModel target, CausalLanguageModel source)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(source);
        var from = source.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        using var _ = no_grad();
        foreach (var (name, p) in target.named_parameters())
        {
            if (IsAdapterParameter(name)) continue;
            if (p.requires_grad) throw new InvalidOperationException($"Parameter '{name}' is trainable; only frozen base weights can be shared.");
            if (!from.TryGetValue(name, out var shared) || !shared.shape.SequenceEqual(p.shape) || shared.dtype != p.dtype)
                throw new ArgumentException($"The source model has no parameter '{name}' of shape [{string.Join(", ", p.shape)}] and dtype {p.dtype}.", nameof(source));
            p.set_(shared);
        }
    }

    /// <summary>
    /// y + scale * B A dropout(x): x [..., in], y [..., out] -> [..., out]. lora_A and lora_B are called through
    /// module.call so influence capture sees them. Without gradients (rollouts, the reference) the sum is taken in
    /// place and the intermediates freed at once, so a no-grad forward holds no more memory than the base model's.
    /// </summary>
    private Tensor AddDelta(AdaptedLayer layer, Tensor x, Tensor y)
    {
        var input = Options.Dropout > 0 ? nn.functional.dropout(x, Options.Dropout, layer.Base.training) : x;
        var ax = layer.LoraA.call(input);
        var bax = layer.LoraB.call(ax);
        if (is_grad_enabled()) return y.add(bax, alpha: Options.Scale);
        y.add_(bax, alpha: Options.Scale);
        bax.Dispose();
        ax.Dispose();
        if (!ReferenceEquals(input, x)) input.Dispose();
        return y;
    }

    private sealed class Scope(LoraAdapters owner) : IDisposable
    {
        private bool _done;

        public void Dispose()
        {
            if (_done) return;
            _done = true;
            owner._disabled--;
        }
    }

    private sealed class Callback(Action onDispose) : IDisposable
    {
        private Action? _action = onDispose;

        public void Dispose()
        {
            _action?.Invoke();
            _action = null;
        }
    }
}
