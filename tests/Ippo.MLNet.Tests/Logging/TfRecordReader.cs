using System.Buffers.Binary;

namespace Ippo.MLNet.Tests.Logging;

/// <summary>
/// Reads the records of a TFRecord file (TensorBoard's event files): each is a little-endian uint64 length, the
/// masked CRC-32C of those 8 bytes, the data, and the masked CRC-32C of the data. Every CRC is checked.
/// </summary>
internal static class TfRecordReader
{
    /// <exception cref="InvalidDataException">A record is truncated or a CRC does not match; the message names the offset.</exception>
    public static List<byte[]> Read(byte[] file)
    {
        var records = new List<byte[]>();
        int at = 0;
        while (at < file.Length)
        {
            if (file.Length - at < 12) throw new InvalidDataException($"Truncated record header at offset {at}.");
            var lengthBytes = file.AsSpan(at, 8);
            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
            uint lengthCrc = BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(at + 8, 4));
            if (lengthCrc != Crc32C.Masked(lengthBytes)) throw new InvalidDataException($"Length CRC mismatch at offset {at}.");
            if ((ulong)(file.Length - at - 16) < length) throw new InvalidDataException($"Truncated record data at offset {at} (length {length}).");
            var data = file.AsSpan(at + 12, (int)length);
            uint dataCrc = BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(at + 12 + (int)length, 4));
            if (dataCrc != Crc32C.Masked(data)) throw new InvalidDataException($"Data CRC mismatch at offset {at}.");
            records.Add(data.ToArray());
            at += 16 + (int)length;
        }
        return records;
    }
}
