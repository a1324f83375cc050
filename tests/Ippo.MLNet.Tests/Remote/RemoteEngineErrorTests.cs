using System.Text.Json;
using System.Text.Json.Nodes;
using Ippo.MLNet.Core.Generation;
using Ippo.MLNet.Core.Rollouts;
using Ippo.MLNet.Core.Rollouts.Remote;
using NUnit.Framework;
using static Ippo.MLNet.Tests.Remote.RemoteFixtures;

namespace Ippo.MLNet.Tests.Remote;

/// <summary>
/// The OpenAI-compatible engine against scripted loopback answers: what it sends, how choices map back to prompts,
/// and each failure (refused connection, 5xx then success, 4xx, malformed JSON, wrong counts, timeout) with its message.
/// </summary>
public class RemoteEngineErrorTests
{
    private static readonly RolloutRequest Request = new(
        new[] { new[] { 5, 6 }, new[] { 7 }, new[] { 8, 9, 10 } }, 2, new GenerationOptions { MaxNewTokens = 4, Temperature = 0.7, TopP = 0.9 }, new[] { 1 }, 40);

    /// <summary>A completions answer with one choice per prompt x n: tokens [first prompt token, 1] (ends with stop id 1).</summary>
    private static string Echo(string body, Func<int, JsonObject, JsonObject>? edit = null)
    {
        var json = JsonNode.Parse(body)!.AsObject();
        int n = (int)json["n"]!;
        var prompts = json["prompt"]!.AsArray();
        var choices = new JsonArray();
        for (int i = 0; i < prompts.Count * n; i++)
        {
            int first = (int)prompts[i / n]![0]!;
            var choice = new JsonObject
            {
                ["index"] = i, ["token_ids"] = new JsonArray(first, 1),
                ["logprobs"] = new JsonObject { ["token_logprobs"] = new JsonArray(-0.5 - i % n, -0.25) }, ["finish_reason"] = "stop",
            };
            choices.Add(edit?.Invoke(i, choice) ?? choice);
        }
        return new JsonObject { ["choices"] = choices }.ToJsonString();
    }

    private static OpenAiCompletionsRolloutEngine Engine(Uri url, int promptsPerRequest = 64, int retries = 2, TimeSpan? timeout = null) =>
        new(Options(url) with { PromptsPerRequest = promptsPerRequest, MaxConcurrentRequests = 2, MaxRetries = retries, RequestTimeout = timeout ?? TimeSpan.FromSeconds(20) });

    private static async Task<RolloutEngineException> Fails(OpenAiCompletionsRolloutEngine engine) =>
        (await Assert.ThrowsAsync<RolloutEngineException>(() => engine.GenerateAsync(Request)))!;

    [Test]
    public async Task TheRequestCarriesTheSamplingFieldsAndChoicesMapBackToPromptsAcrossBatches()
    {
        using var server = new LoopbackServer((_, body) => (200, Echo(body)));
        using var engine = Engine(server.BaseUrl, promptsPerRequest: 2);
        var completions = await engine.GenerateAsync(Request);
        Assert.That(completions.Select(c => c.TokenIds[0]), Is.EqualTo(new[] { 5, 5, 7, 7, 8, 8 }), "prompt-major, n adjacent samples");
        Assert.That(completions.Select(c => c.LogProbs[0]), Is.EqualTo(new[] { -0.5f, -1.5f, -0.5f, -1.5f, -0.5f, -1.5f }), "sample order kept");
        Assert.That(completions.All(c => c.FinishReason == RolloutFinishReason.Stop));
        var bodies = server.Requests.Select(r => JsonNode.Parse(r.Body)!.AsObject()).OrderBy(b => (long)b["seed"]!).ToList();
        Assert.That(server.Requests.Select(r => r.Path), Is.All.EqualTo("/v1/completions"));
        Assert.That(bodies, Has.Count.EqualTo(2), "3 prompts, 2 per request");
        Assert.That(bodies.Select(b => b["prompt"]!.ToJsonString()), Is.EqualTo(new[] { "[[5,6],[7]]", "[[8,9,10]]" }));
        Assert.That(bodies.Select(b => (long)b["seed"]!), Is.EqualTo(new[] { 40L, 41L }));
        var first = bodies[0];
        Assert.That(((string)first["model"]!, (int)first["n"]!, (int)first["max_tokens"]!, (int)first["logprobs"]!, (bool)first["return_token_ids"]!),
            Is.EqualTo(("base", 2, 4, 0, true)));
        Assert.That(((double)first["temperature"]!, (double)first["top_p"]!, (int)first["top_k"]!), Is.EqualTo((0.7, 0.9, -1)));
        Assert.That(first["stop_token_ids"]!.ToJsonString(), Is.EqualTo("[1]"));
    }

    [Test]
    public async Task ARefusedConnectionIsRetriedThenNamesTheUrl()
    {
        var url = new Uri($"http://127.0.0.1:{LoopbackServer.FreePort()}/");
        using var engine = Engine(url, retries: 2);
        var error = (await Fails(engine));
        Assert.That(error.Message, Does.Contain($"{url}v1/completions").And.Contain("after 3 attempts"));
        Assert.That(error.StatusCode, Is.Null);
    }

    [Test]
    public async Task A500IsRetriedAndTheNextAnswerIsUsed()
    {
        int calls = 0;
        using var server = new LoopbackServer((_, body) => Interlocked.Increment(ref calls) == 1 ? (500, "{\"error\": \"busy\"}") : (200, Echo(body)));
        using var engine = Engine(server.BaseUrl);
        var completions = await engine.GenerateAsync(Request);
        Assert.That(completions, Has.Count.EqualTo(6));
        Assert.That(server.Requests, Has.Count.EqualTo(2));
    }

    [Test]
    public async Task A5xxThatLastsNamesTheStatusAfterTheRetries()
    {
        using var server = new LoopbackServer((_, _) => (503, "{\"error\": \"overloaded\"}"));
        using var engine = Engine(server.BaseUrl, retries: 1);
        var error = (await Fails(engine));
        Assert.That(error.Message, Does.Contain("503").And.Contain("after 2 attempts").And.Contain("overloaded"));
        Assert.That(server.Requests, Has.Count.EqualTo(2));
    }

    [Test]
    public async Task A4xxIsNotRetriedAndNamesTheStatusAndTheBody()
    {
        using var server = new LoopbackServer((_, _) => (404, "{\"error\": \"The model `base` does not exist.\"}"));
        using var engine = Engine(server.BaseUrl);
        var error = (await Fails(engine));
        Assert.That(error.StatusCode, Is.EqualTo(404));
        Assert.That(error.Message, Does.Contain("404").And.Contain("does not exist").And.Contain(server.BaseUrl + "v1/completions"));
        Assert.That(server.Requests, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task MalformedJsonNamesTheUrlAndTheBadPart()
    {
        using var server = new LoopbackServer((_, _) => (200, "{\"choices\": [{\"index\": \"zero\", \"token_ids\": [1]}]}"));
        using var engine = Engine(server.BaseUrl);
        var error = (await Fails(engine));
        Assert.That(error.Message, Does.Contain(server.BaseUrl + "v1/completions").And.Contain("$.choices[0].index"));
    }

    [Test]
    public async Task ATokenCountThatDiffersFromTheLogProbCountNamesThePrompt()
    {
        using var server = new LoopbackServer((_, body) => (200, Echo(body, (i, c) =>
        {
            if (i == 3) c["token_ids"] = new JsonArray(7, 2, 1);
            return c;
        })));
        using var engine = Engine(server.BaseUrl);
        Assert.That((await Fails(engine)).Message, Does.Contain("prompt 1 sample 1").And.Contain("3 token ids but 2 log-probs"));
    }

    [Test]
    public async Task MoreTokensThanMaxTokensAMissingChoiceOrAnUnknownFinishReasonNameThePrompt()
    {
        using (var server = new LoopbackServer((_, body) => (200, Echo(body, (i, c) =>
               {
                   if (i == 4) { c["token_ids"] = new JsonArray(8, 2, 2, 2, 1); c["logprobs"] = new JsonObject { ["token_logprobs"] = new JsonArray(-1, -1, -1, -1, -1) }; }
                   return c;
               }))))
        using (var engine = Engine(server.BaseUrl))
            Assert.That((await Fails(engine)).Message, Does.Contain("prompt 2 sample 0").And.Contain("more than max_tokens 4"));
        using (var server = new LoopbackServer((_, body) =>
               {
                   var answer = JsonNode.Parse(Echo(body))!.AsObject();
                   answer["choices"]!.AsArray().RemoveAt(5);
                   return (200, answer.ToJsonString());
               }))
        using (var engine = Engine(server.BaseUrl))
            Assert.That((await Fails(engine)).Message, Does.Contain("no choice for prompt 2 sample 1"));
        using (var server = new LoopbackServer((_, body) => (200, Echo(body, (i, c) =>
               {
                   if (i == 0) c["finish_reason"] = "abort";
                   return c;
               }))))
        using (var engine = Engine(server.BaseUrl))
            Assert.That((await Fails(engine)).Message, Does.Contain("prompt 0 sample 0").And.Contain("'abort'"));
    }

    [Test]
    public async Task ACallPastTheTimeoutFailsWithoutRetry()
    {
        using var server = new LoopbackServer((_, body) =>
        {
            Thread.Sleep(1500);
            return (200, Echo(body));
        });
        using var engine = Engine(server.BaseUrl, timeout: TimeSpan.FromMilliseconds(200));
        Assert.That((await Fails(engine)).Message, Does.Contain("RequestTimeout"));
        Assert.That(server.Requests, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task TheLoraSyncWritesThePeftFolderAndLoadsItInPlaceUnderTheServersPath()
    {
        var dir = TempFolder();
        try
        {
            using var server = new LoopbackServer((path, _) => path == "/v1/load_lora_adapter" ? (200, "\"Success\"") : (404, "{}"));
            using var engine = new OpenAiCompletionsRolloutEngine(Options(server.BaseUrl, new LoraAdapterSync(dir, "/mnt/shared/adapters", "run-7")));
            using var policy = AdaptedPolicy();
            await engine.SyncWeightsAsync(policy);
            Assert.That(engine.Model, Is.EqualTo("run-7"), "rollouts now sample with the adapter's name");
            var body = JsonNode.Parse(server.Requests.Single().Body)!.AsObject();
            Assert.That(((string)body["lora_name"]!, (string)body["lora_path"]!, (bool)body["load_inplace"]!), Is.EqualTo(("run-7", "/mnt/shared/adapters/run-7", true)));
            Assert.That(Directory.GetFiles(Path.Combine(dir, "run-7")).Select(Path.GetFileName), Is.EquivalentTo(new[] { "adapter_config.json", "adapter_model.safetensors" }));
            using var full = Reliability.ReliabilityFixtures.TinyPolicy();
            await Assert.ThrowsAsync<InvalidOperationException>(() => engine.SyncWeightsAsync(full), "a model without adapters needs the full-checkpoint route");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void BadOptionsAreRefusedNamingTheOption()
    {
        Assert.That(Assert.Throws<ArgumentException>(() => new OpenAiCompletionsOptions { BaseUrl = new Uri("ftp://x/"), Model = "m" }.Validate())!.Message, Does.Contain("BaseUrl"));
        Assert.That(Assert.Throws<ArgumentException>(() => new OpenAiCompletionsOptions { BaseUrl = new Uri("http://x/") }.Validate())!.Message, Does.Contain("Model"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => (Options(new Uri("http://x/")) with { PromptsPerRequest = 0 }).Validate())!.Message, Does.Contain("PromptsPerRequest must be in [1, 65536]"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => (Options(new Uri("http://x/")) with { MaxConcurrentRequests = 300 }).Validate())!.Message, Does.Contain("MaxConcurrentRequests"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => (Options(new Uri("http://x/")) with { RequestTimeout = TimeSpan.Zero }).Validate())!.Message, Does.Contain("RequestTimeout"));
    }
}
