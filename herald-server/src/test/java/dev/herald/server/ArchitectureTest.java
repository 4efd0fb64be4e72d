package dev.herald.server;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The import graph of herald-server's main classes has no cycle, at two granularities:
 *
 * <ul>
 *   <li>every package is its own node ({@code transport} and {@code transport.http} are two
 *       nodes, and so is the root package {@code dev.herald.server});</li>
 *   <li>every area, a top-level package with its subpackages ({@code chat} with
 *       {@code chat.jdbc}), is one node: an area that is split into subpackages still may not
 *       lean on a neighbour that leans back on it.</li>
 * </ul>
 *
 * <p>It reads the compiled classes (ArchUnit), so it sees every real dependency (fields,
 * signatures, calls, fully qualified names) but not compile-time constants, which javac inlines,
 * nor imports used only by javadoc. A failure names each cycle and the dependencies on each of
 * its edges. To break one, move the shared piece down (see the package-info of
 * {@code dev.herald.server.stream}) rather than adding an interface in the wrong place.
 */
class ArchitectureTest {
    private static final String ROOT = "dev.herald.server";
    private static JavaClasses main;

    @BeforeAll
    static void importMainClasses() {
        main = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
                .importPackages(ROOT);
        // A wrong package or class path would make every rule pass vacuously.
        assertThat(main.contain(HeraldServer.class)).as("main classes imported").isTrue();
        assertThat(main.size()).as("main classes imported").isGreaterThan(100);
    }

    @Test
    void packagesAreFreeOfCycles() {
        slices().assignedFrom(new SliceAssignment() {
                    @Override
                    public SliceIdentifier getIdentifierOf(JavaClass c) {
                        String p = c.getPackageName();
                        return p.equals(ROOT) || p.startsWith(ROOT + ".") ? SliceIdentifier.of(p) : SliceIdentifier.ignore();
                    }

                    @Override
                    public String getDescription() {
                        return "every package of herald-server";
                    }
                })
                .should().beFreeOfCycles()
                .check(main);
    }

    @Test
    void areasAreFreeOfCycles() {
        slices().matching(ROOT + ".(*)..").namingSlices("area $1")
                .should().beFreeOfCycles()
                .check(main);
    }
}
