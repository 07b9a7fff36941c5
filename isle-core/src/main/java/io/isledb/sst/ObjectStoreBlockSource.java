package io.isledb.sst;

import io.isledb.CorruptionException;
import io.isledb.ObjectStore;

/**
 * Reads a table stored as an object: each {@link #read} is one {@link ObjectStore#getRange(String,
 * long, long, int)} with the known object size, so exactly one storage request. A missing object is
 * reported as corruption (a table that is referenced must exist).
 */
final class ObjectStoreBlockSource implements BlockSource {
  private final ObjectStore store;
  private final String name;
  private final long size;

  /**
   * @param store the database's store
   * @param name the object name of the table
   * @param size the object's size, as recorded when it was written
   */
  public ObjectStoreBlockSource(ObjectStore store, String name, long size) {
    this.store = store;
    this.name = name;
    this.size = size;
  }

  @Override
  public byte[] read(long offset, int length) {
    return store
        .getRange(name, size, offset, length)
        .orElseThrow(
            () ->
                new CorruptionException(
                    "sst "
                        + name
                        + " is missing from "
                        + store.location()
                        + " (expected "
                        + size
                        + " bytes)"));
  }
}
