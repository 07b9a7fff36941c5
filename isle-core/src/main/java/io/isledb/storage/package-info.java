/**
 * Internal: {@link io.isledb.ObjectStore} implementations (Hadoop FileSystem, in-memory) and the
 * fault-injecting decorator for tests.
 */
package io.isledb.storage;
