using Ippo.MLNet.Core.Ppo;
using Ippo.MLNet.Core.Tasks.Arithmetic;
using Ippo.MLNet.Tests.MLNet;
using Microsoft.ML;
using NUnit.Framework;
using static Ippo.MLNet.Tests.Reliability.ReliabilityFixtures;

namespace Ippo.MLNet.Tests.Reliability;

public class PipelineResumeTests
{
    [Test]
    public void APipelineCancelledAndResumedFromItsCheckpointMatchesTheUninterruptedFit()
    {
        var folder = Directory.CreateTempSubdirectory("ippo-pipeline-resume-").FullName;
        try
        {
            var ml = new MLContext(seed: 1);
            using var policy = TinyPolicy();
            var data = ml.Data.LoadFromEnumerable(Prompts.Select(p => new QuestionRow { Question = p.Prompt, Answer = p.Reference! }));
            var checkpoint = Path.Combine(folder, "checkpoint");
            var options = new PpoTrainerOptions { InitialPolicy = policy, AnswerColumnName = "Answer", Ppo = Small with { Iterations = 4 } };
            ITransformer Fit(PpoTrainerOptions o) => ml.Transforms.CopyColumns("Prompt", "Question").Append(ml.Ippo().PpoTrainer(o)).Fit(data).LastTransformer;

            var straight = (PolicyTransformer)Fit(options);
            using var cancel = new CancellationTokenSource();
            var stopped = (PolicyTransformer)Fit(options with
            {
                Ppo = options.Ppo with { CheckpointFolder = checkpoint, CheckpointEvery = 100 },
                CancellationToken = cancel.Token,
                OnIteration = m => { if (m.Iteration == 2) cancel.Cancel(); },
            });
            var resumed = (PolicyTransformer)Fit(options with { ResumeFrom = checkpoint });

            Assert.That(stopped.StopReason, Is.EqualTo("Cancelled after iteration 2."));
            Assert.That(stopped.History, Has.Count.EqualTo(2));
            Assert.That(resumed.History.Select(m => m.Iteration), Is.EqualTo(new[] { 1, 2, 3, 4 }), "the history before the checkpoint comes back too");
            Assert.That(Differences(Weights(stopped.Policy.Model), Weights(straight.Policy.Model)), Is.Not.Empty, "two iterations short of the end");
            Assert.That(Differences(Weights(resumed.Policy.Model), Weights(straight.Policy.Model)), Is.Empty);
            Assert.That(resumed.History[^1][MetricNames.Scores], Is.EqualTo(straight.History[^1][MetricNames.Scores]));
            foreach (var model in new[] { straight, stopped, resumed }) model.Dispose();
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
