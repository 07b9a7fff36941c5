package io.isledb.storage;

import io.isledb.ObjectUpload;
import java.io.IOException;

/**
 * How one scheme writes objects: {@link LocalWrites} ({@code file://}), {@link S3aWrites}, {@link
 * AbfsWrites} and {@link UnsafeWrites} (any other Hadoop scheme). {@link HadoopObjectStore} picks
 * one when the store is opened and sends every write through it; it checks names, counts the
 * request and turns failures into {@link io.isledb.IsleException}s around these calls.
 */
interface WriteStrategy {

  /** Writes the whole object, replacing any existing one; see {@link io.isledb.ObjectStore#put}. */
  void put(String name, byte[] data) throws IOException;

  /**
   * Refuses create-if-absent on a scheme without an atomic primitive whose unsafe mode was not
   * enabled; called before the request is counted.
   */
  default void checkCreateAllowed(String name) {}

  /** The create-if-absent primitive; see {@link io.isledb.ObjectStore#createIfAbsent}. */
  boolean createIfAbsent(String name, byte[] data) throws IOException;

  /** A streaming upload; see {@link io.isledb.ObjectStore#startUpload}. */
  ObjectUpload startUpload(String name) throws IOException;

  /** Whether {@link #createIfAbsent} is atomic on this scheme. */
  boolean atomicCreate();

  /** Verifies the atomicity of {@link #createIfAbsent} once, where the server can break it. */
  default void checkAtomicCreate() {}

  /**
   * Whether writes are staged in hidden temporary files that a dying writer can leave behind (see
   * {@link io.isledb.ObjectStore#deleteAbandonedTemporaries}).
   */
  default boolean stagesWrites() {
    return true;
  }

  /**
   * Whether the scheme is a flat key space (S3): listed with one recursive, paged LIST, and single
   * objects are deleted through the bulk API (which skips the directory probes of a plain delete).
   */
  default boolean flatKeySpace() {
    return false;
  }
}
