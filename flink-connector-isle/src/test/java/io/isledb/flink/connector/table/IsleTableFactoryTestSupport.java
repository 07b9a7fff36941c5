package io.isledb.flink.connector.table;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Test helpers shared by the table tests. */
final class IsleTableFactoryTestSupport {
  private IsleTableFactoryTestSupport() {}

  /** The whole cause chain of {@code t} with stack traces, as users see it in a log. */
  static String chain(Throwable t) {
    StringWriter w = new StringWriter();
    t.printStackTrace(new PrintWriter(w));
    return w.toString();
  }
}
