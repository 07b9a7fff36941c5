/**
 * Plumbing of the FLIP-27 {@code IsleSource} shared by its enumerator and readers: the scan
 * configuration and the events between them. Not a user API.
 */
package io.isledb.flink.connector.source.internal;
