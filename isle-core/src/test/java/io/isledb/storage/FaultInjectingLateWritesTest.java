package io.isledb.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.IsleException;
import io.isledb.ObjectUpload;
import io.isledb.RequestStats.RequestKind;
import io.isledb.storage.FaultInjectingObjectStore.Fault;
import io.isledb.storage.FaultInjectingObjectStore.Operation;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The "failed, then landed later" fault of {@link FaultInjectingObjectStore}. */
class FaultInjectingLateWritesTest {
  private static byte[] b(String s) {
    return s.getBytes(UTF_8);
  }

  private static void assertTimedOut(Runnable r) {
    assertThatThrownBy(r::run)
        .isInstanceOfSatisfying(
            IsleException.class,
            e -> assertThat(e.kind()).isEqualTo(IsleException.Kind.UNAVAILABLE))
        .hasMessageContaining("timed out")
        .hasMessageContaining("may land later");
  }

  @Test
  void aLatePutFailsForTheCallerAndReplacesNewerDataWhenItLands() {
    InMemoryObjectStore real = new InMemoryObjectStore();
    FaultInjectingObjectStore store = FaultInjectingObjectStore.builder(real).seed(1).build();
    store.put("lease", b("v1"));
    store.delayNextWrites(Operation.PUT, 1);
    assertTimedOut(() -> store.put("lease", b("v2")));
    assertThat(real.get("lease")).hasValueSatisfying(v -> assertThat(v).isEqualTo(b("v1")));
    assertThat(real.stats().count(RequestKind.PUT)).as("nothing reached the store yet").isOne();
    assertThat(store.pendingLateWrites()).isOne();

    // The caller moves on and writes a newer version; the old request then lands over it.
    store.put("lease", b("v3"));
    assertThat(store.deliverLateWrites()).isOne();
    assertThat(real.get("lease")).hasValueSatisfying(v -> assertThat(v).isEqualTo(b("v2")));
    assertThat(store.pendingLateWrites()).isZero();
    assertThat(store.deliveredLateWrites()).isOne();
    assertThat(store.injected(Fault.LATE_WRITE)).isOne();
    assertThat(store.deliverLateWrites()).as("each late write lands once").isZero();
  }

  @Test
  void aLateCreateTakesItsSlotOnlyIfStillFree() {
    InMemoryObjectStore real = new InMemoryObjectStore();
    FaultInjectingObjectStore store = FaultInjectingObjectStore.builder(real).seed(2).build();
    store.delayNextWrites(Operation.CREATE_IF_ABSENT, 2);
    assertTimedOut(() -> store.createIfAbsent("log/1", b("late one")));
    assertTimedOut(() -> store.createIfAbsent("log/2", b("late two")));
    assertThat(real.get("log/1")).isEmpty();
    // Another writer takes slot 2 meanwhile.
    assertThat(real.createIfAbsent("log/2", b("winner"))).isTrue();

    assertThat(store.deliverLateWrite("log/1")).isTrue();
    assertThat(store.deliverLateWrite("log/1")).as("only one was in flight").isFalse();
    assertThat(real.get("log/1")).hasValueSatisfying(v -> assertThat(v).isEqualTo(b("late one")));
    assertThat(store.deliverLateWrites()).isOne();
    assertThat(real.get("log/2")).hasValueSatisfying(v -> assertThat(v).isEqualTo(b("winner")));
  }

  @Test
  void aLateUploadLandsWholeFromTheBytesWritten() {
    InMemoryObjectStore real = new InMemoryObjectStore();
    FaultInjectingObjectStore store = FaultInjectingObjectStore.builder(real).seed(3).build();
    store.delayNextWrites(Operation.UPLOAD, 1);
    try (ObjectUpload up = store.startUpload("sstable/1.sst")) {
      up.write(b("part one, "));
      up.write(b("part two"));
      assertTimedOut(up::complete);
    }
    assertThat(real.get("sstable/1.sst")).as("invisible until it lands").isEmpty();
    assertThat(store.deliverLateWrites()).isOne();
    assertThat(real.get("sstable/1.sst"))
        .hasValueSatisfying(v -> assertThat(v).isEqualTo(b("part one, part two")));
  }

  @Test
  void lateWritesCanLandOnTheirOwnAfterLaterOperations() {
    InMemoryObjectStore real = new InMemoryObjectStore();
    FaultInjectingObjectStore store =
        FaultInjectingObjectStore.builder(real).seed(4).lateWritesLandAfter(2).build();
    store.delayNextWrites(Operation.PUT, 1);
    assertTimedOut(() -> store.put("pin", b("late")));
    store.get("x"); // first later operation: still in flight
    assertThat(real.get("pin")).isEmpty();
    store.stat("x"); // second: it lands just before this one
    assertThat(real.get("pin")).hasValueSatisfying(v -> assertThat(v).isEqualTo(b("late")));
    assertThat(store.pendingLateWrites()).isZero();
  }

  @Test
  void withoutLandAfterTheyWaitForTheTest() {
    InMemoryObjectStore real = new InMemoryObjectStore();
    FaultInjectingObjectStore store = FaultInjectingObjectStore.builder(real).seed(5).build();
    store.delayNextWrites(Operation.PUT, 1);
    assertTimedOut(() -> store.put("pin", b("late")));
    for (int i = 0; i < 100; i++) {
      store.get("x");
    }
    assertThat(real.get("pin")).isEmpty();
    assertThat(store.pendingLateWrites()).isOne();
  }

  @Test
  void probabilisticLateWritesAreSeeded() {
    List<String> runs = new ArrayList<>();
    for (int run = 0; run < 2; run++) {
      FaultInjectingObjectStore store =
          FaultInjectingObjectStore.builder(new InMemoryObjectStore())
              .seed(20260101L)
              .lateWrites(Operation.PUT, 0.3)
              .build();
      StringBuilder pattern = new StringBuilder();
      for (int i = 0; i < 100; i++) {
        try {
          store.put("k" + i, b("v"));
          pattern.append('.');
        } catch (IsleException e) {
          pattern.append('L');
        }
      }
      assertThat(store.pendingLateWrites())
          .isEqualTo((int) pattern.chars().filter(c -> c == 'L').count());
      runs.add(pattern.toString());
    }
    assertThat(runs.get(1)).as("same seed, same late writes").isEqualTo(runs.get(0));
    assertThat(runs.get(0).chars().filter(c -> c == 'L').count()).isBetween(15L, 45L);
  }

  @Test
  void onlyWritesCanBeLate() {
    FaultInjectingObjectStore.Builder b =
        FaultInjectingObjectStore.builder(new InMemoryObjectStore());
    for (Operation op : List.of(Operation.GET, Operation.LIST, Operation.DELETE)) {
      assertThatThrownBy(() -> b.lateWrites(op, 0.5)).isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> b.lateWritesLandAfter(-1))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
