package dev.vireo.cli;

/** A user error the CLI reports as one line (bad flag value, missing file, ...), no stack trace. */
final class CliException extends RuntimeException {
    CliException(String message) {
        super(message);
    }

    CliException(String message, Throwable cause) {
        super(message, cause);
    }
}
