using System.IO.Compression;

namespace NasPlatform.Engine.Datasets;

/// <summary>
/// Counts the bytes that really come out of a stream and lets a check throw as soon as they pass a
/// limit: a compressed stream's declared sizes are untrusted, only what is read counts.
/// </summary>
internal sealed class CountingReadStream(Stream inner, Action<long> check, Stream? owned = null) : Stream
{
    public long BytesRead { get; private set; }

    /// <summary>Bytes left when the source is a plain seekable stream, so readers can size buffers exactly.</summary>
    public long? KnownRemaining => owned is null && inner.CanSeek ? inner.Length - inner.Position : null;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n = inner.Read(buffer);
        BytesRead += n;
        check(BytesRead);
        return n;
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => BytesRead; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        // Only what this class created is closed; the caller's stream stays theirs.
        if (disposing) owned?.Dispose();
        base.Dispose(disposing);
    }
}

/// <summary>Replays bytes already peeked from a non-seekable stream, then continues with the stream.</summary>
internal sealed class PrefixedStream(byte[] prefix, Stream inner) : Stream
{
    private int _prefixPos;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_prefixPos < prefix.Length)
        {
            int n = Math.Min(buffer.Length, prefix.Length - _prefixPos);
            prefix.AsSpan(_prefixPos, n).CopyTo(buffer);
            _prefixPos += n;
            return n;
        }
        return inner.Read(buffer);
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

internal static class StreamGuards
{
    /// <summary>
    /// The stream's content, gunzipped when it starts with the gzip magic (1f 8b) whatever the file is
    /// called, with the expanded size capped at <see cref="DatasetLimits.MaxExpandedBytes"/>.
    /// Disposing the result leaves <paramref name="source"/> open.
    /// </summary>
    public static CountingReadStream OpenMaybeGzip(Stream source, string name, DatasetLimits limits)
    {
        var magic = new byte[2];
        int got;
        Stream rest;
        if (source.CanSeek)
        {
            long start = source.Position;
            got = source.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
            source.Position = start;
            rest = source;
        }
        else
        {
            got = source.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
            rest = new PrefixedStream(magic[..got], source);
        }

        long cap = limits.MaxExpandedBytes;
        if (got == 2 && magic[0] == 0x1f && magic[1] == 0x8b)
        {
            // Compressed bytes are counted too, so a bomb is stopped by its ratio long before the size cap.
            var compressed = new CountingReadStream(rest, _ => { });
            var gzip = new GZipStream(compressed, CompressionMode.Decompress, leaveOpen: true);
            return new CountingReadStream(gzip, n =>
            {
                if (n > cap) throw new DatasetFormatException($"{name}: decompresses to more than {cap} bytes (limit); refusing a possible gzip bomb.");
                if (n > limits.RatioCheckMinBytes && n > compressed.BytesRead * limits.MaxCompressionRatio)
                    throw new DatasetFormatException($"{name}: expands more than {limits.MaxCompressionRatio} times its compressed size; refusing a possible gzip bomb.");
            }, owned: gzip);
        }
        return new CountingReadStream(rest, n =>
        {
            if (n > cap) throw new DatasetFormatException($"{name}: holds more than {cap} bytes (limit).");
        });
    }

    /// <summary>
    /// Up to <paramref name="max"/> bytes, fewer only when the stream ends first. Of a stream of unknown
    /// length the buffer grows as data arrives, so a tiny file declaring a huge size cannot make us
    /// allocate that size up front.
    /// </summary>
    public static byte[] ReadUpTo(CountingReadStream stream, long max, string name)
    {
        try
        {
            long? known = stream.KnownRemaining;
            if (known is { } remaining)
            {
                var exact = new byte[Math.Min(max, remaining)];
                int n = stream.ReadAtLeast(exact, exact.Length, throwOnEndOfStream: false);
                return n == exact.Length ? exact : exact[..n];
            }

            var buffer = new byte[Math.Min(max, 1 << 20)];
            int filled = 0;
            while (true)
            {
                if (filled == buffer.Length)
                {
                    if (filled >= max) return buffer;
                    Array.Resize(ref buffer, (int)Math.Min(max, (long)buffer.Length * 2));
                }
                int n = stream.Read(buffer, filled, buffer.Length - filled);
                if (n == 0) return filled == buffer.Length ? buffer : buffer[..filled];
                filled += n;
            }
        }
        catch (InvalidDataException e)
        {
            throw new DatasetFormatException($"{name}: corrupt compressed data ({e.Message}).", e);
        }
    }

    /// <summary>Whether anything follows the data a header declared (a header that lies about its counts).</summary>
    public static bool HasMoreData(CountingReadStream stream)
    {
        Span<byte> one = stackalloc byte[1];
        try { return stream.Read(one) > 0; }
        catch (InvalidDataException) { return true; }
    }
}
