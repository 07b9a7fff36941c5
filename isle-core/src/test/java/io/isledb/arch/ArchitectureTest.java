package io.isledb.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaConstructorCall;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.isledb.IsleException;
import java.io.UncheckedIOException;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The engine's architecture rules: storage only through Hadoop FileSystem (no Flink, no cloud SDK),
 * the layers below the engine do not reach up into it, failures are {@link IsleException}s, and
 * engine logic reads time only from the injected clock.
 */
class ArchitectureTest {
  private static JavaClasses core;

  @BeforeAll
  static void load() {
    core =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.isledb");
  }

  @Test
  void coreUsesNeitherFlinkNorACloudSdk() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "org.apache.flink..",
            "software.amazon..",
            "com.amazonaws..",
            "com.azure..",
            "com.microsoft.azure..",
            "com.google.cloud..",
            "com.google.api.client..")
        .because("isle-core reaches storage only through the Hadoop FileSystem API")
        .check(core);
  }

  @Test
  void hadoopIsUsedOnlyByTheStorageLayer() {
    noClasses()
        .that()
        .resideOutsideOfPackage("io.isledb.storage..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("org.apache.hadoop..")
        .because("everything else goes through io.isledb.ObjectStore")
        .check(core);
  }

  @Test
  void lowerLayersDoNotDependOnTheEngine() {
    noClasses()
        .that()
        .resideInAnyPackage(
            "io.isledb.sst..", "io.isledb.storage..", "io.isledb.util..", "io.isledb.manifest..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.isledb.db..")
        .check(core);
    noClasses()
        .that()
        .resideInAnyPackage("io.isledb.sst..", "io.isledb.util..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.isledb.manifest..", "io.isledb.storage..")
        .check(core);
  }

  private static final Set<String> RAW_EXCEPTIONS =
      Set.of(
          RuntimeException.class.getName(),
          IllegalStateException.class.getName(),
          IllegalArgumentException.class.getName(),
          UncheckedIOException.class.getName());

  @Test
  void failuresAreIsleExceptionsNotRawRuntimeExceptions() {
    DescribedPredicate<JavaConstructorCall> raw =
        DescribedPredicate.describe(
            "a constructor of RuntimeException, IllegalStateException, IllegalArgumentException"
                + " or UncheckedIOException",
            call -> RAW_EXCEPTIONS.contains(call.getTargetOwner().getName()));
    noClasses()
        .that()
        // IsleException's own constructors call super(...) of RuntimeException.
        .areNotAssignableTo(IsleException.class)
        .should()
        .callConstructorWhere(raw)
        .because(
            "callers branch on IsleException.kind() and isRetryable(); an internal check of an"
                + " impossible state is IsleException.internal(...)")
        .check(core);
  }

  @Test
  void engineLogicReadsTimeOnlyFromTheInjectedClock() {
    noClasses()
        .should()
        .callMethod(System.class, "currentTimeMillis")
        .orShould()
        .callMethod(System.class, "nanoTime")
        .because("time comes from DBOptions.clock(), so tests can drive it with a MutableClock")
        .check(core);
  }
}
