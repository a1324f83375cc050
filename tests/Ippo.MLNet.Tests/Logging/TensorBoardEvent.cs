using System.Text;

namespace Ippo.MLNet.Tests.Logging;

/// <summary>
/// The parts of a TensorBoard Event protobuf the tests check: wall_time (1), step (2), file_version (3) and the
/// summary (5) values' tag (1), simple_value (2), histogram (5: num 3, sum 4, bucket 7) and tensor (8: string_val 8).
/// </summary>
internal sealed record TensorBoardEvent(double WallTime, long Step, string? FileVersion, IReadOnlyList<TensorBoardValue> Values)
{
    /// <summary>Every event of every event file under <paramref name="folder"/>, in file then record order.</summary>
    public static List<TensorBoardEvent> ReadFolder(string folder) =>
        Directory.EnumerateFiles(folder, "events.out.tfevents.*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .SelectMany(f => TfRecordReader.Read(File.ReadAllBytes(f))).Select(Parse).ToList();

    public static TensorBoardEvent Parse(byte[] record)
    {
        double wallTime = 0;
        long step = 0;
        string? version = null;
        var values = new List<TensorBoardValue>();
        foreach (var f in ProtoReader.Fields(record))
        {
            switch (f.Number)
            {
                case 1: wallTime = f.Double; break;
                case 2: step = (long)f.Value; break;
                case 3: version = Encoding.UTF8.GetString(f.Bytes); break;
                case 5:
                    values.AddRange(ProtoReader.Fields(f.Bytes).Where(v => v.Number == 1).Select(v => ParseValue(v.Bytes)));
                    break;
            }
        }
        return new TensorBoardEvent(wallTime, step, version, values);
    }

    private static TensorBoardValue ParseValue(byte[] bytes)
    {
        string tag = "";
        float? simple = null;
        TensorBoardHistogram? histogram = null;
        var strings = new List<string>();
        foreach (var f in ProtoReader.Fields(bytes))
        {
            switch (f.Number)
            {
                case 1: tag = Encoding.UTF8.GetString(f.Bytes); break;
                case 2: simple = f.Float; break;
                case 5:
                    double num = 0, sum = 0;
                    var buckets = new List<double>();
                    foreach (var h in ProtoReader.Fields(f.Bytes))
                    {
                        if (h.Number == 3) num = h.Double;
                        else if (h.Number == 4) sum = h.Double;
                        else if (h.Number == 7) buckets.AddRange(h.WireType == 2 ? ProtoReader.PackedDoubles(h.Bytes) : new[] { h.Double });
                    }
                    histogram = new TensorBoardHistogram(num, sum, buckets);
                    break;
                case 8:
                    strings.AddRange(ProtoReader.Fields(f.Bytes).Where(t => t.Number == 8).Select(t => Encoding.UTF8.GetString(t.Bytes)));
                    break;
            }
        }
        return new TensorBoardValue(tag, simple, histogram, strings);
    }
}
