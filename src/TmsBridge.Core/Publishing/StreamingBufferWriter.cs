using System.Buffers;

namespace TmsBridge.Publishing;

/// <summary>
/// An <see cref="IBufferWriter{T}"/> for <see cref="System.Text.Json.Utf8JsonWriter"/> that hands out one reusable
/// buffer and writes what the JSON writer commits to a stream once half of it is filled, so a large document
/// is written in chunks of a fixed size instead of being held whole. The JSON writer commits (Advance) whenever
/// it needs more room and when it is flushed; disposing this writer writes the rest. Dispose the JSON writer first.
/// </summary>
internal sealed class StreamingBufferWriter(Stream stream, int chunkBytes = 64 * 1024) : IBufferWriter<byte>, IDisposable
{
    private byte[] _buffer = new byte[chunkBytes];
    private int _committed;

    public void Advance(int count)
    {
        if (count < 0 || _committed + count > _buffer.Length) throw new ArgumentOutOfRangeException(nameof(count));
        _committed += count;
        if (_committed >= _buffer.Length / 2) WriteCommitted();
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        var room = Room(sizeHint); // first: making room may write what is committed and start the buffer over
        return _buffer.AsMemory(_committed, room);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        var room = Room(sizeHint);
        return _buffer.AsSpan(_committed, room);
    }

    /// <summary>Makes room for at least <paramref name="sizeHint"/> bytes (one, when 0) and says how much there is.</summary>
    private int Room(int sizeHint)
    {
        var needed = Math.Max(sizeHint, 1);
        if (_buffer.Length - _committed < needed)
        {
            WriteCommitted();
            // One value longer than the buffer (a huge output string): a buffer that holds it, kept from then on.
            if (_buffer.Length < needed) _buffer = new byte[Math.Max(needed, _buffer.Length * 2)];
        }
        return _buffer.Length - _committed;
    }

    private void WriteCommitted()
    {
        if (_committed == 0) return;
        stream.Write(_buffer, 0, _committed);
        _committed = 0;
    }

    public void Dispose() => WriteCommitted();
}
