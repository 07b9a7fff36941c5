package io.isledb.db.write;

import java.util.function.IntBinaryOperator;

/** Stable sorts of memtable entry numbers by a comparison of entries. */
final class EntrySort {
  private EntrySort() {}

  /** Sorts {@code a[from, to)} (stable; insertion sort below 24 elements), using {@code tmp}. */
  static void mergeSort(int[] a, int[] tmp, int from, int to, IntBinaryOperator cmp) {
    int n = to - from;
    if (n < 24) {
      for (int i = from + 1; i < to; i++) {
        int x = a[i];
        int j = i - 1;
        while (j >= from && cmp.applyAsInt(a[j], x) > 0) {
          a[j + 1] = a[j];
          j--;
        }
        a[j + 1] = x;
      }
      return;
    }
    int mid = (from + to) >>> 1;
    mergeSort(a, tmp, from, mid, cmp);
    mergeSort(a, tmp, mid, to, cmp);
    if (cmp.applyAsInt(a[mid - 1], a[mid]) <= 0) {
      return; // already in order
    }
    System.arraycopy(a, from, tmp, from, n);
    merge(tmp, from, mid, tmp, mid, to, a, from, cmp);
  }

  /**
   * Merges the sorted {@code x[xFrom, xTo)} and {@code y[yFrom, yTo)} into {@code out} at {@code
   * at}; on ties {@code x} comes first.
   */
  static void merge(
      int[] x,
      int xFrom,
      int xTo,
      int[] y,
      int yFrom,
      int yTo,
      int[] out,
      int at,
      IntBinaryOperator cmp) {
    int i = xFrom;
    int j = yFrom;
    int k = at;
    while (i < xTo && j < yTo) {
      out[k++] = cmp.applyAsInt(y[j], x[i]) < 0 ? y[j++] : x[i++];
    }
    while (i < xTo) {
      out[k++] = x[i++];
    }
    while (j < yTo) {
      out[k++] = y[j++];
    }
  }
}
