/**
 * Internal: the engine's shared plumbing (database context, role lifecycle, background loop, pins,
 * ids, table output, blob values). The role packages ({@code write}, {@code read}, {@code tail},
 * {@code compaction}, {@code gc}) depend on it, never the other way round. Public types here and in
 * the role packages are marked {@code @io.isledb.util.Internal}: they carry no compatibility
 * promise.
 */
package io.isledb.db;
