package io.isledb.storage;

import io.isledb.IsleException;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes on any other Hadoop scheme: staged like ABFS (see {@link StagedWrites}), but with no
 * known-atomic create-if-absent. Create-if-absent is refused unless the user set {@value
 * #UNSAFE_CREATE_IF_ABSENT}, which allows a check-then-create: two writers can both win, so it is
 * only for single-writer set-ups that accept that risk.
 */
final class UnsafeWrites extends StagedWrites {
  /** The opt-in for the non-atomic check-then-create. */
  static final String UNSAFE_CREATE_IF_ABSENT = "isledb.storage.unsafe-create-if-absent";

  private static final Logger LOG = LoggerFactory.getLogger(UnsafeWrites.class);

  private final String scheme;
  private final boolean optedIn;
  private final AtomicBoolean warned = new AtomicBoolean();

  UnsafeWrites(StoreContext ctx, String scheme, boolean optedIn) {
    super(ctx);
    this.scheme = scheme;
    this.optedIn = optedIn;
  }

  @Override
  public void checkCreateAllowed(String name) {
    if (!optedIn) {
      throw IsleException.invalidArgument(
          "createIfAbsent of "
              + ctx.where(name)
              + ": the '"
              + scheme
              + "' scheme has no known-atomic create-if-absent, so two writers could both win."
              + " Use s3a://, abfs:// or file://, or set "
              + UNSAFE_CREATE_IF_ABSENT
              + "=true to accept an unsafe check-then-create (one writer only)");
    }
  }

  @Override
  public boolean createIfAbsent(String name, byte[] data) throws IOException {
    if (warned.compareAndSet(false, true)) {
      LOG.warn(
          "{} is set: createIfAbsent on {} is a NON-ATOMIC check-then-create; two concurrent"
              + " writers can both succeed and corrupt the database",
          UNSAFE_CREATE_IF_ABSENT,
          ctx.location());
    }
    Optional<Boolean> ours = ctx.holdsOurBytes(name, data);
    if (ours.isPresent()) {
      return ours.get();
    }
    try (FSDataOutputStream out = ctx.fs().create(ctx.path(name), false)) {
      out.write(data);
    }
    ctx.counters().written(data.length);
    return true;
  }

  @Override
  public boolean atomicCreate() {
    return false;
  }
}
