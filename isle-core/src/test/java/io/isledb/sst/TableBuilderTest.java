package io.isledb.sst;

import static io.isledb.sst.SstTesting.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.IsleException;
import io.isledb.IsleException.Kind;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The writer: argument and order checks, streaming with bounded memory, size estimates. */
class TableBuilderTest {

  private static IsleException.Kind kindOf(Throwable t) {
    return ((IsleException) t).kind();
  }

  @Test
  void outOfOrderEntriesAreRejectedNamingBothKeys() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    TableBuilder b = new TableBuilder(out, TableOptions.defaults());
    b.add(bytes("m"), 5, ValueKind.PUT, 0, bytes("v"));
    assertThatThrownBy(() -> b.add(bytes("a"), 9, ValueKind.PUT, 0, bytes("v")))
        .isInstanceOf(IsleException.class)
        .satisfies(t -> assertThat(kindOf(t)).isEqualTo(Kind.INVALID_ARGUMENT))
        .hasMessageContaining("0x61 seq 9")
        .hasMessageContaining("0x6d seq 5");
    assertThatThrownBy(() -> b.add(bytes("m"), 5, ValueKind.DELETE, 0, new byte[0]))
        .as("same key and seq")
        .hasMessageContaining("strictly increasing");
    assertThatThrownBy(() -> b.add(bytes("m"), 6, ValueKind.PUT, 0, bytes("v")))
        .as("same key, higher seq")
        .hasMessageContaining("seq descending");
    // A rejected entry leaves the builder usable.
    b.add(bytes("m"), 4, ValueKind.PUT, 0, bytes("w"));
    b.add(bytes("n"), 100, ValueKind.PUT, 0, bytes("x"));
    b.finish();
    try (TableReader r = open(out.toByteArray())) {
      assertThat(r.properties().entryCount()).isEqualTo(3);
    }
  }

  @Test
  void invalidEntriesAreRejected() {
    TableBuilder b = new TableBuilder(new ByteArrayOutputStream(), TableOptions.defaults());
    byte[] v = bytes("v");
    List<Runnable> bad =
        List.of(
            () -> b.add(null, 1, ValueKind.PUT, 0, v),
            () -> b.add(bytes("k"), 1, null, 0, v),
            () -> b.add(bytes("k"), 1, ValueKind.PUT, 0, null),
            () -> b.add(new byte[SstFormat.MAX_KEY_LENGTH + 1], 1, ValueKind.PUT, 0, v),
            () -> b.add(bytes("k"), -1, ValueKind.PUT, 0, v),
            () -> b.add(bytes("k"), SstFormat.MAX_SEQUENCE + 1, ValueKind.PUT, 0, v),
            () -> b.add(bytes("k"), 1, ValueKind.DELETE, 0, v),
            () -> b.add(bytes("k"), 1, ValueKind.PUT, 5, v),
            () -> b.add(bytes("k"), 1, ValueKind.BLOB, 5, v),
            () -> b.add(bytes("k"), 1, ValueKind.PUT_EXPIRING, 0, v),
            () -> b.add(bytes("k"), 1, ValueKind.BLOB_EXPIRING, -3, v),
            () -> b.add(bytes("k"), 1, ValueKind.PUT, 0, new byte[SstFormat.MAX_VALUE_LENGTH + 1]));
    for (int i = 0; i < bad.size(); i++) {
      assertThatThrownBy(bad.get(i)::run)
          .as("case " + i)
          .isInstanceOf(IsleException.class)
          .satisfies(t -> assertThat(kindOf(t)).isEqualTo(Kind.INVALID_ARGUMENT));
    }
    // The limits themselves are accepted.
    b.add(new byte[SstFormat.MAX_KEY_LENGTH], SstFormat.MAX_SEQUENCE, ValueKind.PUT, 0, v);
    assertThat(b.entryCount()).isEqualTo(1);
  }

  @Test
  void invalidOptionsAreRejected() {
    TableOptions d = TableOptions.defaults();
    List<Runnable> bad =
        List.of(
            () -> d.withBlockSize(0),
            () -> d.withBlockSize(SstFormat.MAX_BLOCK_SIZE_OPTION + 1),
            () -> d.withRestartInterval(0),
            () -> d.withBloomBitsPerKey(-1),
            () -> d.withBloomBitsPerKey(65),
            () -> d.withCompression(null),
            () -> d.withZstdLevel(23),
            () -> d.withTargetFileSize(0),
            () -> new TableBuilder(new ByteArrayOutputStream(), d.withDataTimeRange(5, 4)));
    for (int i = 0; i < bad.size(); i++) {
      assertThatThrownBy(bad.get(i)::run)
          .as("case " + i)
          .isInstanceOf(IsleException.class)
          .satisfies(t -> assertThat(kindOf(t)).isEqualTo(Kind.INVALID_ARGUMENT));
    }
    assertThat(d)
        .isEqualTo(new TableOptions(16384, 16, 10, Compression.LZ4, 3, 0, 0, 0, 64L << 20));
    TableOptions changed =
        d.withBlockSize(1)
            .withRestartInterval(2)
            .withBloomBitsPerKey(3)
            .withCompression(Compression.ZSTD)
            .withZstdLevel(19)
            .withCreationTimeMillis(7)
            .withMinDataTimeMillis(-5)
            .withMaxDataTimeMillis(8)
            .withTargetFileSize(9);
    assertThat(changed).isEqualTo(new TableOptions(1, 2, 3, Compression.ZSTD, 19, 7, -5, 8, 9));
  }

  @Test
  void finishedOrClosedBuildersRefuseWork() {
    TableBuilder b = new TableBuilder(new ByteArrayOutputStream(), TableOptions.defaults());
    b.finish();
    assertThatThrownBy(() -> b.add(bytes("a"), 1, ValueKind.PUT, 0, bytes("v")))
        .satisfies(t -> assertThat(kindOf(t)).isEqualTo(Kind.CLOSED));
    assertThatThrownBy(b::finish).satisfies(t -> assertThat(kindOf(t)).isEqualTo(Kind.CLOSED));
    TableBuilder c = new TableBuilder(new ByteArrayOutputStream(), TableOptions.defaults());
    c.close();
    assertThatThrownBy(c::finish).satisfies(t -> assertThat(kindOf(t)).isEqualTo(Kind.CLOSED));
  }

  @Test
  void aFailingSinkIsUnavailableAndPoisonsTheBuilder() {
    OutputStream failing =
        new OutputStream() {
          @Override
          public void write(int b) throws IOException {
            throw new IOException("disk full");
          }
        };
    TableBuilder b = new TableBuilder(failing, TableOptions.defaults().withBlockSize(1));
    assertThatThrownBy(() -> b.add(bytes("a"), 1, ValueKind.PUT, 0, bytes("v")))
        .satisfies(t -> assertThat(kindOf(t)).isEqualTo(Kind.UNAVAILABLE))
        .hasRootCauseMessage("disk full");
    assertThatThrownBy(() -> b.add(bytes("b"), 1, ValueKind.PUT, 0, bytes("v")))
        .satisfies(t -> assertThat(kindOf(t)).isEqualTo(Kind.INTERNAL));
  }

  /** Counts bytes and discards them. */
  static final class CountingStream extends OutputStream {
    long count;

    @Override
    public void write(int b) {
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      count += len;
    }
  }

  /**
   * A ~64 MiB table streams: bytes reach the sink as blocks complete, and the builder's buffers
   * stay bounded by a few blocks plus the index and 8 bytes per key for the bloom filter. The file
   * is then read back from disk and checked entry by entry.
   */
  @Test
  void sixtyFourMebibyteTableStreamsWithBoundedMemory(@TempDir Path dir) throws Exception {
    long seed = 64;
    int entries = 64 * 1024;
    Path path = dir.resolve("big.sst");
    TableOptions options = TableOptions.defaults();
    long maxRetained = 0;
    TableProperties props;
    try (OutputStream file = Files.newOutputStream(path);
        CountingTee sink = new CountingTee(file);
        TableBuilder b = new TableBuilder(sink, options)) {
      Random r = new Random(seed);
      for (int i = 0; i < entries; i++) {
        byte[] value = valueFor(r, i);
        b.add(keyFor(i), i + 1, ValueKind.PUT, 0, value);
        maxRetained = Math.max(maxRetained, b.retainedBytes());
        // Nothing waits in memory beyond the open block.
        assertThat(b.bytesWritten())
            .as("seed %d, entry %d", seed, i)
            .isEqualTo(sink.count)
            .isGreaterThanOrEqualTo((long) (i + 1) * 1024 / 2 - 2L * options.blockSize());
      }
      props = b.finish();
      assertThat(sink.count).isEqualTo(props.fileSize());
    }
    assertThat(props.fileSize()).as("seed " + seed).isGreaterThan(60L << 20);
    // Bloom hashes: 8 bytes x 64 Ki keys = 512 KiB; index ~ 130 KiB; two block buffers.
    assertThat(maxRetained)
        .as("seed " + seed + ": bytes retained by the builder")
        .isLessThan(2L << 20);
    System.out.printf(
        "64 MiB table: %d bytes, %d blocks, max retained by the builder %d bytes%n",
        props.fileSize(), props.dataBlockCount(), maxRetained);

    try (FileBlockSource source = FileBlockSource.open(path);
        TableReader reader =
            TableReader.open("big.sst", source.size(), source, BlockCache.none(), 1)) {
      assertThat(reader.properties()).isEqualTo(props);
      Random r = new Random(seed);
      TableIterator it = reader.iterator(ScanOptions.sequential(4 << 20));
      it.seekToFirst();
      for (int i = 0; i < entries; i++, it.next()) {
        assertThat(it.valid()).isTrue();
        assertThat(it.userKey()).isEqualTo(keyFor(i));
        assertThat(it.value()).as("seed %d, entry %d", seed, i).isEqualTo(valueFor(r, i));
      }
      assertThat(it.valid()).isFalse();
      assertThat(reader.get(keyFor(12345)).seq()).isEqualTo(12346);
    }
  }

  private static byte[] keyFor(int i) {
    return String.format("user-%010d", i).getBytes();
  }

  /** 1 KiB, mostly random; every 8th value is repetitive, so LZ4 pays on some blocks. */
  private static byte[] valueFor(Random r, int i) {
    byte[] v = new byte[1024];
    r.nextBytes(v);
    if (i % 8 == 0) {
      java.util.Arrays.fill(v, 100, 1024, (byte) 'x');
    }
    return v;
  }

  /** Writes through to a stream and counts. */
  static final class CountingTee extends OutputStream {
    final OutputStream out;
    long count;

    CountingTee(OutputStream out) {
      this.out = out;
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      count += len;
    }
  }

  @Test
  void aHugeEntryMakesOneLargeBlockAndBuffersShrinkAfterwards() {
    CountingStream sink = new CountingStream();
    TableBuilder b = new TableBuilder(sink, TableOptions.defaults());
    Random r = new Random(65);
    b.add(bytes("a"), 1, ValueKind.PUT, 0, randomBytes(r, 100));
    long before = b.retainedBytes();
    b.add(bytes("b"), 1, ValueKind.PUT, 0, randomBytes(r, 8 << 20));
    assertThat(sink.count).as("the huge block was written at once").isGreaterThan(8L << 20);
    b.add(bytes("c"), 1, ValueKind.PUT, 0, randomBytes(r, 100));
    assertThat(b.retainedBytes()).as("seed 65").isLessThan(before + (1 << 20));
    TableProperties p = b.finish();
    assertThat(p.dataBlockCount()).isEqualTo(2);
  }

  @Test
  void sizeEstimateTracksTheFinalSizeAndTargetSizeIsAHint() {
    long seed = 66;
    Model model = randomModel(seed, 4000, 300);
    CountingStream sink = new CountingStream();
    TableBuilder b = new TableBuilder(sink, TableOptions.defaults().withTargetFileSize(100_000));
    boolean reached = false;
    for (Entry e : model.entries()) {
      b.add(e.userKey(), e.seq(), e.kind(), e.expiresAtMillis(), e.value());
      if (!reached && b.reachedTargetSize()) {
        reached = true;
        assertThat(b.estimatedFileSize()).isGreaterThanOrEqualTo(100_000);
      }
    }
    assertThat(reached).isTrue();
    long estimate = b.estimatedFileSize();
    long actual = b.finish().fileSize();
    assertThat((double) estimate / actual).as("seed " + seed).isBetween(0.9, 1.25);
  }

  @Test
  void indexSeparatorsAreShortened() {
    // 200 keys of 1000 bytes that differ in their first bytes, one block each: the index keeps
    // a short separator per block, not the 1000-byte keys.
    List<Entry> entries = new java.util.ArrayList<>();
    for (int i = 0; i < 200; i++) {
      byte[] key = new byte[1000];
      key[0] = (byte) (i / 10 * 3);
      key[1] = (byte) (i % 10 * 20);
      entries.add(new Entry(key, 1, ValueKind.PUT, 0, new byte[0]));
    }
    byte[] file =
        build(entries, TableOptions.defaults().withBlockSize(1).withCompression(Compression.NONE));
    try (TableReader r = open(file)) {
      assertThat(r.properties().dataBlockCount()).isEqualTo(200);
      assertThat(r.properties().indexSize()).isLessThan(200 * 30);
      assertThat(readAll(r.iterator())).containsExactlyElementsOf(entries);
      for (Entry e : entries) {
        assertThat(r.get(e.userKey())).isEqualTo(e);
      }
    }
  }
}
