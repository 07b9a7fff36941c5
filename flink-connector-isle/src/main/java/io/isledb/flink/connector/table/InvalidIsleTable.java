package io.isledb.flink.connector.table;

import java.util.Map;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.table.connector.source.LookupTableSource;
import org.apache.flink.table.connector.source.ScanTableSource;

/**
 * What the factory returns for an isle table whose options or schema are invalid: it fails the
 * planning with the factory's error as soon as the planner uses it (its changelog mode is the first
 * thing asked, for a scan, a lookup and a sink alike).
 *
 * <p>Why not throw from the factory: Flink's {@code FactoryUtil} wraps any exception a factory
 * throws in an error that lists every table option with its value, hiding only the keys Flink
 * itself considers sensitive ({@code secret}, {@code password}, {@code token}, ...), not {@code
 * fs.s3a.access.key} or {@code s3.access-key}. Failing one step later keeps the error the factory's
 * own: it names the offending option, column or location and holds no option value that is a secret
 * (the message and every cause are scrubbed, the cause chain itself is not kept).
 */
final class InvalidIsleTable implements ScanTableSource, LookupTableSource, DynamicTableSink {
  private final ValidationException error;

  private InvalidIsleTable(ValidationException error) {
    this.error = error;
  }

  /**
   * The table that fails with {@code cause}'s message (and its causes' class names and messages),
   * every secret value of {@code options} hidden.
   */
  static InvalidIsleTable failingWith(String table, Throwable cause, Map<String, String> options) {
    StringBuilder sb = new StringBuilder("Invalid isle table ").append(table).append(": ");
    sb.append(Redaction.scrub(cause.getMessage(), options));
    Throwable c = cause.getCause();
    for (int depth = 0; c != null && depth < 8; depth++, c = c.getCause()) {
      sb.append("\n  caused by ")
          .append(c.getClass().getName())
          .append(": ")
          .append(Redaction.scrub(c.getMessage(), options));
    }
    return new InvalidIsleTable(new ValidationException(sb.toString()));
  }

  /** The error this table fails with. */
  ValidationException error() {
    return error;
  }

  private ValidationException fail() {
    // A fresh exception per use (with this use's stack), the same message.
    return new ValidationException(error.getMessage());
  }

  @Override
  public ChangelogMode getChangelogMode() {
    throw fail();
  }

  @Override
  public ScanRuntimeProvider getScanRuntimeProvider(ScanContext context) {
    throw fail();
  }

  @Override
  public LookupRuntimeProvider getLookupRuntimeProvider(LookupContext context) {
    throw fail();
  }

  @Override
  public ChangelogMode getChangelogMode(ChangelogMode requestedMode) {
    throw fail();
  }

  @Override
  public SinkRuntimeProvider getSinkRuntimeProvider(DynamicTableSink.Context context) {
    throw fail();
  }

  @Override
  public InvalidIsleTable copy() {
    return this;
  }

  @Override
  public String asSummaryString() {
    return "isle (invalid)";
  }
}
