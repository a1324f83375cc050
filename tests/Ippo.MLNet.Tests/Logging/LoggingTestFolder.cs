namespace Ippo.MLNet.Tests.Logging;

/// <summary>A fresh temporary folder per test, deleted afterwards.</summary>
public abstract class LoggingTestFolder
{
    /// <summary>The test's folder.</summary>
    protected string Dir { get; private set; } = "";

    [NUnit.Framework.SetUp]
    public void CreateFolder() => Dir = Directory.CreateTempSubdirectory("ippo-logging-").FullName;

    [NUnit.Framework.TearDown]
    public void DeleteFolder() => Directory.Delete(Dir, recursive: true);

    /// <summary>(step, tag, value) of every scalar in the event files under <paramref name="folder"/>.</summary>
    internal static List<(long Step, string Tag, float Value)> Scalars(string folder) =>
        TensorBoardEvent.ReadFolder(folder)
            .SelectMany(e => e.Values.Where(v => v.SimpleValue is not null).Select(v => (e.Step, v.Tag, v.SimpleValue!.Value)))
            .ToList();
}
