package io.isledb.flink.state;

import io.isledb.IsleResources;
import io.isledb.IsleResourcesOptions;
import java.io.Serializable;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.runtime.memory.MemoryManager;
import org.apache.flink.runtime.memory.OpaqueMemoryResource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the memtable budget and block cache of a keyed backend come from, as Flink's RocksDB
 * backend decides it: a fixed size per slot ({@code memory.fixed-per-slot}), else the slot's
 * managed memory ({@code memory.managed}, the default), else the task manager's shared sizes
 * ({@code memtable.budget}, {@code block-cache.size}). The slot's memory is one {@link
 * IsleResources#share} of the JVM's resources, created by the slot's {@link MemoryManager} for the
 * first isle backend of the slot, shared by every isle backend of the slot, and closed (its memory
 * given back) when the last one is disposed.
 */
final class SlotMemory implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(SlotMemory.class);

  /** The type under which the slot's managed memory is shared by its isle backends. */
  static final String MANAGED_RESOURCE_ID = "state-isle-managed-memory";

  /** The type of the fixed memory per slot. */
  static final String FIXED_RESOURCE_ID = "state-isle-fixed-slot-memory";

  static final SlotMemory DEFAULTS =
      new SlotMemory(
          IsleStateBackendOptions.MEMORY_MANAGED.defaultValue(),
          0,
          IsleStateBackendOptions.MEMORY_WRITE_BUFFER_RATIO.defaultValue());

  final boolean managed;
  final long fixedPerSlot; // 0: not set
  final double writeBufferRatio;

  private SlotMemory(boolean managed, long fixedPerSlot, double writeBufferRatio) {
    this.managed = managed;
    this.fixedPerSlot = fixedPerSlot;
    this.writeBufferRatio = writeBufferRatio;
  }

  static SlotMemory configure(ReadableConfig config, SlotMemory original) {
    boolean managed =
        config.getOptional(IsleStateBackendOptions.MEMORY_MANAGED).orElse(original.managed);
    long fixed =
        config
            .getOptional(IsleStateBackendOptions.MEMORY_FIXED_PER_SLOT)
            .map(m -> m.getBytes())
            .orElse(original.fixedPerSlot);
    double ratio =
        config
            .getOptional(IsleStateBackendOptions.MEMORY_WRITE_BUFFER_RATIO)
            .orElse(original.writeBufferRatio);
    if (!(ratio > 0 && ratio <= 1)) {
      throw new IllegalConfigurationException(
          "'"
              + IsleStateBackendOptions.MEMORY_WRITE_BUFFER_RATIO.key()
              + "' must be in (0, 1], got "
              + ratio);
    }
    if (config.getOptional(IsleStateBackendOptions.MEMORY_FIXED_PER_SLOT).isPresent()
        && fixed < 1) {
      throw new IllegalConfigurationException(
          "'" + IsleStateBackendOptions.MEMORY_FIXED_PER_SLOT.key() + "' must be positive");
    }
    return new SlotMemory(managed, fixed, ratio);
  }

  /** Whether the backend declares managed memory use (Flink then gives its operators a share). */
  boolean usesManagedMemory() {
    return managed && fixedPerSlot == 0;
  }

  /**
   * The resources of one keyed backend: a reference to the JVM's shared resources and, unless the
   * fallback applies, a lease on its slot's share of them. Close it once, after the database.
   */
  BackendResources acquire(
      IsleResourcesOptions jvmOptions, MemoryManager memoryManager, double fraction)
      throws Exception {
    IsleResources jvm = SharedResources.acquire(jvmOptions);
    try {
      OpaqueMemoryResource<IsleResources> slot = null;
      if (memoryManager != null && fixedPerSlot > 0) {
        slot =
            memoryManager.getExternalSharedMemoryResource(
                FIXED_RESOURCE_ID, size -> share(jvm, size), fixedPerSlot);
      } else if (memoryManager != null
          && managed
          && fraction > 0
          && memoryManager.computeMemorySize(fraction) > 1) {
        slot =
            memoryManager.getSharedMemoryResourceForManagedMemory(
                MANAGED_RESOURCE_ID, size -> share(jvm, size), fraction);
      } else if (managed || fixedPerSlot > 0) {
        LOG.info(
            "No managed memory for the isle state backend (memory manager {}, fraction {}); using"
                + " the task manager's shared '{}' of {} bytes",
            memoryManager == null ? "absent" : "present",
            fraction,
            IsleStateBackendOptions.MEMTABLE_BUDGET.key(),
            jvmOptions.memtableBudgetBytes());
      }
      return new BackendResources(jvm, slot);
    } catch (Exception | Error e) {
      SharedResources.release(jvm);
      throw e;
    }
  }

  private IsleResources share(IsleResources jvm, long size) {
    long memtables = Math.max(1, (long) (size * writeBufferRatio));
    return jvm.share(memtables, Math.max(0, size - memtables));
  }

  /** The JVM's resources and the slot's lease on its share (null: the fallback). */
  static final class BackendResources implements AutoCloseable {
    private final IsleResources jvm;
    private final OpaqueMemoryResource<IsleResources> slot;
    private boolean closed;

    BackendResources(IsleResources jvm, OpaqueMemoryResource<IsleResources> slot) {
      this.jvm = jvm;
      this.slot = slot;
    }

    /** The resources the backend's databases are opened with. */
    IsleResources forDatabases() {
      return slot == null ? jvm : slot.getResourceHandle();
    }

    /** Bytes of the slot's memory the backend shares (0: the fallback). */
    long slotBytes() {
      return slot == null ? 0 : slot.getSize();
    }

    @Override
    public synchronized void close() {
      if (closed) {
        return;
      }
      closed = true;
      try {
        if (slot != null) {
          slot.close(); // the last lease of the slot closes its share and frees the memory
        }
      } catch (Exception e) {
        LOG.warn("cannot release the isle backend's slot memory", e);
      } finally {
        SharedResources.release(jvm);
      }
    }
  }
}
