package io.isledb;

/**
 * One stored object: its name relative to the database prefix, its size in bytes and its last
 * modification time in epoch milliseconds (as reported by the storage).
 */
public record ObjectInfo(String name, long size, long lastModifiedMillis) {}
