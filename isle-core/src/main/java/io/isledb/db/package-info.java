/**
 * Internal: the engine (writer, readers, tailing reader, compaction, retention, GC). Public types
 * here exist so the API package can reach them; they carry no compatibility promise.
 */
package io.isledb.db;
