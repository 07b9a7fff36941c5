package io.isledb.sst;

import io.isledb.IsleException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Reads a table from a local file (for example one downloaded into the local disk cache) with
 * positional reads, which are safe from many threads at once. Close it to release the file.
 */
final class FileBlockSource implements BlockSource, AutoCloseable {
  private final Path path;
  private final FileChannel channel;

  private FileBlockSource(Path path, FileChannel channel) {
    this.path = path;
    this.channel = channel;
  }

  /**
   * Opens {@code path} for reading.
   *
   * @throws IsleException UNAVAILABLE if the file cannot be opened
   */
  public static FileBlockSource open(Path path) {
    try {
      return new FileBlockSource(path, FileChannel.open(path, StandardOpenOption.READ));
    } catch (IOException e) {
      throw IsleException.unavailable("cannot open " + path, e);
    }
  }

  /** The file's current length. */
  public long size() {
    try {
      return channel.size();
    } catch (IOException e) {
      throw IsleException.unavailable("cannot stat " + path, e);
    }
  }

  @Override
  public byte[] read(long offset, int length) {
    if (offset < 0 || length < 0) {
      throw IsleException.invalidArgument(
          "read of " + length + " bytes at " + offset + " from " + path);
    }
    byte[] out = new byte[length];
    ByteBuffer buf = ByteBuffer.wrap(out);
    try {
      while (buf.hasRemaining()) {
        int n = channel.read(buf, offset + buf.position());
        if (n < 0) {
          return Arrays.copyOf(out, buf.position());
        }
      }
    } catch (IOException e) {
      throw IsleException.unavailable(
          "reading " + length + " bytes at " + offset + " of " + path, e);
    }
    return out;
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      throw IsleException.unavailable("closing " + path, e);
    }
  }
}
