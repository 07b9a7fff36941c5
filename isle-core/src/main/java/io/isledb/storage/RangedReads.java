package io.isledb.storage;

import io.isledb.ObjectStore;
import io.isledb.RequestStats.RequestKind;
import io.isledb.util.Internal;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * Many ranged reads of one immutable object of known size (a table read block by block). Each
 * {@link Handle#read} is exactly one {@link ObjectStore#getRange(String, long, long, int)} as far
 * as results, errors and {@link ObjectStore#stats()} go (one {@code GET_RANGE} each); what differs
 * is the cost on {@code file://}.
 *
 * <p>On {@code file://} a ranged get through Hadoop's local file system costs a stat, a {@code
 * Path}/URI parse, an open, a buffered stream and a close per call: several times the cost of
 * reading a block from the page cache, and most of a cold point lookup's time. A handle on a local
 * object opens the file once (at its first read) and then serves every read with one positional
 * read. Objects never change once written, so reading through a file opened earlier returns the
 * same bytes. On other schemes (S3A sends one GET per read either way) and for stores that are not
 * Hadoop-backed (in-memory, test wrappers with hooks), each read is a plain {@code getRange}.
 */
@Internal
public final class RangedReads {
  private RangedReads() {}

  /** Reads of one object; thread-safe. Close it to release the file. */
  public interface Handle extends AutoCloseable {
    /**
     * Bytes {@code [offset, offset + length)}, fewer if the object ends earlier, or empty if the
     * object does not exist.
     */
    Optional<byte[]> read(long offset, int length);

    /**
     * Like {@link #read} (one {@code GET_RANGE}), into {@code dst[0, length)}: the number of bytes
     * read (fewer if the object ends earlier), or -1 if the object does not exist.
     */
    default int readInto(long offset, int length, byte[] dst) {
      Optional<byte[]> b = read(offset, length);
      if (b.isEmpty()) {
        return -1;
      }
      int n = Math.min(b.get().length, length);
      System.arraycopy(b.get(), 0, dst, 0, n);
      return n;
    }

    @Override
    void close();
  }

  /** A handle on {@code name} of {@code size} bytes in {@code store}. Costs no request. */
  public static Handle open(ObjectStore store, String name, long size) {
    if (store instanceof HadoopObjectStore h && h.isLocal()) {
      ObjectNames.checkName(name);
      ObjectRanges.checkObjectSize(size);
      return new LocalHandle(h, name, size);
    }
    return new Handle() {
      @Override
      public Optional<byte[]> read(long offset, int length) {
        return store.getRange(name, size, offset, length);
      }

      @Override
      public void close() {}
    };
  }

  /** A local object read through one file channel, opened at the first read. */
  private static final class LocalHandle implements Handle {
    private final HadoopObjectStore store;
    private final StoreContext ctx;
    private final String name;
    private final long size;
    private final Path file;
    private volatile FileChannel channel; // opened and closed under this
    private boolean closed; // guarded by this

    LocalHandle(HadoopObjectStore store, String name, long size) {
      this.store = store;
      this.ctx = store.context();
      this.name = name;
      this.size = size;
      this.file = store.localPath(name);
    }

    @Override
    public Optional<byte[]> read(long offset, int length) {
      ctx.checkOpen();
      ObjectRanges.checkRange(offset, length);
      if (offset >= size || length == 0) {
        // The store's answer for an empty range (one metadata request, empty if missing).
        return store.getRange(name, size, offset, length);
      }
      byte[] out = new byte[(int) Math.min(length, size - offset)];
      int n = readInto(offset, length, out);
      if (n < 0) {
        return Optional.empty();
      }
      return Optional.of(n == out.length ? out : java.util.Arrays.copyOf(out, n));
    }

    @Override
    public int readInto(long offset, int length, byte[] dst) {
      ctx.checkOpen();
      ObjectRanges.checkRange(offset, length);
      if (offset >= size || length == 0) {
        return Handle.super.readInto(offset, length, dst);
      }
      ctx.counters().count(RequestKind.GET_RANGE);
      int toRead = (int) Math.min(length, size - offset);
      for (int attempt = 1; ; attempt++) {
        FileChannel ch;
        try {
          ch = channel();
        } catch (NoSuchFileException e) {
          return -1;
        } catch (IOException e) {
          throw ctx.failed("ranged get", name, e);
        }
        try {
          if (ch == null) {
            // Closed by its owner while another thread still reads: one read on its own channel.
            try (FileChannel once = FileChannel.open(file, StandardOpenOption.READ)) {
              return readAt(once, offset, toRead, dst);
            }
          }
          return readAt(ch, offset, toRead, dst);
        } catch (NoSuchFileException e) {
          return -1;
        } catch (ClosedByInterruptException e) {
          reopenAfter(ch);
          throw ctx.failed("ranged get", name, e);
        } catch (ClosedChannelException e) {
          // Another thread's interrupt closed the shared channel: open it again and retry once.
          reopenAfter(ch);
          if (attempt >= 2) {
            throw ctx.failed("ranged get", name, e);
          }
        } catch (IOException e) {
          throw ctx.failed("ranged get", name, e);
        }
      }
    }

    private int readAt(FileChannel ch, long offset, int length, byte[] dst) throws IOException {
      ByteBuffer buf = ByteBuffer.wrap(dst, 0, length);
      while (buf.hasRemaining()) {
        if (ch.read(buf, offset + buf.position()) < 0) {
          break; // shorter than its recorded size: the caller reports the truncation
        }
      }
      ctx.counters().read(buf.position());
      return buf.position();
    }

    /** The open channel (opening it if needed), or null once the handle was closed. */
    private FileChannel channel() throws IOException {
      FileChannel c = channel;
      return c != null ? c : openChannel();
    }

    private synchronized FileChannel openChannel() throws IOException {
      if (closed) {
        return null;
      }
      if (channel == null) {
        channel = FileChannel.open(file, StandardOpenOption.READ);
      }
      return channel;
    }

    /** Forgets {@code broken} so the next read opens the file again. */
    private synchronized void reopenAfter(FileChannel broken) {
      if (broken != null && channel == broken) {
        channel = null;
      }
    }

    @Override
    public synchronized void close() {
      closed = true;
      if (channel != null) {
        try {
          channel.close();
        } catch (IOException ignored) {
          // a read-only channel has nothing to flush
        }
        channel = null;
      }
    }
  }
}
