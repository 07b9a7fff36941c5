package io.isledb.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.codeUnits;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaConstructorCall;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.domain.PackageMatchers;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import io.isledb.IsleException;
import io.isledb.util.Internal;
import java.io.UncheckedIOException;
import java.util.LinkedHashSet;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The engine's architecture rules: storage only through Hadoop FileSystem (no Flink, no cloud SDK),
 * the layers below the engine do not reach up into it, failures are {@link IsleException}s, engine
 * logic reads time only from the injected clock, and the public API (package {@code io.isledb})
 * shows no internal type in a public signature.
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

  /** The inspection API is a leaf for the isle tool: the engine never depends on it. */
  @Test
  void nothingInTheEngineDependsOnTheInspectionApi() {
    noClasses()
        .that()
        .resideOutsideOfPackage("io.isledb.inspect..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.isledb.inspect..")
        .check(core);
  }

  /**
   * The inspection API's public signatures show only JDK types, the public API and its own records,
   * so the isle tool (allowed this package only) never reaches another internal type.
   */
  @Test
  void inspectionSignaturesShowNoOtherInternalType() {
    DescribedPredicate<JavaClass> otherInternal =
        DescribedPredicate.describe(
            "internal type outside io.isledb.inspect",
            c ->
                PackageMatchers.of(INTERNAL).test(c.getPackageName())
                    && !c.getPackageName().equals(IsleApiRules.INSPECTION_PACKAGE));
    codeUnits()
        .that()
        .arePublic()
        .and()
        .areDeclaredInClassesThat()
        .resideInAPackage(IsleApiRules.INSPECTION_PACKAGE)
        .should(showNo(otherInternal))
        .check(core);
  }

  private static ArchCondition<JavaCodeUnit> showNo(DescribedPredicate<JavaClass> forbidden) {
    return new ArchCondition<>("have no " + forbidden.getDescription() + " in their signature") {
      @Override
      public void check(JavaCodeUnit m, ConditionEvents events) {
        // Generic arguments and array elements count: List<SstMeta> shows SstMeta.
        Set<JavaClass> types = new LinkedHashSet<>();
        m.getParameterTypes().forEach(t -> types.addAll(t.getAllInvolvedRawTypes()));
        types.addAll(m.getReturnType().getAllInvolvedRawTypes());
        types.removeIf(JavaClass::isArray);
        for (JavaClass t : types) {
          if (forbidden.test(t)) {
            events.add(SimpleConditionEvent.violated(m, m.getFullName() + " shows " + t.getName()));
          }
        }
      }
    };
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

  /** Packages whose types a public API signature must not show. */
  private static final String[] INTERNAL = IsleApiRules.INTERNAL_PACKAGES;

  @Test
  void everyPublicTypeOfAnInternalPackageIsMarkedInternal() {
    classes()
        .that()
        .resideInAnyPackage(INTERNAL)
        .and()
        .arePublic()
        .and()
        .areTopLevelClasses()
        // The marker itself is public so that every internal package can use it.
        .and()
        .doNotHaveFullyQualifiedName(Internal.class.getName())
        .should()
        .beAnnotatedWith(Internal.class)
        .because(
            "a public type of an internal package is public only for another isle-core package;"
                + " @Internal lets other modules' IsleApiRules.noUseOfIsleInternals() flag its use")
        .check(core);
  }

  /**
   * The API package holds interfaces, records and exceptions; implementations live in internal
   * packages. Enums are allowed because they are values, like records: {@link
   * io.isledb.Compression} names a codec and carries no behaviour an implementation could change.
   */
  @Test
  void apiPackageHoldsOnlyInterfacesRecordsEnumsAndExceptions() {
    classes()
        .that()
        .resideInAPackage("io.isledb")
        .and()
        .arePublic()
        .and()
        .areTopLevelClasses()
        .should(
            new ArchCondition<JavaClass>("be an interface, a record, an enum or an IsleException") {
              @Override
              public void check(JavaClass c, ConditionEvents events) {
                boolean ok =
                    c.isInterface()
                        || c.isRecord()
                        || c.isEnum()
                        || c.isAssignableTo(IsleException.class);
                if (!ok) {
                  events.add(SimpleConditionEvent.violated(c, c.getName() + " is a class"));
                }
              }
            })
        .because("callers stand on contracts; the engine's classes may change")
        .check(core);
  }

  /** Uses an internal type: what IsleApiRules.noUseOfIsleInternals() must flag. */
  static final class UsesAnInternal {
    String hex(byte[] b) {
      return io.isledb.util.Bytes.hex(b);
    }
  }

  /** Uses only the API package. */
  static final class UsesOnlyTheApi {
    IsleException error() {
      return IsleException.closed("x");
    }
  }

  @Test
  void theRuleForOtherModulesFlagsAUseOfAnInternalAndNothingElse() {
    JavaClasses outsider = new ClassFileImporter().importClasses(UsesAnInternal.class);
    assertThat(IsleApiRules.noUseOfIsleInternals().evaluate(outsider).hasViolation()).isTrue();
    JavaClasses apiUser = new ClassFileImporter().importClasses(UsesOnlyTheApi.class);
    assertThat(IsleApiRules.noUseOfIsleInternals().evaluate(apiUser).hasViolation()).isFalse();
  }

  @Test
  void publicApiSignaturesShowNoInternalType() {
    DescribedPredicate<JavaClass> internal =
        DescribedPredicate.describe(
            "internal type", c -> PackageMatchers.of(INTERNAL).test(c.getPackageName()));
    codeUnits()
        .that()
        .arePublic()
        .and()
        .areDeclaredInClassesThat(
            DescribedPredicate.describe(
                "are public types of package io.isledb (not its subpackages)",
                c ->
                    c.getPackageName().equals("io.isledb")
                        && c.getModifiers().contains(JavaModifier.PUBLIC)))
        .should(showNo(internal))
        .because("the public API is what other modules stand on; internal types may change")
        .check(core);
  }
}
