package io.isledb.flink.connector.table;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import javax.annotation.Nullable;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.expressions.CallExpression;
import org.apache.flink.table.expressions.FieldReferenceExpression;
import org.apache.flink.table.expressions.ResolvedExpression;
import org.apache.flink.table.expressions.ValueLiteralExpression;
import org.apache.flink.table.functions.BuiltInFunctionDefinitions;
import org.apache.flink.table.functions.FunctionDefinition;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.LogicalTypeFamily;

/**
 * Filter push-down: the conjuncts of a scan's filter that constrain the leading primary key columns
 * ({@code =}, {@code <}, {@code <=}, {@code >}, {@code >=}, {@code BETWEEN}, {@code IN}, {@code OR}
 * of those on one column, and prefix {@code LIKE 'abc%'} on strings) become key ranges. Leading
 * columns constrained to a few values (equality, {@code IN}) extend the ranges column by column;
 * the first column constrained to intervals ends them. A conjunct is accepted when the ranges
 * capture it exactly; every other conjunct (and prefix {@code LIKE}s, whose ranges are only bounds)
 * stays with Flink. A pure function of the filter and the key's names and types.
 */
final class KeyFilters {
  /** Most ranges one scan is split into; beyond it the column's hull is scanned instead. */
  static final int MAX_RANGES = 1024;

  private KeyFilters() {}

  /** One end of an interval of a key column's internal values. */
  record Bound(Object value, boolean inclusive) {}

  /**
   * The keys whose first columns equal {@code equalPrefix} and whose next column lies between
   * {@code lower} and {@code upper} (each null for unbounded; both null when the range is the
   * prefix only).
   */
  record Range(List<Object> equalPrefix, @Nullable Bound lower, @Nullable Bound upper) {}

  /**
   * The push-down result.
   *
   * @param ranges the key ranges to scan, disjoint and in key order; null scans the whole table,
   *     empty scans nothing
   * @param accepted conjuncts the ranges capture exactly
   * @param remaining conjuncts Flink still evaluates
   */
  record Result(
      @Nullable List<Range> ranges,
      List<ResolvedExpression> accepted,
      List<ResolvedExpression> remaining) {}

  private record Interval(@Nullable Bound lo, @Nullable Bound hi) {}

  private record Constraint(int column, List<Interval> set, boolean exact) {}

  /** Translates {@code filters} (conjuncts) for a key of {@code keyNames} with {@code keyTypes}. */
  static Result translate(
      List<ResolvedExpression> filters, List<String> keyNames, List<LogicalType> keyTypes) {
    int n = keyNames.size();
    List<List<Interval>> sets = new ArrayList<>();
    List<List<Integer>> conjunctsOf = new ArrayList<>();
    boolean[] exactOf = new boolean[n];
    for (int i = 0; i < n; i++) {
      sets.add(null);
      conjunctsOf.add(new ArrayList<>());
      exactOf[i] = true;
    }
    for (int f = 0; f < filters.size(); f++) {
      Constraint c = parse(filters.get(f), keyNames, keyTypes);
      if (c == null) {
        continue;
      }
      List<Interval> prev = sets.get(c.column);
      sets.set(c.column, prev == null ? c.set : intersect(prev, c.set));
      conjunctsOf.get(c.column).add(f);
      exactOf[c.column] &= c.exact;
    }
    boolean[] accepted = new boolean[filters.size()];
    List<List<Object>> prefixes = new ArrayList<>();
    prefixes.add(List.of());
    List<Range> ranges = null;
    for (int i = 0; i < n && ranges == null; i++) {
      List<Interval> set = sets.get(i);
      if (set == null) {
        break;
      }
      boolean exact = exactOf[i];
      boolean points = set.stream().allMatch(KeyFilters::isPoint);
      if (points && (long) prefixes.size() * set.size() <= MAX_RANGES && i < n - 1) {
        List<List<Object>> next = new ArrayList<>();
        for (List<Object> p : prefixes) {
          for (Interval iv : set) {
            List<Object> q = new ArrayList<>(p);
            q.add(iv.lo.value());
            next.add(q);
          }
        }
        prefixes = next;
      } else {
        if ((long) prefixes.size() * set.size() > MAX_RANGES) {
          set = hull(set);
          exact = false;
        }
        ranges = new ArrayList<>();
        for (List<Object> p : prefixes) {
          for (Interval iv : set) {
            ranges.add(new Range(p, iv.lo, iv.hi));
          }
        }
      }
      if (exact) {
        for (int f : conjunctsOf.get(i)) {
          accepted[f] = true;
        }
      }
    }
    if (ranges == null && !(prefixes.size() == 1 && prefixes.get(0).isEmpty())) {
      ranges = new ArrayList<>();
      for (List<Object> p : prefixes) {
        ranges.add(new Range(p, null, null));
      }
    }
    List<ResolvedExpression> acc = new ArrayList<>();
    List<ResolvedExpression> rest = new ArrayList<>();
    for (int f = 0; f < filters.size(); f++) {
      (accepted[f] ? acc : rest).add(filters.get(f));
    }
    return new Result(ranges, acc, rest);
  }

  private static @Nullable Constraint parse(
      ResolvedExpression e, List<String> keyNames, List<LogicalType> keyTypes) {
    if (!(e instanceof CallExpression call)) {
      return null;
    }
    FunctionDefinition fn = call.getFunctionDefinition();
    List<ResolvedExpression> args = call.getResolvedChildren();
    if (fn == BuiltInFunctionDefinitions.AND || fn == BuiltInFunctionDefinitions.OR) {
      Constraint acc = null;
      for (ResolvedExpression a : args) {
        Constraint c = parse(a, keyNames, keyTypes);
        if (c == null || (acc != null && c.column != acc.column)) {
          return null;
        }
        acc =
            acc == null
                ? c
                : new Constraint(
                    c.column,
                    fn == BuiltInFunctionDefinitions.AND
                        ? intersect(acc.set, c.set)
                        : union(acc.set, c.set),
                    acc.exact && c.exact);
      }
      return acc;
    }
    if (fn == BuiltInFunctionDefinitions.IN && args.size() >= 2 && args.size() <= MAX_RANGES + 1) {
      int col = column(args.get(0), keyNames);
      if (col < 0) {
        return null;
      }
      List<Interval> set = new ArrayList<>();
      for (ResolvedExpression a : args.subList(1, args.size())) {
        Object v = literal(a, keyTypes.get(col));
        if (v == null) {
          return null;
        }
        set.add(point(v));
      }
      return new Constraint(col, union(set, List.of()), true);
    }
    if (fn == BuiltInFunctionDefinitions.LIKE && args.size() == 2) {
      return like(args, keyNames, keyTypes);
    }
    if (args.size() != 2) {
      return null;
    }
    int col = column(args.get(0), keyNames);
    ResolvedExpression other = args.get(1);
    boolean flipped = false;
    if (col < 0) {
      col = column(args.get(1), keyNames);
      other = args.get(0);
      flipped = true;
    }
    if (col < 0) {
      return null;
    }
    Object v = literal(other, keyTypes.get(col));
    if (v == null) {
      return null;
    }
    Bound b;
    Interval iv;
    if (fn == BuiltInFunctionDefinitions.EQUALS) {
      iv = point(v);
    } else if (fn == BuiltInFunctionDefinitions.LESS_THAN
        || fn == BuiltInFunctionDefinitions.LESS_THAN_OR_EQUAL) {
      b = new Bound(v, fn == BuiltInFunctionDefinitions.LESS_THAN_OR_EQUAL);
      iv = flipped ? new Interval(b, null) : new Interval(null, b);
    } else if (fn == BuiltInFunctionDefinitions.GREATER_THAN
        || fn == BuiltInFunctionDefinitions.GREATER_THAN_OR_EQUAL) {
      b = new Bound(v, fn == BuiltInFunctionDefinitions.GREATER_THAN_OR_EQUAL);
      iv = flipped ? new Interval(null, b) : new Interval(b, null);
    } else {
      return null;
    }
    return new Constraint(col, List.of(iv), true);
  }

  /** {@code col LIKE 'abc%'}: the strings that start with {@code abc}, an inexact range. */
  private static @Nullable Constraint like(
      List<ResolvedExpression> args, List<String> keyNames, List<LogicalType> keyTypes) {
    int col = column(args.get(0), keyNames);
    if (col < 0
        || !keyTypes.get(col).is(LogicalTypeFamily.CHARACTER_STRING)
        || !(args.get(1) instanceof ValueLiteralExpression lit)) {
      return null;
    }
    String pattern = lit.getValueAs(String.class).orElse(null);
    if (pattern == null || pattern.length() < 2 || !pattern.endsWith("%")) {
      return null;
    }
    String prefix = pattern.substring(0, pattern.length() - 1);
    if (prefix.contains("%") || prefix.contains("_") || prefix.contains("\\")) {
      return null;
    }
    byte[] from = prefix.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    // UTF-8 never holds 0xFF, so incrementing the last byte gives the first string after the
    // prefix's strings in byte order (which is the SQL order of strings and of their key bytes).
    byte[] to = from.clone();
    to[to.length - 1]++;
    return new Constraint(
        col,
        List.of(
            new Interval(
                new Bound(StringData.fromBytes(from), true),
                new Bound(StringData.fromBytes(to), false))),
        false);
  }

  private static int column(ResolvedExpression e, List<String> keyNames) {
    return e instanceof FieldReferenceExpression f ? keyNames.indexOf(f.getName()) : -1;
  }

  private static @Nullable Object literal(ResolvedExpression e, LogicalType type) {
    return e instanceof ValueLiteralExpression lit ? KeyValues.internal(lit, type) : null;
  }

  private static Interval point(Object v) {
    Bound b = new Bound(v, true);
    return new Interval(b, b);
  }

  private static boolean isPoint(Interval iv) {
    return iv.lo != null
        && iv.hi != null
        && iv.lo.inclusive()
        && iv.hi.inclusive()
        && KeyValues.compare(iv.lo.value(), iv.hi.value()) == 0;
  }

  private static final Comparator<Interval> BY_LOWER =
      (a, b) -> {
        if (a.lo == null || b.lo == null) {
          return a.lo == null ? (b.lo == null ? 0 : -1) : 1;
        }
        int c = KeyValues.compare(a.lo.value(), b.lo.value());
        return c != 0 ? c : Boolean.compare(b.lo.inclusive(), a.lo.inclusive());
      };

  /** The union of two interval sets, sorted and merged. */
  private static List<Interval> union(List<Interval> a, List<Interval> b) {
    List<Interval> all = new ArrayList<>(a);
    all.addAll(b);
    all.sort(BY_LOWER);
    List<Interval> out = new ArrayList<>();
    for (Interval iv : all) {
      if (out.isEmpty()) {
        out.add(iv);
        continue;
      }
      Interval cur = out.get(out.size() - 1);
      if (touches(cur, iv)) {
        out.set(out.size() - 1, new Interval(cur.lo, maxUpper(cur.hi, iv.hi)));
      } else {
        out.add(iv);
      }
    }
    return out;
  }

  /** The intersection of two sorted, disjoint interval sets. */
  private static List<Interval> intersect(List<Interval> a, List<Interval> b) {
    List<Interval> out = new ArrayList<>();
    for (Interval x : a) {
      for (Interval y : b) {
        Interval z = new Interval(maxLower(x.lo, y.lo), minUpper(x.hi, y.hi));
        if (!isEmpty(z)) {
          out.add(z);
        }
      }
    }
    out.sort(BY_LOWER);
    return out;
  }

  private static List<Interval> hull(List<Interval> set) {
    return List.of(new Interval(set.get(0).lo, set.get(set.size() - 1).hi));
  }

  private static boolean touches(Interval cur, Interval next) {
    if (cur.hi == null || next.lo == null) {
      return true;
    }
    int c = KeyValues.compare(next.lo.value(), cur.hi.value());
    return c < 0 || (c == 0 && (next.lo.inclusive() || cur.hi.inclusive()));
  }

  private static boolean isEmpty(Interval iv) {
    if (iv.lo == null || iv.hi == null) {
      return false;
    }
    int c = KeyValues.compare(iv.lo.value(), iv.hi.value());
    return c > 0 || (c == 0 && !(iv.lo.inclusive() && iv.hi.inclusive()));
  }

  private static @Nullable Bound maxLower(@Nullable Bound a, @Nullable Bound b) {
    if (a == null || b == null) {
      return a == null ? b : a;
    }
    int c = KeyValues.compare(a.value(), b.value());
    return c > 0 ? a : c < 0 ? b : (a.inclusive() ? b : a);
  }

  private static @Nullable Bound minUpper(@Nullable Bound a, @Nullable Bound b) {
    if (a == null || b == null) {
      return a == null ? b : a;
    }
    int c = KeyValues.compare(a.value(), b.value());
    return c < 0 ? a : c > 0 ? b : (a.inclusive() ? b : a);
  }

  private static @Nullable Bound maxUpper(@Nullable Bound a, @Nullable Bound b) {
    if (a == null || b == null) {
      return null;
    }
    int c = KeyValues.compare(a.value(), b.value());
    return c > 0 ? a : c < 0 ? b : (a.inclusive() ? a : b);
  }
}
