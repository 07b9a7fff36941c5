package io.isledb.testing;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.isledb.IsleException;
import io.isledb.ObjectInfo;
import io.isledb.RequestStats;
import io.isledb.manifest.Lease;
import io.isledb.manifest.ManifestPaths;
import io.isledb.manifest.ManifestStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link ManifestStore} must guarantee (its class comment, docs/PROTOCOL.md section 11),
 * as one suite that runs against each implementation: subclass it and return a store of a fresh,
 * empty database prefix from {@link #openStore()}, and one whose responses can be lost from {@link
 * #openLossyStore()}. Lives in the test-jar so that stores added later (JDBC) run the same
 * contract.
 */
public abstract class ManifestStoreContract {
  private static final int THREADS = 4;

  /** A manifest store of a fresh, empty database prefix. */
  protected abstract ManifestStore openStore();

  /**
   * A manifest store of a fresh prefix and a switch: after {@code loseNextCreateResponse.run()},
   * the next create (append or create-if-absent) lands but its caller gets an UNAVAILABLE error
   * instead of the response, once.
   */
  protected abstract Lossy openLossyStore();

  /** Releases what {@link #openStore()} opened (called after each test). */
  protected void closeStores() {}

  /** Rounds of the append race. */
  protected int raceRounds() {
    return 10;
  }

  /** A lossy store and the switch that loses the next create's response. */
  public record Lossy(ManifestStore store, Runnable loseNextCreateResponse) {}

  private final ExecutorService pool = Executors.newFixedThreadPool(THREADS);

  @AfterEach
  void shutDown() throws InterruptedException {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    closeStores();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }

  private static List<Long> seqs(List<ObjectInfo> listing) {
    return listing.stream().map(o -> ManifestPaths.seqOf(o.name())).toList();
  }

  /** Runs {@code task(i)} on {@link #THREADS} threads released together; returns the results. */
  private List<Boolean> race(java.util.function.IntFunction<Boolean> task) throws Exception {
    CyclicBarrier start = new CyclicBarrier(THREADS);
    List<Future<Boolean>> fs = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      int id = t;
      fs.add(
          pool.submit(
              () -> {
                start.await(30, TimeUnit.SECONDS);
                return task.apply(id);
              }));
    }
    List<Boolean> out = new ArrayList<>();
    for (Future<Boolean> f : fs) {
      out.add(f.get(60, TimeUnit.SECONDS));
    }
    return out;
  }

  @Test
  void appendIfAbsentHasExactlyOneWinnerPerSlot() throws Exception {
    ManifestStore store = openStore();
    for (int round = 1; round <= raceRounds(); round++) {
      long seq = round;
      List<Boolean> won = race(t -> store.appendIfAbsent(seq, bytes("edit " + seq + " by " + t)));
      assertThat(won).as("slot %d: winners", seq).containsOnlyOnce(true);
      int winner = won.indexOf(true);
      assertThat(store.readLog(seq))
          .as("slot %d holds the winner's bytes", seq)
          .hasValueSatisfying(b -> assertThat(b).isEqualTo(bytes("edit " + seq + " by " + winner)));
    }
    assertThat(seqs(store.list(ManifestPaths.LOG_DIR)))
        .containsExactlyElementsOf(
            IntStream.rangeClosed(1, raceRounds()).mapToObj(i -> (long) i).toList());
  }

  @Test
  void aLostResponseAfterASuccessfulAppendIsNotALostRace() {
    Lossy lossy = openLossyStore();
    ManifestStore store = lossy.store();
    byte[] mine = bytes("my edit");
    lossy.loseNextCreateResponse().run();
    assertThatThrownBy(() -> store.appendIfAbsent(1, mine))
        .isInstanceOfSatisfying(
            IsleException.class,
            e -> assertThat(e.kind()).isEqualTo(IsleException.Kind.UNAVAILABLE));
    assertThat(store.readLog(1)).as("the append landed").isPresent();
    assertThat(store.appendIfAbsent(1, mine)).as("a retry with the same bytes wins").isTrue();
    assertThat(store.appendIfAbsent(1, bytes("another edit")))
        .as("other bytes lose the slot")
        .isFalse();
    assertThat(store.readLog(1)).hasValueSatisfying(b -> assertThat(b).isEqualTo(mine));

    lossy.loseNextCreateResponse().run();
    byte[] settings = bytes("settings of mine");
    assertThatThrownBy(() -> store.createIfAbsent(ManifestPaths.SETTINGS, settings))
        .isInstanceOf(IsleException.class);
    assertThat(store.createIfAbsent(ManifestPaths.SETTINGS, settings)).isTrue();
    assertThat(store.createIfAbsent(ManifestPaths.SETTINGS, bytes("theirs"))).isFalse();
  }

  @Test
  void rangeReadsStopAtTheFirstFreeSlot() {
    ManifestStore store = openStore();
    for (long s = 1; s <= 6; s++) {
      assertThat(store.appendIfAbsent(s, bytes("e" + s))).isTrue();
    }
    assertThat(store.readLogRange(1, 100)).hasSize(6);
    List<byte[]> mid = store.readLogRange(3, 2);
    assertThat(mid).hasSize(2);
    assertThat(mid.get(0)).isEqualTo(bytes("e3"));
    assertThat(mid.get(1)).isEqualTo(bytes("e4"));
    assertThat(store.readLogRange(7, 10)).isEmpty();
    assertThat(store.readLog(7)).isEmpty();

    store.deleteAll(List.of(ManifestPaths.log(1), ManifestPaths.log(4)));
    assertThat(store.readLog(1)).as("a collected slot").isEmpty();
    assertThat(store.readLogRange(2, 100)).as("stops before the free slot 4").hasSize(2);
    assertThat(seqs(store.list(ManifestPaths.LOG_DIR))).containsExactly(2L, 3L, 5L, 6L);
    assertThat(store.stat(ManifestPaths.log(5)))
        .hasValueSatisfying(i -> assertThat(i.size()).isEqualTo(2));
  }

  @Test
  void pinsArePutListedStatedAndDeleted() {
    ManifestStore store = openStore();
    String a = ManifestPaths.pin("a");
    String b = ManifestPaths.pin("b");
    store.put(a, bytes("pin a"));
    store.put(b, bytes("pin b"));
    store.put(a, bytes("pin a, renewed"));
    assertThat(store.get(a))
        .hasValueSatisfying(v -> assertThat(v).isEqualTo(bytes("pin a, renewed")));
    List<ObjectInfo> listed = store.list(ManifestPaths.PINS_DIR);
    assertThat(listed).extracting(ObjectInfo::name).containsExactly(a, b);
    assertThat(listed.get(0).size()).isEqualTo(bytes("pin a, renewed").length);
    assertThat(listed.get(0).lastModifiedMillis()).isPositive();
    assertThat(store.stat(a).orElseThrow().lastModifiedMillis())
        .isEqualTo(listed.get(0).lastModifiedMillis());
    assertThat(store.createIfAbsent(ManifestPaths.pin("c"), bytes("c"))).isTrue();
    assertThat(store.createIfAbsent(ManifestPaths.pin("c"), bytes("c2"))).isFalse();
    store.delete(a);
    store.delete(a); // absent: no error
    assertThat(store.get(a)).isEmpty();
    assertThat(store.stat(a)).isEmpty();
    assertThat(store.list(ManifestPaths.PINS_DIR))
        .extracting(ObjectInfo::name)
        .containsExactly(b, ManifestPaths.pin("c"));
  }

  @Test
  void settingsCreateRaceHasOneWinner() throws Exception {
    ManifestStore store = openStore();
    List<Boolean> won =
        race(t -> store.createIfAbsent(ManifestPaths.SETTINGS, bytes("settings of " + t)));
    assertThat(won).containsOnlyOnce(true);
    int winner = won.indexOf(true);
    assertThat(store.get(ManifestPaths.SETTINGS))
        .hasValueSatisfying(v -> assertThat(v).isEqualTo(bytes("settings of " + winner)));
  }

  @Test
  void theWholeManifestIsListedAndDeleted() {
    ManifestStore store = openStore();
    store.appendIfAbsent(1, bytes("e1"));
    store.appendIfAbsent(2, bytes("e2"));
    store.createIfAbsent(ManifestPaths.snapshot(2), bytes("s2"));
    store.put(ManifestPaths.CURRENT, bytes("current"));
    store.createIfAbsent(ManifestPaths.SETTINGS, bytes("settings"));
    store.put(ManifestPaths.pin("p"), bytes("pin"));
    store.put(Lease.objectName("compactor-1"), bytes("lease"));
    store.put(ManifestPaths.GC_PENDING, bytes("pending"));
    store.put(ManifestPaths.GC_CHECKPOINT, bytes("checkpoint"));
    ManifestStore other = store.sibling(store.prefix() + "-other");
    other.appendIfAbsent(1, bytes("elsewhere"));

    List<String> all = store.list("manifest/").stream().map(ObjectInfo::name).toList();
    assertThat(all).hasSize(9).isSorted();
    List<String> allButLast = new ArrayList<>(all);
    allButLast.remove(ManifestPaths.snapshot(2));
    store.deleteAll(allButLast);
    assertThat(store.list("manifest/"))
        .extracting(ObjectInfo::name)
        .containsExactly(ManifestPaths.snapshot(2));
    store.delete(ManifestPaths.snapshot(2));
    assertThat(store.list("manifest/")).isEmpty();
    assertThat(store.readLog(1)).isEmpty();
    assertThat(other.readLog(1))
        .as("a sibling's manifest is another one")
        .hasValueSatisfying(v -> assertThat(v).isEqualTo(bytes("elsewhere")));
  }

  @Test
  void requestsAreCounted() {
    ManifestStore store = openStore();
    long before = total(store.stats());
    store.appendIfAbsent(1, bytes("e1"));
    store.readLog(1);
    assertThat(total(store.stats())).isGreaterThanOrEqualTo(before + 2);
  }

  private static long total(RequestStats s) {
    long n = 0;
    for (RequestStats.RequestKind k : RequestStats.RequestKind.values()) {
      n += s.count(k);
    }
    return n;
  }
}
