package io.isledb.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.PackageMatchers;
import com.tngtech.archunit.lang.ArchRule;
import io.isledb.util.Internal;

/**
 * ArchUnit rules that modules built on isle-core run against their own classes (this class ships in
 * isle-core's test jar). The only API is package {@code io.isledb}; everything else in isle-core is
 * internal and may change without notice.
 *
 * <p>Usage, in a module's test:
 *
 * <pre>{@code
 * IsleApiRules.noUseOfIsleInternals()
 *     .check(new ClassFileImporter().importPackages("com.example.mymodule"));
 * }</pre>
 *
 * <p>Exempt on purpose: the {@code benchmarks} module, whose micro-benchmarks measure internal
 * pieces directly (for example {@code io.isledb.sst.ValueKind}, the memtable, the table builder);
 * it does not run this rule. Every other module (examples, the Flink modules) must pass it.
 */
public final class IsleApiRules {
  private IsleApiRules() {}

  /** isle-core's internal packages: everything but {@code io.isledb} itself. */
  public static final String[] INTERNAL_PACKAGES = {
    "io.isledb.db..",
    "io.isledb.manifest..",
    "io.isledb.sst..",
    "io.isledb.storage..",
    "io.isledb.util..",
    "io.isledb.inspect.."
  };

  /** All of isle-core's main packages: the API package and the internal ones. */
  private static final String[] CORE_PACKAGES = {
    "io.isledb",
    "io.isledb.db..",
    "io.isledb.manifest..",
    "io.isledb.sst..",
    "io.isledb.storage..",
    "io.isledb.util..",
    "io.isledb.inspect.."
  };

  /** The inspection API of the {@code isle} tool: internal, but open to {@code isle-cli}. */
  public static final String INSPECTION_PACKAGE = "io.isledb.inspect";

  /** A type of an internal package, or any type marked {@link Internal}. */
  public static DescribedPredicate<JavaClass> isleInternal() {
    return DescribedPredicate.describe(
        "are isle-core internals (@Internal, or in io.isledb.db/manifest/sst/storage/util/inspect)",
        c ->
            c.isAnnotatedWith(Internal.class)
                || PackageMatchers.of(INTERNAL_PACKAGES).test(c.getPackageName()));
  }

  /**
   * Classes outside isle-core's packages must not depend on isle-core internals: only on the public
   * API of package {@code io.isledb}.
   */
  public static ArchRule noUseOfIsleInternals() {
    return noClasses()
        .that()
        .resideOutsideOfPackages(CORE_PACKAGES)
        .should()
        .dependOnClassesThat(isleInternal())
        .because(
            "isle-core's internals are not API and may change without notice; use package"
                + " io.isledb");
  }

  /**
   * The rule of {@code isle-cli}: like {@link #noUseOfIsleInternals()}, but the inspection API
   * (package {@value #INSPECTION_PACKAGE}, made for the tool) is allowed. Nothing else internal is.
   */
  public static ArchRule noUseOfIsleInternalsButInspection() {
    return noClasses()
        .that()
        .resideOutsideOfPackages(CORE_PACKAGES)
        .should()
        .dependOnClassesThat(
            DescribedPredicate.describe(
                "are isle-core internals other than the inspection API ("
                    + INSPECTION_PACKAGE
                    + ")",
                c -> isleInternal().test(c) && !c.getPackageName().equals(INSPECTION_PACKAGE)))
        .because(
            "the isle tool reads engine internals only through io.isledb.inspect, whose signatures"
                + " show no other internal type");
  }
}
