using Ippo.MLNet.Tests.RlMoves;
using System.Text.Json;
using Ippo.MLNet.Core.Models;
using Ippo.MLNet.Core.Ppo;
using Ippo.MLNet.Core.Tasks.Arithmetic;
using Ippo.MLNet.Core.Tokenization;
using Ippo.MLNet.Tests.MLNet;
using Microsoft.ML;
using NUnit.Framework;

namespace Ippo.MLNet.Tests.Tokenization;

public class LoadedModelTokenizerTests
{
    private string _dir = "";

    [SetUp]
    public void CreateFolder() => _dir = Directory.CreateTempSubdirectory("ippo-loadmodel-").FullName;

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_dir, recursive: true);

    [Test]
    public void APolicyLoadedWithLoadModelAndABpeTokenizerSavesAndLoadsAgain()
    {
        // Issue 13: LoadModel reads the zip through a temporary folder that it deletes; saving the loaded policy used to
        // fail with DirectoryNotFoundException because the BPE tokenizer copied its files from there.
        var symbols = "0123456789+-*=,;Ġ".Select(c => c.ToString()).ToList();
        var vocab = symbols.Select((s, i) => (s, i)).ToDictionary(p => p.s, p => p.i);
        vocab["12"] = vocab.Count;
        vocab["<|endoftext|>"] = vocab.Count;
        var source = Path.Combine(_dir, "bpe");
        Directory.CreateDirectory(source);
        File.WriteAllText(Path.Combine(source, "vocab.json"), JsonSerializer.Serialize(vocab));
        File.WriteAllLines(Path.Combine(source, "merges.txt"), new[] { "#version: 0.2", "1 2" });
        var tokenizer = PolicyTokenizer.FromBpeFiles(Path.Combine(source, "vocab.json"), Path.Combine(source, "merges.txt"));
        Directory.Delete(source, recursive: true);

        var config = ArithmeticDefaults.ModelConfig(3) with { VocabSize = tokenizer.VocabSize, Width = 32, Layers = 1, Heads = 2, ContextLength = 32 };
        using var policy = new Policy(new GptLanguageModel(config), tokenizer);
        var ml = new MLContext(seed: 1);
        var task = new ArithmeticTaskOptions { MinOperations = 2, MaxOperations = 2, MaxOperand = 9, MaxResult = 20 };
        var data = ml.Data.LoadFromEnumerable(new ArithmeticProblemGenerator(task, 1).Take(8)
            .Select(p => new QuestionRow { Question = p.Prompt, Answer = p.Answer.ToString() }));
        var options = new PpoTrainerOptions
        {
            InitialPolicy = policy, PromptColumnName = "Prompt", AnswerColumnName = "Answer",
            Ppo = OldPpoDefaults.Ppo with { Iterations = 1, EpisodesPerIteration = 4, MiniBatches = 1, MaxNewTokens = 6, Seed = 3 },
            Generation = new() { Temperature = 0, MaxNewTokens = 6 },
        };
        var model = ml.Transforms.CopyColumns("Prompt", "Question").Append(ml.Ippo().PpoTrainer(options)).Fit(data);
        var zip = Path.Combine(_dir, "model.zip");
        ml.Ippo().SaveModel(model, data.Schema, zip);

        var loaded = new MLContext(seed: 2).Ippo().LoadModel(zip, out _);
        var loadedPolicy = ((IEnumerable<ITransformer>)loaded).OfType<PolicyTransformer>().Single().Policy;
        var saved = Path.Combine(_dir, "saved");
        loadedPolicy.Save(saved);
        using var again = Policy.Load(saved);
        const string text = "12+3=15,12";
        Assert.That(again.Tokenizer.Encode(text), Is.EqualTo(tokenizer.Encode(text)));
        Assert.That(again.Tokenizer.Description, Is.EqualTo(tokenizer.Description));
    }
}
