package io.isledb.storage;

import io.isledb.IsleException;
import io.isledb.ObjectUpload;
import io.isledb.RequestStats.RequestKind;
import java.io.IOException;

/**
 * What every upload strategy shares: the closed check on write, the position, and the once-only,
 * counted complete(); subclasses say how bytes are written and how the object is published.
 */
@SuppressWarnings("try") // HadoopLoader scopes are not referenced in their bodies
abstract class CountedUpload implements ObjectUpload {
  final StoreContext ctx;
  final String name;
  private long position;
  boolean done;

  CountedUpload(StoreContext ctx, String name) {
    this.ctx = ctx;
    this.name = name;
  }

  /** Writes the bytes to the underlying channel or stream. */
  abstract void writeBytes(byte[] data, int offset, int length) throws IOException;

  /** Makes the written bytes visible under the object's name (or fails and cleans up). */
  abstract void publish() throws IOException;

  @Override
  public final void write(byte[] data, int offset, int length) {
    try (HadoopLoader.Scope loader = HadoopLoader.enter()) {
      if (done) {
        throw IsleException.closed("upload of " + ctx.where(name));
      }
      try {
        writeBytes(data, offset, length);
      } catch (IOException e) {
        throw ctx.failed("upload write", name, e);
      }
      position += length;
    }
  }

  @Override
  public final long position() {
    return position;
  }

  @Override
  public final long complete() {
    try (HadoopLoader.Scope loader = HadoopLoader.enter()) {
      ctx.checkCompletable(this, done, name);
      done = true;
      ctx.counters().count(RequestKind.UPLOAD);
      try {
        publish();
      } catch (IOException e) {
        throw ctx.failed("upload complete", name, e);
      }
      ctx.counters().written(position);
      return position;
    }
  }
}
