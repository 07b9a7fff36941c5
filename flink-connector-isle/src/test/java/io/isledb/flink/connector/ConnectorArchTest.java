package io.isledb.flink.connector;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.isledb.arch.IsleApiRules;
import org.junit.jupiter.api.Test;

/**
 * The connector is built on isle-core's public API only (issue 11): what it needs from the engine
 * is built in the engine, with the engine's tests. Its own plumbing stays out of the user API.
 */
class ConnectorArchTest {
  private static final JavaClasses MAIN =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.isledb.flink.connector");

  @Test
  void usesOnlyIsleCorePublicApi() {
    IsleApiRules.noUseOfIsleInternals().check(MAIN);
  }
}
