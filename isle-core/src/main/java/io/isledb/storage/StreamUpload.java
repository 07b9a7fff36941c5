package io.isledb.storage;

import io.isledb.IsleException;
import io.isledb.ObjectUpload;
import io.isledb.RequestStats.RequestKind;
import java.io.IOException;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.Path;

/**
 * Streams either to the object's final name (S3A publishes only on close, and an aborted stream
 * leaves nothing) or to a hidden temp file renamed into place on complete().
 */
final class StreamUpload implements ObjectUpload {
  private final HadoopObjectStore store;
  private final String name;
  private final FSDataOutputStream out;
  private final Path tmp;
  private long position;
  private boolean done;

  StreamUpload(HadoopObjectStore store, String name, FSDataOutputStream out, Path tmp) {
    this.store = store;
    this.name = name;
    this.out = out;
    this.tmp = tmp;
  }

  @Override
  public void write(byte[] data, int offset, int length) {
    if (done) {
      throw IsleException.closed("upload of " + store.where(name));
    }
    try {
      out.write(data, offset, length);
    } catch (IOException e) {
      throw store.failed("upload write", name, e);
    }
    position += length;
  }

  @Override
  public long position() {
    return position;
  }

  @Override
  public long complete() {
    store.checkCompletable(this, done, name);
    done = true;
    store.counters.count(RequestKind.UPLOAD);
    boolean published = false;
    try {
      out.close();
      if (tmp != null) {
        store.publishByRename(tmp, store.path(name));
      }
      published = true;
    } catch (IOException e) {
      throw store.failed("upload complete", name, e);
    } finally {
      if (!published && tmp != null) {
        store.deleteQuietly(tmp);
      }
    }
    store.counters.written(position);
    return position;
  }

  @Override
  public void close() {
    if (done) {
      return;
    }
    done = true;
    try {
      if (tmp == null) {
        out.abort(); // S3A: the multipart upload or pending PUT is cancelled
      } else {
        out.close();
        store.fs.delete(tmp, false);
      }
    } catch (IOException | RuntimeException e) {
      HadoopObjectStore.LOG.warn(
          "abandoning the upload of {} failed: {}",
          store.where(name),
          HadoopObjectStore.redact(e.toString()));
    }
  }
}
