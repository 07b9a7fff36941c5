/**
 * Internal: the read path: the reader role, read versions, table opening and caching (table cache,
 * disk cache), cursors. Compaction and GC reuse its table cache and cursors (@Internal types).
 */
package io.isledb.db.read;
