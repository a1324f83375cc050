using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Ippo.MLNet.Tests.Remote;

/// <summary>
/// A loopback HTTP server (HttpListener on 127.0.0.1, port picked by the OS) that answers every POST through a
/// handler: (path, body) -> (status, body). Records every request; serves one request at a time.
/// </summary>
internal sealed class LoopbackServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Func<string, string, (int Status, string Body)> _handler;
    private readonly Task _loop;
    private readonly List<(string Path, string Body)> _requests = new();

    public LoopbackServer(Func<string, string, (int Status, string Body)> handler)
    {
        _handler = handler;
        int port = FreePort();
        BaseUrl = new Uri($"http://127.0.0.1:{port}/");
        _listener.Prefixes.Add(BaseUrl.AbsoluteUri);
        _listener.Start();
        _loop = Task.Run(Serve);
    }

    public Uri BaseUrl { get; }

    /// <summary>Every request so far: its path and body.</summary>
    public IReadOnlyList<(string Path, string Body)> Requests
    {
        get { lock (_requests) return _requests.ToList(); }
    }

    /// <summary>A port nothing listens on (bound by the OS, then released).</summary>
    public static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    private async Task Serve()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (!_listener.IsListening)
            {
                return;
            }
            catch (HttpListenerException)
            {
                return;
            }
            string body;
            using (var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8)) body = await reader.ReadToEndAsync();
            var path = context.Request.Url!.AbsolutePath;
            lock (_requests) _requests.Add((path, body));
            (int status, string answer) reply;
            try
            {
                reply = _handler(path, body);
            }
            catch (Exception e)
            {
                reply = (500, $"{{\"error\": {System.Text.Json.JsonSerializer.Serialize(e.Message)}}}");
            }
            try
            {
                var bytes = Encoding.UTF8.GetBytes(reply.answer);
                context.Response.StatusCode = reply.status;
                context.Response.ContentType = "application/json";
                context.Response.ContentLength64 = bytes.Length;
                await context.Response.OutputStream.WriteAsync(bytes);
                context.Response.Close();
            }
            catch (Exception)
            {
                // the client went away (a timeout test): nothing to answer
            }
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }
}
