package io.isledb.examples;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.isledb.arch.IsleApiRules;
import org.junit.jupiter.api.Test;

/** The examples show how an application uses IsleDB: through the public API package only. */
class ExamplesArchTest {
  @Test
  void examplesUseOnlyThePublicApi() {
    IsleApiRules.noUseOfIsleInternals()
        .check(
            new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.isledb.examples"));
  }
}
