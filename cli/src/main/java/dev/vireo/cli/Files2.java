package dev.vireo.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/** Checks on the files named on the command line, so the error names the flag too. */
final class Files2 {
    private Files2() {}

    /** Fails with "FLAG: no such file: PATH" (or "is a directory", "cannot be read"). */
    static void requireFile(Path p, String flag) {
        if (!Files.exists(p)) {
            throw new CliException(flag + ": no such file: " + p);
        }
        if (Files.isDirectory(p)) {
            throw new CliException(flag + ": " + p + " is a directory, not a file");
        }
        if (!Files.isReadable(p)) {
            throw new CliException(flag + ": cannot read " + p + " (permission denied)");
        }
    }
}
