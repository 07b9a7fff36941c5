package io.isledb;

import java.util.Iterator;

/**
 * An ordered iterator over key-value pairs (ascending unsigned byte order of keys). Close it to
 * release the tables it holds open; it is not thread-safe.
 */
public interface KvIterator extends Iterator<KV>, AutoCloseable {
  @Override
  void close();
}
