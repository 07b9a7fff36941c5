package io.isledb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The split record, its stable encoding (golden file) and the ReadView defaults. */
class ScanSplitTest {
  private static final List<ScanSplit> SAMPLES =
      List.of(
          new ScanSplit(
              42,
              3,
              "apple".getBytes(StandardCharsets.UTF_8),
              new byte[] {122, -1, 16},
              123_456_789,
              1000),
          new ScanSplit(7, 0, null, null, 0, 0),
          new ScanSplit(9, 1, null, new byte[] {'m'}, 5, 2));

  private static List<String> golden() throws IOException {
    try (InputStream in =
        ScanSplitTest.class.getClassLoader().getResourceAsStream("golden/scan-split-v1.hex")) {
      assertThat(in).as("golden/scan-split-v1.hex").isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8)
          .lines()
          .filter(l -> !l.startsWith("#") && !l.isBlank())
          .toList();
    }
  }

  @Test
  void goldenBytesDecodeToTheSamplesAndTheSamplesEncodeToThem() throws IOException {
    List<String> lines = golden();
    assertThat(lines).hasSize(SAMPLES.size());
    for (int i = 0; i < lines.size(); i++) {
      byte[] bytes = HexFormat.of().parseHex(lines.get(i));
      assertThat(ScanSplit.decode(bytes)).as("golden line %d", i).isEqualTo(SAMPLES.get(i));
      assertThat(HexFormat.of().formatHex(SAMPLES.get(i).encode()))
          .as("sample %d", i)
          .isEqualTo(lines.get(i));
    }
  }

  @Test
  void malformedEncodingsAreCorruption() throws IOException {
    byte[] good = HexFormat.of().parseHex(golden().get(0));
    assertThatThrownBy(() -> ScanSplit.decode(Arrays.copyOf(good, good.length - 1)))
        .isInstanceOf(CorruptionException.class)
        .hasMessageContaining("truncated");
    assertThatThrownBy(() -> ScanSplit.decode(Arrays.copyOf(good, good.length + 1)))
        .isInstanceOf(CorruptionException.class)
        .hasMessageContaining("after its upper bound");
    byte[] newer = good.clone();
    newer[0] = 2;
    assertThatThrownBy(() -> ScanSplit.decode(newer))
        .isInstanceOf(CorruptionException.class)
        .hasMessageContaining("encoding version 2");
    assertThatThrownBy(() -> ScanSplit.decode(new byte[5]))
        .isInstanceOf(CorruptionException.class)
        .hasMessageContaining("shorter");
    // Lower bound "b" above upper bound "a".
    byte[] inverted = new ScanSplit(1, 0, new byte[] {'a'}, new byte[] {'b'}, 0, 0).encode();
    inverted[inverted.length - 1] = 'a';
    inverted[inverted.length - 6] = 'b';
    assertThatThrownBy(() -> ScanSplit.decode(inverted))
        .isInstanceOf(CorruptionException.class)
        .hasMessageContaining("empty range");
  }

  @Test
  void boundsAreCopiedAndChecked() {
    byte[] from = {1};
    ScanSplit s = new ScanSplit(1, 0, from, null, 0, 0);
    from[0] = 9;
    assertThat(s.fromInclusive()).containsExactly(1);
    assertThat(s.contains(new byte[] {1})).isTrue();
    assertThat(s.contains(new byte[] {0, 5})).isFalse();
    assertThatThrownBy(() -> new ScanSplit(1, 0, new byte[] {2}, new byte[] {2}, 0, 0))
        .isInstanceOf(IsleException.class)
        .satisfies(
            e ->
                assertThat(((IsleException) e).kind())
                    .isEqualTo(IsleException.Kind.INVALID_ARGUMENT));
  }

  /** A view without table metadata: the interface's defaults must still be correct. */
  @Test
  void defaultsLoopGetAndReturnOneSplit() {
    ReadView view =
        new ReadView() {
          @Override
          public Optional<byte[]> get(byte[] key) {
            return key[0] == 'x' ? Optional.empty() : Optional.of(new byte[] {key[0], 1});
          }

          @Override
          public KvIterator scan(byte[] fromInclusive, byte[] toExclusive) {
            throw new UnsupportedOperationException();
          }

          @Override
          public long version() {
            return 12;
          }

          @Override
          public java.util.Map<String, String> properties() {
            return java.util.Map.of();
          }

          @Override
          public Optional<CommitMark> lastCommitted(String commitUser) {
            return Optional.empty();
          }

          @Override
          public void close() {}
        };
    List<Optional<byte[]>> got =
        view.getAll(
            List.of(new byte[] {'b'}, new byte[] {'x'}, new byte[] {'a'}, new byte[] {'b'}));
    assertThat(got.get(0)).hasValueSatisfying(v -> assertThat(v).containsExactly('b', 1));
    assertThat(got.get(1)).isEmpty();
    assertThat(got.get(2)).hasValueSatisfying(v -> assertThat(v).containsExactly('a', 1));
    assertThat(got.get(3)).hasValueSatisfying(v -> assertThat(v).containsExactly('b', 1));
    assertThat(view.splits(8)).containsExactly(new ScanSplit(12, 0, null, null, 0, 0));
    assertThatThrownBy(() -> view.splits(0)).hasMessageContaining("maxSplits");
    assertThatThrownBy(() -> view.getAll(Arrays.asList(new byte[] {'a'}, null)))
        .hasMessageContaining("key 1 is null");
  }
}
