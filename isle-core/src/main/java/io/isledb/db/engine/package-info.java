/**
 * Internal: {@link io.isledb.db.engine.Database}, the implementation of {@link io.isledb.IsleDB}.
 * The only package that depends on every role package (write, read, tail, compaction, gc); the API
 * package {@code io.isledb} reaches the engine through it.
 */
package io.isledb.db.engine;
