using System.Text;
using System.Text.Json;

namespace Ippo.MLNet.Core.Rollouts.Remote;

/// <summary>
/// JSON over HTTP to one server with <see cref="OpenAiCompletionsOptions"/>' retry and timeout rules: a refused or
/// dropped connection and a 5xx answer are retried with exponential backoff; a 4xx answer, a timeout or the last
/// failed retry throw <see cref="RolloutEngineException"/> naming the URL, the status and the start of the body.
/// </summary>
public sealed class RemoteServer
{
    private const int BodyStart = 300;
    private readonly HttpClient _http;
    private readonly OpenAiCompletionsOptions _options;

    /// <summary>A server reached through <paramref name="http"/> (its own Timeout is not used: each call has <see cref="OpenAiCompletionsOptions.RequestTimeout"/>).</summary>
    public RemoteServer(HttpClient http, OpenAiCompletionsOptions options)
    {
        _http = http ?? throw new ArgumentNullException(nameof(http));
        _options = (options ?? throw new ArgumentNullException(nameof(options))).Validate();
    }

    /// <summary>The server's root URL.</summary>
    public Uri BaseUrl => _options.BaseUrl!;

    /// <summary>The absolute URL of <paramref name="path"/> (e.g. "v1/completions") under <see cref="BaseUrl"/>.</summary>
    public Uri UrlOf(string path) => new(BaseUrl.AbsoluteUri.TrimEnd('/') + "/" + path.TrimStart('/'));

    /// <summary>POSTs <paramref name="body"/> as JSON to <paramref name="path"/> and returns the answer's body (a 2xx).</summary>
    public async Task<string> PostJsonAsync(string path, object body, CancellationToken cancellationToken = default)
    {
        var url = UrlOf(path);
        var json = JsonSerializer.Serialize(body);
        var delay = _options.RetryDelay;
        for (int attempt = 0; ; attempt++)
        {
            bool last = attempt >= _options.MaxRetries;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.RequestTimeout);
            try
            {
                using var content = new StringContent(json, Encoding.UTF8, "application/json");
                using var response = await _http.PostAsync(url, content, timeout.Token).ConfigureAwait(false);
                var text = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
                int status = (int)response.StatusCode;
                if (response.IsSuccessStatusCode) return text;
                if (status < 500 || last)
                    throw new RolloutEngineException(
                        $"POST {url} answered {status} {response.ReasonPhrase}{(status >= 500 ? $" after {attempt + 1} attempts" : "")}: {Start(text)}", url, status);
            }
            catch (HttpRequestException) when (!last)
            {
                // a refused or dropped connection: retried after the delay below
            }
            catch (HttpRequestException e)
            {
                throw new RolloutEngineException($"POST {url} failed after {attempt + 1} attempts: {e.Message}", url, (int?)e.StatusCode, e);
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                throw new RolloutEngineException($"POST {url} took longer than OpenAiCompletionsOptions.RequestTimeout ({_options.RequestTimeout}).", url, null, e);
            }
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxRetryDelay.Ticks));
        }
    }

    /// <summary>The first characters of a body, for error messages.</summary>
    internal static string Start(string body) =>
        string.IsNullOrEmpty(body) ? "(empty body)" : body.Length <= BodyStart ? body : body[..BodyStart] + "...";

}
