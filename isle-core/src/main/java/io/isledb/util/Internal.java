package io.isledb.util;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Internal to isle-core; not API; may change without notice.
 *
 * <p>Marks a type of an internal package ({@code io.isledb.db..}, {@code manifest}, {@code sst},
 * {@code storage}, {@code util}) that is public only because another isle-core package uses it.
 * Code outside isle-core must not use it: the ArchUnit rule {@code
 * io.isledb.arch.IsleApiRules.noUseOfIsleInternals()} (isle-core test jar) enforces that in other
 * modules, and isle-core's own ArchitectureTest requires every public type of an internal package
 * to carry this annotation. The stable API is package {@code io.isledb}.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface Internal {}
