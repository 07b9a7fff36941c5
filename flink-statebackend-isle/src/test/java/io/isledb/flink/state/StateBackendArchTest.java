package io.isledb.flink.state;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.isledb.arch.IsleApiRules;
import org.junit.jupiter.api.Test;

/**
 * The state backend is built on isle-core's public API only (issue 12): what it needs from the
 * engine is built in the engine, with the engine's tests. Its public surface is what users and
 * Flink need: the backend, its factory, its options, the keyed backend, and the checkpoint
 * descriptor.
 */
class StateBackendArchTest {
  private static final JavaClasses MAIN =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.isledb.flink.state");

  @Test
  void usesOnlyIsleCorePublicApi() {
    IsleApiRules.noUseOfIsleInternals().check(MAIN);
  }

  @Test
  void publicOnlyWhatUsersAndFlinkNeed() {
    classes()
        .that()
        .haveModifier(JavaModifier.PUBLIC)
        .and()
        .areTopLevelClasses()
        .should()
        .haveSimpleNameStartingWith("IsleStateBackend")
        .orShould()
        .haveSimpleName("IsleKeyedStateBackend")
        .orShould()
        .haveSimpleName("IsleCheckpoint")
        .check(MAIN);
  }
}
