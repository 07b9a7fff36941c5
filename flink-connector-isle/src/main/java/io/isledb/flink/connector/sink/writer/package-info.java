/** The sink's writer subtasks (tables per checkpoint); not a user API. */
package io.isledb.flink.connector.sink.writer;
