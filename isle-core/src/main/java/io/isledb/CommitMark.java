package io.isledb;

/**
 * The high-water mark of one commit user: the highest identifier it committed, and the version that
 * committed it (docs/PROTOCOL.md, "Commit users"). A commit of that user whose identifier is not
 * above {@code identifier} is a no-op.
 *
 * @param commitUser the commit user (for example a Flink job's sink name)
 * @param identifier the highest identifier committed (for example a checkpoint id)
 * @param version the version whose edit committed {@code identifier}
 */
public record CommitMark(String commitUser, long identifier, long version) {}
