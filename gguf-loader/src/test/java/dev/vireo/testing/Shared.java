package dev.vireo.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates the team's shared models and golden data (../shared beside the repository). Tests that
 * need them call {@link #file(String)}, which skips the test with a visible message when the
 * folder is absent instead of failing or passing silently.
 */
public final class Shared {
    private Shared() {}

    /** The shared folder: $VIREO_SHARED if set, else ../shared from the repository root. */
    public static Path root() {
        String env = System.getenv("VIREO_SHARED");
        if (env != null && !env.isBlank()) {
            return Path.of(env).toAbsolutePath().normalize();
        }
        Path dir = Path.of("").toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("../shared/models"))) {
                return p.resolve("../shared").normalize();
            }
        }
        return dir.resolve("../../shared").normalize();
    }

    /** A file under the shared folder; skips the calling test when it is not there. */
    public static Path file(String relative) {
        Path p = root().resolve(relative);
        if (!Files.exists(p)) {
            String msg = "SKIPPED: shared file " + p + " is absent (tests need ../shared beside the repository)";
            System.err.println(msg);
            assumeTrue(false, msg);
        }
        return p;
    }
}
