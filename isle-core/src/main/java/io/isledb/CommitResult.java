package io.isledb;

/**
 * The outcome of {@link IsleDB#commit}.
 *
 * @param version the version that committed the tables (the earlier one for a duplicate)
 * @param duplicate whether the token had already been committed, so nothing was appended
 */
public record CommitResult(long version, boolean duplicate) {}
