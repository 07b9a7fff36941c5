package io.isledb.flink.connector.table;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The connector is built on isle-core's public API only (package {@code io.isledb}). */
class ConnectorPublicApiArchTest {
  @Test
  void connectorUsesOnlyIsleCorePublicApi() {
    JavaClasses classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.isledb.flink.connector");
    noClasses()
        .that()
        .resideInAPackage("io.isledb.flink.connector..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.isledb.db..",
            "io.isledb.manifest..",
            "io.isledb.sst..",
            "io.isledb.storage..",
            "io.isledb.util..")
        .because("the connector uses isle-core's public API only (issue 11)")
        .check(classes);
  }
}
