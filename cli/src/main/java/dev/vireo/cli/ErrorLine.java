package dev.vireo.cli;

import dev.vireo.gguf.GgufFormatException;
import java.io.FileNotFoundException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;

/** Turns any failure into the one line the user sees ("vireo: ..."). */
final class ErrorLine {
    private ErrorLine() {}

    static String of(Throwable t) {
        Throwable e = t;
        if (e instanceof UncheckedIOException u && u.getCause() != null) {
            e = u.getCause();
        }
        String msg = oneLine(e.getMessage());
        return "vireo: " + switch (e) {
            case CliException c -> msg;
            case GgufFormatException g -> "not a valid GGUF file: " + msg;
            case NoSuchFileException n -> "no such file: " + msg;
            case FileNotFoundException f -> "no such file: " + msg;
            case AccessDeniedException a -> "permission denied: " + msg;
            case OutOfMemoryError o -> "out of memory (" + msg + "); give the JVM more with VIREO_JAVA_OPTS=-Xmx...";
            case IllegalArgumentException i when msg != null -> msg;
            case IllegalStateException i when msg != null -> msg;
            case UnsupportedOperationException u when msg != null -> "not supported: " + msg;
            default -> msg == null ? e.getClass().getSimpleName()
                    : (isOurs(e) ? msg : e.getClass().getSimpleName() + ": " + msg);
        };
    }

    /** Exceptions from Vireo's own packages already carry a user-facing message. */
    private static boolean isOurs(Throwable e) {
        return e.getClass().getName().startsWith("dev.vireo.");
    }

    private static String oneLine(String s) {
        if (s == null) {
            return null;
        }
        int nl = s.indexOf('\n');
        return (nl >= 0 ? s.substring(0, nl) : s).strip();
    }
}
