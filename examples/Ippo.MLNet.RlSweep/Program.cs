// The sweep behind README "Why RL moves now": SFT a string task to a middling warm start (cached under
// runs/rlsweep/warm), evaluate it, run PPO with PpoOptions' defaults changed by key=value arguments, evaluate again.
// Example: dotnet run -c Release --project examples/Ippo.MLNet.RlSweep -- task=reverse seed=1 sft=300 iters=40 evalevery=10 LearningRate=2e-5
// Keys: task (reverse, sort_letters, shift_letters), seed, sft (steps), sftlr, sftbatch, corpus, width, layers,
// maxlen/minlen/letters (a custom reverse task), ntrain, evaln, evalevery, iters, preset=grpo, ippo=1, threads, tag,
// and any PpoOptions property by name (LearningRate=3e-4 EpisodesPerIteration=256 KlCoefficient=0 ...).
// MaxNewTokens defaults to the task's longest answer + 2 unless given.
using System.Diagnostics;
using System.Globalization;
using Ippo.MLNet.Core.Evaluation;
using Ippo.MLNet.Core.Models;
using Ippo.MLNet.Core.Ppo;
using Ippo.MLNet.Core.Tasks.Strings;
using Ippo.MLNet.Core.Training;

var kv = args.Select(a => a.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
string Get(string k, string d) => kv.TryGetValue(k, out var v) ? v : d;
var taskName = Get("task", "reverse");
int seed = int.Parse(Get("seed", "1"));
int sftSteps = int.Parse(Get("sft", "300"));
double sftLr = double.Parse(Get("sftlr", "1e-3"), CultureInfo.InvariantCulture);
int evalEvery = int.Parse(Get("evalevery", "0"));
int evalN = int.Parse(Get("evaln", "200"));
string tag = Get("tag", "");
StringTask task = kv.ContainsKey("maxlen") ? new ReverseTask(Get("letters","abcdefgh"), int.Parse(Get("minlen","2")), int.Parse(kv["maxlen"])) : StringTasks.Get(taskName);
TorchSharp.torch.set_num_threads(int.Parse(Get("threads", "1")));
var train = task.Prompts(int.Parse(Get("ntrain","2000")), seed + 100);
var held = task.Prompts(evalN, seed + 200, exclude: train.Select(p => p.Prompt));
var judge = task.Judge();
var evalOpts = new EvaluationOptions { SamplesPerPrompt = 2, PassK = 2, Seed = 7, MaxNewTokens = 10 };
string warmDir = Path.Combine("runs", "rlsweep", "warm", $"{taskName}-s{seed}-n{sftSteps}-lr{sftLr}-w{Get("width","64")}-l{Get("layers","2")}-m{Get("maxlen","")}{Get("letters","")}-b{Get("sftbatch","32")}");
Policy policy;
var clock = Stopwatch.StartNew();
if (Directory.Exists(warmDir)) policy = Policy.Load(warmDir);
else
{
    policy = task.NewPolicy(task.ModelConfig(initSeed: seed) with { Width = int.Parse(Get("width","64")), Layers = int.Parse(Get("layers","2")) });
    var corpus = StringTask.Tokenize(policy, task.SftCorpus(int.Parse(Get("corpus","20000")), seed, exclude: held.Select(p => p.Prompt)));
    double loss = SftTrainer.Train(policy.Model, corpus, policy.Tokenizer.PadId, new SftOptions { Steps = sftSteps, BatchSize = int.Parse(Get("sftbatch","32")), LearningRate = sftLr, Seed = seed, WarmupSteps = Math.Min(30, sftSteps / 10) });
    policy.Save(warmDir);
    Console.WriteLine($"sft loss {loss:F3} in {clock.Elapsed.TotalSeconds:F0}s");
}
string Eval(Policy p) { var m = PolicyEvaluator.Evaluate(p, held, judge, evalOpts).Metrics; return $"greedy {m.GreedyAccuracy*100:F1} sampled {m.Accuracy*100:F1}"; }
Console.WriteLine($"[{tag}] {taskName} seed {seed} SFT {Eval(policy)}");
if (!kv.ContainsKey("iters")) return;
PpoOptions ppo = Get("preset", "") == "grpo" ? PpoOptions.Grpo : new PpoOptions();
ppo = ppo with { Iterations = int.Parse(kv["iters"]), Seed = seed, MaxNewTokens = task.MaxLength + 2 };
foreach (var (k, v) in kv)
{
    var prop = typeof(PpoOptions).GetProperty(k);
    if (prop is null) continue;
    var t = Nullable.GetUnderlyingType(prop.PropertyType) ?? prop.PropertyType;
    object val = v == "null" ? null : t.IsEnum ? Enum.Parse(t, v) : Convert.ChangeType(v, t, CultureInfo.InvariantCulture);
    prop.SetValue(ppo, val);
}
clock.Restart();
using var filter = kv.ContainsKey("ippo") ? new Ippo.MLNet.Core.Influence.InfluenceFilter(StringTask.Tokenize(policy, task.SftCorpus(32, seed + 300, exclude: held.Select(p => p.Prompt))), new Ippo.MLNet.Core.Influence.InfluenceFilterOptions { Seed = seed }, judge) : null;
using var trainer = new PpoTrainer(policy, task.Reward(), ppo, filter);
var rewards = new List<double>();
trainer.Train(train, m =>
{
    rewards.Add(m[MetricNames.Scores]); if (filter is not null && m.Iteration % 10 == 0) Console.WriteLine($"  it {m.Iteration} kept {m[MetricNames.KeptFraction]:F2}");
    if (evalEvery > 0 && m.Iteration % evalEvery == 0)
        Console.WriteLine($"  it {m.Iteration} reward {rewards.TakeLast(evalEvery).Average():F3} kl {m[MetricNames.Kl]:F3} clip {m[MetricNames.ClipFraction]:F3} ent {m[MetricNames.Entropy]:F3} {Eval(policy)} t={clock.Elapsed.TotalSeconds:F0}s");
});
Console.WriteLine($"[{tag}] {taskName} seed {seed} RL {Eval(policy)} reward first10 {rewards.Take(10).Average():F3} last10 {rewards.TakeLast(10).Average():F3} time {clock.Elapsed.TotalSeconds:F0}s | {string.Join(' ', args)}");
