package io.isledb.sst;

import io.isledb.CorruptionException;
import io.isledb.util.Internal;

/**
 * Block compression codecs. The ids are persisted in every block trailer: <b>never change them</b>.
 */
@Internal
public enum Compression {
  /** Stored as is. */
  NONE(0),
  /** LZ4 block format (fast; meant for freshly flushed tables). */
  LZ4(1),
  /** Zstandard frame (strong; meant for compacted tables). */
  ZSTD(2);

  private final byte id;

  Compression(int id) {
    this.id = (byte) id;
  }

  /** The persisted id. */
  public byte id() {
    return id;
  }

  /**
   * The codec with persisted id {@code id}.
   *
   * @throws CorruptionException if no codec has that id
   */
  public static Compression fromId(int id) {
    Compression c = byIdOrNull(id);
    if (c == null) {
      throw new CorruptionException("unknown compression id " + id);
    }
    return c;
  }

  static Compression byIdOrNull(int id) {
    return switch (id) {
      case 0 -> NONE;
      case 1 -> LZ4;
      case 2 -> ZSTD;
      default -> null;
    };
  }
}
