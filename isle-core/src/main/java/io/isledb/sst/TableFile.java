package io.isledb.sst;

/**
 * A table written to storage by {@link TableFileWriter}.
 *
 * @param name the object name
 * @param size the object's size in bytes
 * @param properties what the table holds
 */
record TableFile(String name, long size, TableProperties properties) {}
