/** The sink's aggregator and committer (one version per checkpoint); not a user API. */
package io.isledb.flink.connector.sink.committer;
