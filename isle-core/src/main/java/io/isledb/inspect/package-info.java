/**
 * The inspection API of the {@code isle} command-line tool (module {@code isle-cli},
 * docs/isle-cli.md): read-only views of a database's manifest, tables, leases and GC state that the
 * public API ({@code io.isledb}) does not expose.
 *
 * <p><b>Internal, not API.</b> Every type here is {@link io.isledb.util.Internal} and may change
 * without notice. Only {@code isle-cli} may use it: its ArchUnit test allows this package and
 * nothing else of isle-core's internals ({@code
 * io.isledb.arch.IsleApiRules.noUseOfIsleInternalsButInspection()}), and every other module's
 * {@code noUseOfIsleInternals()} flags it. Its public signatures show only JDK types, {@code
 * io.isledb} types and its own records (isle-core's ArchitectureTest), so the tool never touches
 * the engine's internal classes.
 *
 * <p>Nothing here writes to the store, fences a role or changes a database.
 */
package io.isledb.inspect;
