package io.isledb.flink.connector.table;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.connector.source.LookupTableSource;
import org.apache.flink.table.connector.source.ScanTableSource;
import org.apache.flink.table.connector.source.abilities.SupportsFilterPushDown;
import org.apache.flink.table.connector.source.abilities.SupportsLimitPushDown;
import org.apache.flink.table.connector.source.abilities.SupportsProjectionPushDown;
import org.apache.flink.table.connector.source.abilities.SupportsReadingMetadata;
import org.apache.flink.table.connector.source.lookup.AsyncLookupFunctionProvider;
import org.apache.flink.table.connector.source.lookup.LookupFunctionProvider;
import org.apache.flink.table.connector.source.lookup.PartialCachingAsyncLookupProvider;
import org.apache.flink.table.connector.source.lookup.PartialCachingLookupProvider;
import org.apache.flink.table.connector.source.lookup.cache.LookupCache;
import org.apache.flink.table.expressions.ResolvedExpression;
import org.apache.flink.table.types.DataType;

/**
 * The table source of an isle table: bounded or unbounded scans with projection, key-range filter,
 * limit and metadata push-down, and lookups. Its summary and the plans show the table's location
 * and the pushed-down parts, never an option's value.
 */
final class IsleDynamicTableSource
    implements ScanTableSource,
        LookupTableSource,
        SupportsProjectionPushDown,
        SupportsFilterPushDown,
        SupportsLimitPushDown,
        SupportsReadingMetadata {
  /** Metadata column: the version that wrote the row (BIGINT). */
  static final String META_VERSION = "version";

  /**
   * Metadata column: when the change's version was committed (TIMESTAMP_LTZ(3), the committing
   * process's clock); NULL for rows of a bounded scan or of the snapshot a 'full' stream starts
   * with, which were written by many commits.
   */
  static final String META_COMMIT_TIME = "commit_time";

  private final TableConfig config;
  private final TableSchemaInfo schema;
  private final boolean bounded;
  private final @Nullable LookupCache lookupCache;
  private final int lookupMaxRetries;

  private int[] projection; // physical columns produced, in order
  private @Nullable List<KeyFilters.Range> ranges; // null: the whole table
  private List<ResolvedExpression> pushedFilters = List.of();
  private long limit = -1;
  private List<String> metadataKeys = List.of();
  private DataType producedType;

  IsleDynamicTableSource(
      TableConfig config,
      TableSchemaInfo schema,
      boolean bounded,
      @Nullable LookupCache lookupCache,
      int lookupMaxRetries) {
    this.config = config;
    this.schema = schema;
    this.bounded = bounded;
    this.lookupCache = lookupCache;
    this.lookupMaxRetries = lookupMaxRetries;
    this.projection = identity(schema.rowType().getFieldCount());
    this.producedType =
        org.apache.flink.table.types.utils.TypeConversions.fromLogicalToDataType(schema.rowType());
  }

  // ---- scan ---------------------------------------------------------------------------------

  @Override
  public ChangelogMode getChangelogMode() {
    if (bounded || !schema.hasPrimaryKey()) {
      return ChangelogMode.insertOnly();
    }
    // Deletes carry the key only (the log keeps no old values).
    return ChangelogMode.upsert(true);
  }

  @Override
  public ScanRuntimeProvider getScanRuntimeProvider(ScanContext context) {
    return ScanProviders.create(this, context);
  }

  // ---- lookup -------------------------------------------------------------------------------

  @Override
  public LookupRuntimeProvider getLookupRuntimeProvider(LookupContext context) {
    if (!schema.hasPrimaryKey()) {
      throw new ValidationException(
          "lookup joins on the isle table "
              + schema.tableName()
              + " need a PRIMARY KEY: a table without one can only be scanned");
    }
    int[] lookupColumns = new int[context.getKeys().length];
    for (int i = 0; i < lookupColumns.length; i++) {
      int[] path = context.getKeys()[i];
      if (path.length != 1) {
        throw new ValidationException("lookup on a nested field of an isle table is not supported");
      }
      lookupColumns[i] = projection[path[0]];
    }
    LookupCodec codec = LookupCodecs.create(schema, projection, lookupColumns);
    if (config.lookupAsync()) {
      IsleRowDataAsyncLookupFunction f =
          new IsleRowDataAsyncLookupFunction(
              config.location(),
              config.lookupRefreshInterval(),
              config.lookupAsyncThreads(),
              codec,
              lookupMaxRetries);
      return lookupCache == null
          ? AsyncLookupFunctionProvider.of(f)
          : PartialCachingAsyncLookupProvider.of(f, lookupCache);
    }
    IsleRowDataLookupFunction f =
        new IsleRowDataLookupFunction(
            config.location(), config.lookupRefreshInterval(), codec, lookupMaxRetries);
    return lookupCache == null
        ? LookupFunctionProvider.of(f)
        : PartialCachingLookupProvider.of(f, lookupCache);
  }

  // ---- push-downs ---------------------------------------------------------------------------

  @Override
  public boolean supportsNestedProjection() {
    return false;
  }

  @Override
  public void applyProjection(int[][] projectedFields, DataType producedDataType) {
    int[] p = new int[projectedFields.length];
    for (int i = 0; i < p.length; i++) {
      p[i] = projectedFields[i][0];
    }
    projection = p;
    producedType = producedDataType;
  }

  @Override
  public Result applyFilters(List<ResolvedExpression> filters) {
    if (!schema.hasPrimaryKey()) {
      return Result.of(List.of(), filters);
    }
    KeyFilters.Result r = KeyFilters.translate(filters, schema.keyNames(), schema.keyTypes());
    ranges = r.ranges();
    List<ResolvedExpression> pushed = new ArrayList<>(r.accepted());
    for (ResolvedExpression e : r.remaining()) {
      if (r.ranges() != null && !r.accepted().contains(e)) {
        pushed.add(e); // shown in the plan: it narrowed the ranges or stays only as a residual
      }
    }
    pushedFilters = r.ranges() == null ? List.of() : pushed;
    return Result.of(r.accepted(), r.remaining());
  }

  @Override
  public void applyLimit(long limit) {
    this.limit = limit;
  }

  @Override
  public Map<String, DataType> listReadableMetadata() {
    Map<String, DataType> m = new LinkedHashMap<>();
    m.put(META_VERSION, DataTypes.BIGINT().notNull());
    m.put(META_COMMIT_TIME, DataTypes.TIMESTAMP_LTZ(3).nullable());
    return m;
  }

  @Override
  public void applyReadableMetadata(List<String> metadataKeys, DataType producedDataType) {
    this.metadataKeys = List.copyOf(metadataKeys);
    this.producedType = producedDataType;
  }

  // ---- plumbing -----------------------------------------------------------------------------

  TableConfig config() {
    return config;
  }

  TableSchemaInfo schema() {
    return schema;
  }

  boolean bounded() {
    return bounded;
  }

  int[] projection() {
    return projection.clone();
  }

  @Nullable
  List<KeyFilters.Range> ranges() {
    return ranges;
  }

  long limit() {
    return limit;
  }

  List<String> metadataKeys() {
    return metadataKeys;
  }

  DataType producedType() {
    return producedType;
  }

  @Override
  public DynamicTableSource copy() {
    IsleDynamicTableSource c =
        new IsleDynamicTableSource(config, schema, bounded, lookupCache, lookupMaxRetries);
    c.projection = projection.clone();
    c.ranges = ranges;
    c.pushedFilters = pushedFilters;
    c.limit = limit;
    c.metadataKeys = metadataKeys;
    c.producedType = producedType;
    return c;
  }

  @Override
  public String asSummaryString() {
    StringBuilder sb = new StringBuilder(config.summary());
    sb.append(bounded ? " bounded" : " unbounded");
    if (ranges != null) {
      sb.append(" keyRanges=").append(ranges.size());
    }
    if (!pushedFilters.isEmpty()) {
      sb.append(" keyFilter=").append(pushedFilters);
    }
    if (limit >= 0) {
      sb.append(" limit=").append(limit);
    }
    return sb.toString();
  }

  private static int[] identity(int n) {
    int[] p = new int[n];
    Arrays.setAll(p, i -> i);
    return p;
  }
}
