/**
 * Internal: the {@link io.isledb.ObjectStore} over Hadoop FileSystems. {@link
 * io.isledb.storage.ObjectStores} opens a store for a URI; {@code HadoopObjectStore} reads, lists
 * and deletes, and sends writes through the scheme's {@code WriteStrategy} ({@code LocalWrites},
 * {@code S3aWrites}, {@code AbfsWrites}, {@code UnsafeWrites}), whose helpers share a {@code
 * StoreContext}. The in-memory and fault-injecting stores of the same package are in isle-core's
 * test-jar.
 */
package io.isledb.storage;
