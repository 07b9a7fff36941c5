package io.isledb.cli;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import io.isledb.arch.IsleApiRules;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The tool reads engine internals only through the inspection API ({@code io.isledb.inspect}). */
class IsleCliArchTest {
  @Test
  void usesOnlyTheApiAndTheInspectionApi() throws Exception {
    // Only this module's classes directory: scanning the whole classpath (Hadoop, the AWS SDK)
    // for the package would take most of the test's time.
    Path classes =
        Path.of(IsleCli.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    IsleApiRules.noUseOfIsleInternalsButInspection()
        .check(new ClassFileImporter().importPath(classes));
  }
}
