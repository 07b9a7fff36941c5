package io.isledb.flink.connector.sink.committer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.DBOptions;
import io.isledb.IsleDB;
import io.isledb.ObjectStore;
import io.isledb.SstHandle;
import io.isledb.SstWriter;
import io.isledb.SstWriterOptions;
import io.isledb.flink.connector.sink.writer.IsleWriteResult;
import io.isledb.flink.connector.sink.writer.IsleWriteResultSerializer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The committable and write-result serializers: round trips of real handles, damaged bytes. */
class IsleCommittableSerializerTest {
  @TempDir Path tmp;
  private ObjectStore store;
  private IsleDB db;

  @BeforeEach
  void open() {
    store = IsleDB.openStore(tmp.toUri().toString(), "db");
    db = IsleDB.open(store, DBOptions.defaults());
  }

  @AfterEach
  void close() {
    db.close();
    store.close();
  }

  private List<SstHandle> handles(int tables) {
    List<SstHandle> out = new ArrayList<>();
    for (int t = 0; t < tables; t++) {
      try (SstWriter w = db.newSstWriter(SstWriterOptions.defaults())) {
        w.put(("k" + t).getBytes(StandardCharsets.UTF_8), new byte[] {(byte) t});
        out.addAll(w.finish());
      }
    }
    return out;
  }

  @Test
  void committableRoundTripsAndCommits() throws IOException {
    IsleCommittableSerializer s = new IsleCommittableSerializer();
    IsleCommittable c = new IsleCommittable("flink-job-sink", 42, handles(3));
    IsleCommittable back = s.deserialize(s.getVersion(), s.serialize(c));
    assertThat(back.commitUser()).isEqualTo("flink-job-sink");
    assertThat(back.checkpointId()).isEqualTo(42);
    assertThat(back.handles()).isEqualTo(c.handles());
    // What comes back is committable, and a second commit of it is a replay.
    assertThat(db.commit(back.handles(), back.commitUser(), back.checkpointId()).duplicate())
        .isFalse();
    assertThat(db.commit(back.handles(), back.commitUser(), back.checkpointId()).duplicate())
        .isTrue();
  }

  @Test
  void emptyCommittableRoundTrips() throws IOException {
    IsleCommittableSerializer s = new IsleCommittableSerializer();
    IsleCommittable c = new IsleCommittable("u", 0, List.of());
    assertThat(s.deserialize(1, s.serialize(c))).isEqualTo(c);
  }

  @Test
  void writeResultRoundTrips() throws IOException {
    IsleWriteResultSerializer s = new IsleWriteResultSerializer();
    IsleWriteResult r = new IsleWriteResult(handles(2));
    assertThat(s.deserialize(s.getVersion(), s.serialize(r))).isEqualTo(r);
  }

  @Test
  void refusesAnUnknownVersion() throws IOException {
    IsleCommittableSerializer s = new IsleCommittableSerializer();
    byte[] bytes = s.serialize(new IsleCommittable("u", 1, handles(1)));
    assertThatThrownBy(() -> s.deserialize(2, bytes))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("version 2");
  }

  @Test
  void refusesTruncatedOrExtendedBytes() throws IOException {
    IsleCommittableSerializer s = new IsleCommittableSerializer();
    byte[] bytes = s.serialize(new IsleCommittable("u", 1, handles(2)));
    for (int len = 0; len < bytes.length; len += Math.max(1, bytes.length / 40)) {
      byte[] cut = Arrays.copyOf(bytes, len);
      assertThatThrownBy(() -> s.deserialize(1, cut))
          .as("cut at %s", len)
          .isInstanceOf(IOException.class);
    }
    byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
    assertThatThrownBy(() -> s.deserialize(1, longer))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("trailing");
  }

  @Test
  void refusesADamagedHandle() throws IOException {
    IsleCommittableSerializer s = new IsleCommittableSerializer();
    byte[] bytes = s.serialize(new IsleCommittable("u", 1, handles(1)));
    // Flip a byte inside the handle (after user, checkpoint id, count and length fields).
    int inHandle = 2 + 1 + 8 + 4 + 4 + 10;
    for (int i = inHandle; i < bytes.length; i += 7) {
      byte[] bad = bytes.clone();
      bad[i] ^= 0x5a;
      assertThatThrownBy(() -> s.deserialize(1, bad))
          .as("byte %s flipped", i)
          .isInstanceOf(IOException.class)
          .hasMessageContaining("damaged sink committable");
    }
  }

  @Test
  void refusesAnImpossibleHandleCount() throws IOException {
    IsleWriteResultSerializer s = new IsleWriteResultSerializer();
    assertThatThrownBy(() -> s.deserialize(1, new byte[] {0x7f, 0, 0, 0}))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("handle count");
  }
}
