/**
 * Plumbing shared by the connector's table, source, sink and lookup code: table locations, Hadoop
 * settings, secrets, JVM-wide shared databases. Not a user API: may change in any release.
 */
package io.isledb.flink.connector.internal;
