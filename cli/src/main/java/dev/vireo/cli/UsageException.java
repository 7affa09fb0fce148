package dev.vireo.cli;

/** A bad flag value found after parsing (out of range, malformed FILE:SCALE...): exit code 2. */
final class UsageException extends RuntimeException {
    UsageException(String message) {
        super(message);
    }
}
