package io.isledb.flink.connector.table;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.expressions.CallExpression;
import org.apache.flink.table.expressions.FieldReferenceExpression;
import org.apache.flink.table.expressions.ResolvedExpression;
import org.apache.flink.table.expressions.ValueLiteralExpression;
import org.apache.flink.table.functions.BuiltInFunctionDefinition;
import org.apache.flink.table.functions.BuiltInFunctionDefinitions;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.logical.LogicalType;
import org.junit.jupiter.api.Test;

/** Filter to key-range translation, a pure function: exact ranges, residuals, caps. */
class KeyFiltersTest {
  private static final List<String> KEY = List.of("a", "b");
  private static final List<LogicalType> TYPES =
      List.of(
          DataTypes.BIGINT().notNull().getLogicalType(),
          DataTypes.STRING().notNull().getLogicalType());

  private static FieldReferenceExpression field(String name) {
    DataType t =
        switch (name) {
          case "a" -> DataTypes.BIGINT().notNull();
          case "b" -> DataTypes.STRING().notNull();
          default -> DataTypes.INT();
        };
    return new FieldReferenceExpression(name, t, 0, "abc".indexOf(name));
  }

  private static ResolvedExpression call(BuiltInFunctionDefinition fn, ResolvedExpression... args) {
    return CallExpression.permanent(fn, Arrays.asList(args), DataTypes.BOOLEAN());
  }

  private static ValueLiteralExpression lit(Object v) {
    return new ValueLiteralExpression(v);
  }

  private static KeyFilters.Result translate(ResolvedExpression... filters) {
    return KeyFilters.translate(List.of(filters), KEY, TYPES);
  }

  private static KeyFilters.Bound incl(Object v) {
    return new KeyFilters.Bound(v, true);
  }

  private static KeyFilters.Bound excl(Object v) {
    return new KeyFilters.Bound(v, false);
  }

  @Test
  void equalityOnTheWholeKeyIsOnePointAndFullyAccepted() {
    ResolvedExpression eqA = call(BuiltInFunctionDefinitions.EQUALS, field("a"), lit(7L));
    ResolvedExpression eqB = call(BuiltInFunctionDefinitions.EQUALS, lit("x"), field("b"));
    KeyFilters.Result r = translate(eqA, eqB);
    StringData x = StringData.fromString("x");
    assertThat(r.ranges()).containsExactly(new KeyFilters.Range(List.of(7L), incl(x), incl(x)));
    assertThat(r.accepted()).containsExactly(eqA, eqB);
    assertThat(r.remaining()).isEmpty();
  }

  @Test
  void comparisonsOnTheLeadingColumnIntersectIntoOneRange() {
    ResolvedExpression gt = call(BuiltInFunctionDefinitions.GREATER_THAN, field("a"), lit(10L));
    ResolvedExpression le =
        call(BuiltInFunctionDefinitions.LESS_THAN_OR_EQUAL, field("a"), lit(20L));
    ResolvedExpression ge =
        call(BuiltInFunctionDefinitions.GREATER_THAN_OR_EQUAL, lit(15L), field("a"));
    KeyFilters.Result r = translate(gt, le, ge);
    assertThat(r.ranges()).containsExactly(new KeyFilters.Range(List.of(), excl(10L), incl(15L)));
    assertThat(r.remaining()).isEmpty();
  }

  @Test
  void betweenAsAndOfBounds() {
    ResolvedExpression between =
        call(
            BuiltInFunctionDefinitions.AND,
            call(BuiltInFunctionDefinitions.GREATER_THAN_OR_EQUAL, field("a"), lit(3L)),
            call(BuiltInFunctionDefinitions.LESS_THAN_OR_EQUAL, field("a"), lit(5L)));
    KeyFilters.Result r = translate(between);
    assertThat(r.ranges()).containsExactly(new KeyFilters.Range(List.of(), incl(3L), incl(5L)));
    assertThat(r.accepted()).containsExactly(between);
  }

  @Test
  void inListsExtendThePrefixAndTheNextColumnBoundsIt() {
    ResolvedExpression in =
        call(BuiltInFunctionDefinitions.IN, field("a"), lit(3L), lit(1L), lit(3L));
    ResolvedExpression lt = call(BuiltInFunctionDefinitions.LESS_THAN, field("b"), lit("m"));
    KeyFilters.Result r = translate(in, lt);
    StringData m = StringData.fromString("m");
    assertThat(r.ranges())
        .containsExactly(
            new KeyFilters.Range(List.of(1L), null, excl(m)),
            new KeyFilters.Range(List.of(3L), null, excl(m)));
    assertThat(r.accepted()).containsExactly(in, lt);
  }

  @Test
  void orOfEqualitiesIsAnInList() {
    ResolvedExpression or =
        call(
            BuiltInFunctionDefinitions.OR,
            call(BuiltInFunctionDefinitions.EQUALS, field("a"), lit(2L)),
            call(BuiltInFunctionDefinitions.EQUALS, field("a"), lit(1L)));
    KeyFilters.Result r = translate(or);
    assertThat(r.ranges())
        .containsExactly(
            new KeyFilters.Range(List.of(1L), null, null),
            new KeyFilters.Range(List.of(2L), null, null));
    assertThat(r.accepted()).containsExactly(or);
  }

  @Test
  void contradictionsScanNothing() {
    KeyFilters.Result r =
        translate(
            call(BuiltInFunctionDefinitions.EQUALS, field("a"), lit(1L)),
            call(BuiltInFunctionDefinitions.EQUALS, field("a"), lit(2L)));
    assertThat(r.ranges()).isEmpty();
    KeyFilters.Result open =
        translate(
            call(BuiltInFunctionDefinitions.GREATER_THAN, field("a"), lit(5L)),
            call(BuiltInFunctionDefinitions.LESS_THAN, field("a"), lit(5L)));
    assertThat(open.ranges()).isEmpty();
  }

  @Test
  void predicatesOnLaterColumnsOrOtherColumnsStayWithFlink() {
    ResolvedExpression onB = call(BuiltInFunctionDefinitions.EQUALS, field("b"), lit("x"));
    ResolvedExpression onC = call(BuiltInFunctionDefinitions.EQUALS, field("c"), lit(1));
    ResolvedExpression mixed =
        call(
            BuiltInFunctionDefinitions.OR,
            call(BuiltInFunctionDefinitions.EQUALS, field("a"), lit(1L)),
            call(BuiltInFunctionDefinitions.EQUALS, field("b"), lit("y")));
    KeyFilters.Result r = translate(onB, onC, mixed);
    assertThat(r.ranges()).isNull();
    assertThat(r.accepted()).isEmpty();
    assertThat(r.remaining()).containsExactly(onB, onC, mixed);

    ResolvedExpression gtA = call(BuiltInFunctionDefinitions.GREATER_THAN, field("a"), lit(1L));
    KeyFilters.Result r2 = translate(gtA, onB);
    assertThat(r2.ranges()).containsExactly(new KeyFilters.Range(List.of(), excl(1L), null));
    assertThat(r2.accepted()).containsExactly(gtA);
    assertThat(r2.remaining()).containsExactly(onB);
  }

  @Test
  void prefixLikeBoundsTheStringButStaysWithFlink() {
    ResolvedExpression eqA = call(BuiltInFunctionDefinitions.EQUALS, field("a"), lit(1L));
    ResolvedExpression like = call(BuiltInFunctionDefinitions.LIKE, field("b"), lit("ab%"));
    KeyFilters.Result r = translate(eqA, like);
    assertThat(r.ranges())
        .containsExactly(
            new KeyFilters.Range(
                List.of(1L), incl(StringData.fromString("ab")), excl(StringData.fromString("ac"))));
    assertThat(r.accepted()).containsExactly(eqA);
    assertThat(r.remaining()).containsExactly(like);
    // Not a prefix pattern: nothing pushed for it.
    ResolvedExpression inner = call(BuiltInFunctionDefinitions.LIKE, field("b"), lit("a_b%"));
    assertThat(translate(inner).ranges()).isNull();
  }

  @Test
  void literalsThatDoNotFitTheColumnAreNotTranslated() {
    ResolvedExpression frac =
        call(
            BuiltInFunctionDefinitions.LESS_THAN, field("a"), lit(new java.math.BigDecimal("2.5")));
    assertThat(translate(frac).ranges()).isNull();
    ResolvedExpression intLit = call(BuiltInFunctionDefinitions.EQUALS, field("a"), lit(4));
    assertThat(translate(intLit).ranges())
        .containsExactly(new KeyFilters.Range(List.of(4L), null, null));
  }

  @Test
  void tooManyPointsScanTheirHullAndStayWithFlink() {
    ResolvedExpression[] args = new ResolvedExpression[KeyFilters.MAX_RANGES + 2];
    args[0] = field("a");
    for (int i = 1; i < args.length; i++) {
      args[i] = lit((long) i * 2);
    }
    ResolvedExpression in = call(BuiltInFunctionDefinitions.IN, args);
    KeyFilters.Result r = translate(in);
    // More values than MAX_RANGES + 1 arguments: the IN is not translated at all.
    assertThat(r.ranges()).isNull();
    ResolvedExpression[] fewer = Arrays.copyOf(args, KeyFilters.MAX_RANGES + 1);
    ResolvedExpression in2 = call(BuiltInFunctionDefinitions.IN, fewer);
    ResolvedExpression inB = call(BuiltInFunctionDefinitions.IN, field("b"), lit("p"), lit("q"));
    KeyFilters.Result r2 = translate(in2, inB);
    // 1024 values of a times 2 of b exceed the cap: b is scanned as its hull, inexact.
    assertThat(r2.ranges()).hasSize(KeyFilters.MAX_RANGES);
    assertThat(r2.accepted()).containsExactly(in2);
    assertThat(r2.remaining()).containsExactly(inB);
  }
}
