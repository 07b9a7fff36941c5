package io.isledb.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * The write side of the {@code file://} store, in java.nio because Hadoop's local file system has
 * neither an atomic create-if-absent nor a rename that refuses to replace (FACTS.md): every object
 * is first written whole to a hidden temporary sibling and fsynced, then published by an atomic
 * rename ({@link #publishReplacing}) or an atomic hard link ({@link #publishIfAbsent}).
 */
final class LocalFiles {
  private LocalFiles() {}

  /**
   * A fresh temporary sibling of {@code target}. Its name starts with '.', which object names may
   * not, so listings skip it and it can never collide with an object.
   */
  static Path tempFor(Path target) throws IOException {
    createDirectoriesDurably(target.getParent());
    return target.resolveSibling(
        ObjectNames.TEMP_PREFIX + UUID.randomUUID() + "-" + target.getFileName());
  }

  /** Opens a new temporary file for writing. */
  static FileChannel openTemp(Path tmp) throws IOException {
    return FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
  }

  /** Writes all of {@code data} at the channel's position. */
  static void writeFully(FileChannel ch, byte[] data, int offset, int length) throws IOException {
    ByteBuffer buf = ByteBuffer.wrap(data, offset, length);
    while (buf.hasRemaining()) {
      ch.write(buf);
    }
  }

  /** Writes {@code data} to a new temporary file and fsyncs it. */
  static void writeTemp(Path tmp, byte[] data) throws IOException {
    try (FileChannel ch = openTemp(tmp)) {
      writeFully(ch, data, 0, data.length);
      ch.force(true);
    }
  }

  /** Atomically moves the fsynced {@code tmp} over {@code target}, replacing any old object. */
  static void publishReplacing(Path tmp, Path target) throws IOException {
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    syncDirectory(target.getParent());
  }

  /**
   * Atomically publishes the fsynced {@code tmp} as {@code target} unless {@code target} exists.
   * {@code link(2)} fails with EEXIST rather than replacing, which makes this the file://
   * create-if-absent primitive. The caller deletes {@code tmp} afterwards either way.
   *
   * @return false if {@code target} already existed
   */
  static boolean publishIfAbsent(Path tmp, Path target) throws IOException {
    try {
      Files.createLink(target, tmp);
    } catch (FileAlreadyExistsException e) {
      return false;
    }
    syncDirectory(target.getParent());
    return true;
  }

  /** Deletes a temporary file, ignoring failures: a leftover is hidden from listings. */
  static void deleteQuietly(Path tmp) {
    try {
      Files.deleteIfExists(tmp);
    } catch (IOException ignored) {
      // Leftover temp files are invisible to list() and harmless.
    }
  }

  /**
   * Creates {@code dir} and its missing ancestors, fsyncing the parent of each directory it creates
   * (as LevelDB and RocksDB do): otherwise a crash can lose a new shard directory, and with it the
   * objects already published into it, although each of them was fsynced with its own directory.
   */
  static void createDirectoriesDurably(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    java.util.ArrayDeque<Path> missing = new java.util.ArrayDeque<>();
    for (Path d = dir; d != null && !Files.isDirectory(d); d = d.getParent()) {
      missing.push(d);
    }
    while (!missing.isEmpty()) {
      Path d = missing.pop();
      try {
        Files.createDirectory(d);
      } catch (FileAlreadyExistsException e) {
        if (!Files.isDirectory(d)) {
          throw e;
        }
        // Created by a concurrent writer, which also syncs the parent; syncing again is cheap.
      }
      syncDirectory(d.getParent());
    }
  }

  /** Sees every directory fsync; for tests only. */
  static volatile java.util.function.Consumer<Path> directorySyncObserver = d -> {};

  /** Makes a new directory entry durable; some platforms cannot open directories, which is ok. */
  private static void syncDirectory(Path dir) {
    directorySyncObserver.accept(dir);
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException ignored) {
      // Not supported everywhere (for example on Windows); the data itself was fsynced.
    }
  }
}
