package io.isledb.flink.connector.table;

import io.isledb.IsleException;
import io.isledb.flink.connector.IsleConnectorOptions;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.connector.source.lookup.LookupOptions;
import org.apache.flink.table.factories.DynamicTableFactory;
import org.apache.flink.table.factories.DynamicTableSinkFactory;
import org.apache.flink.table.factories.DynamicTableSourceFactory;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.types.logical.RowType;

/**
 * The {@code 'connector' = 'isle'} table factory: an isle table is the IsleDB database at {@code
 * path}. Validates the options (Flink's standard check of unknown options, except the {@code
 * hadoop.*} and {@code s3.*} pass-through), the path, the primary key's types and nullability, and
 * the schema against the one stored at the path, at planning time; every error names the option,
 * column or location, never a secret (docs/flink-connector.md, "SQL").
 */
public final class IsleDynamicTableFactory
    implements DynamicTableSourceFactory, DynamicTableSinkFactory {
  /** The connector's identifier: {@code 'connector' = 'isle'}. */
  public static final String IDENTIFIER = "isle";

  @Override
  public String factoryIdentifier() {
    return IDENTIFIER;
  }

  @Override
  public Set<ConfigOption<?>> requiredOptions() {
    return Set.of(IsleConnectorOptions.PATH);
  }

  @Override
  public Set<ConfigOption<?>> optionalOptions() {
    Set<ConfigOption<?>> options = new LinkedHashSet<>(connectorOptions());
    options.remove(IsleConnectorOptions.PATH);
    options.add(LookupOptions.CACHE_TYPE);
    options.add(LookupOptions.PARTIAL_CACHE_EXPIRE_AFTER_ACCESS);
    options.add(LookupOptions.PARTIAL_CACHE_EXPIRE_AFTER_WRITE);
    options.add(LookupOptions.PARTIAL_CACHE_MAX_ROWS);
    options.add(LookupOptions.PARTIAL_CACHE_CACHE_MISSING_KEY);
    options.add(LookupOptions.MAX_RETRIES);
    options.add(FactoryUtil.SINK_PARALLELISM);
    return options;
  }

  /** Every {@code ConfigOption} constant of {@link IsleConnectorOptions}, in declaration order. */
  static Set<ConfigOption<?>> connectorOptions() {
    Set<ConfigOption<?>> out = new LinkedHashSet<>();
    for (Field f : IsleConnectorOptions.class.getFields()) {
      if (Modifier.isStatic(f.getModifiers()) && ConfigOption.class.isAssignableFrom(f.getType())) {
        try {
          out.add((ConfigOption<?>) f.get(null));
        } catch (IllegalAccessException e) {
          throw new IllegalStateException("public option " + f.getName(), e);
        }
      }
    }
    return out;
  }

  @Override
  public DynamicTableSource createDynamicTableSource(Context context) {
    Resolved r;
    try {
      r = resolve(context);
    } catch (RuntimeException e) {
      return invalid(context, e);
    }
    return new IsleDynamicTableSource(
        r.config,
        r.schema,
        r.bounded,
        TableConfig.lookupCache(r.options),
        r.options.get(LookupOptions.MAX_RETRIES));
  }

  @Override
  public DynamicTableSink createDynamicTableSink(Context context) {
    Resolved r;
    try {
      r = resolve(context);
    } catch (RuntimeException e) {
      return invalid(context, e);
    }
    return new IsleDynamicTableSink(r.config, r.schema);
  }

  /**
   * A table that fails planning with {@code e} (scrubbed of secrets) at its first use: thrown from
   * here, Flink would wrap it in an error listing every table option's value (see {@link
   * InvalidIsleTable}).
   */
  private static InvalidIsleTable invalid(DynamicTableFactory.Context context, RuntimeException e) {
    return InvalidIsleTable.failingWith(
        context.getObjectIdentifier().asSummaryString(), e, context.getCatalogTable().getOptions());
  }

  private record Resolved(
      TableConfig config, TableSchemaInfo schema, ReadableConfig options, boolean bounded) {}

  private Resolved resolve(DynamicTableFactory.Context context) {
    FactoryUtil.TableFactoryHelper helper = FactoryUtil.createTableFactoryHelper(this, context);
    helper.validateExcept(IsleConnectorOptions.HADOOP_PREFIX, IsleConnectorOptions.FLINK_S3_PREFIX);
    ReadableConfig options = helper.getOptions();
    Map<String, String> raw = context.getCatalogTable().getOptions();
    TableConfig config;
    try {
      config = TableConfig.from(options, raw);
    } catch (IsleException e) {
      throw new ValidationException(e.getMessage());
    }
    RowType rowType = (RowType) context.getPhysicalRowDataType().getLogicalType();
    TableSchemaInfo schema =
        TableSchemaInfo.resolve(
            context.getObjectIdentifier().asSummaryString() + " at " + config.location().uri(),
            rowType,
            context.getPrimaryKeyIndexes(),
            config.location());
    boolean batch =
        context.getConfiguration().get(ExecutionOptions.RUNTIME_MODE) == RuntimeExecutionMode.BATCH;
    return new Resolved(config, schema, options, batch || config.scanBounded());
  }
}
