using System.Buffers.Binary;

namespace Ippo.MLNet.Tests.Logging;

/// <summary>The protobuf wire format, just enough to walk a message's fields.</summary>
internal static class ProtoReader
{
    /// <summary>One field: its number, wire type, and its value (varint, fixed bits) or bytes (length-delimited).</summary>
    public readonly record struct Field(int Number, int WireType, ulong Value, byte[] Bytes)
    {
        public double Double => BitConverter.Int64BitsToDouble((long)Value);
        public float Float => BitConverter.Int32BitsToSingle((int)(uint)Value);
    }

    public static List<Field> Fields(byte[] message)
    {
        var fields = new List<Field>();
        int at = 0;
        while (at < message.Length)
        {
            ulong key = Varint(message, ref at);
            int number = (int)(key >> 3), wire = (int)(key & 7);
            switch (wire)
            {
                case 0:
                    fields.Add(new Field(number, wire, Varint(message, ref at), Array.Empty<byte>()));
                    break;
                case 1:
                    fields.Add(new Field(number, wire, BinaryPrimitives.ReadUInt64LittleEndian(message.AsSpan(at, 8)), Array.Empty<byte>()));
                    at += 8;
                    break;
                case 2:
                    int length = checked((int)Varint(message, ref at));
                    fields.Add(new Field(number, wire, 0, message.AsSpan(at, length).ToArray()));
                    at += length;
                    break;
                case 5:
                    fields.Add(new Field(number, wire, BinaryPrimitives.ReadUInt32LittleEndian(message.AsSpan(at, 4)), Array.Empty<byte>()));
                    at += 4;
                    break;
                default:
                    throw new InvalidDataException($"Unsupported wire type {wire} for field {number} at offset {at}.");
            }
        }
        return fields;
    }

    /// <summary>A packed repeated double field's values.</summary>
    public static double[] PackedDoubles(byte[] bytes)
    {
        var values = new double[bytes.Length / 8];
        for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadDoubleLittleEndian(bytes.AsSpan(i * 8, 8));
        return values;
    }

    private static ulong Varint(byte[] data, ref int at)
    {
        ulong value = 0;
        for (int shift = 0; ; shift += 7)
        {
            byte b = data[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return value;
        }
    }
}
