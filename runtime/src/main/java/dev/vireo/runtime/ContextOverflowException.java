package dev.vireo.runtime;

/**
 * Thrown when tokens would go past a session's context length. The session is left as it was
 * before the call that overflowed: nothing is wrapped around or overwritten.
 */
public final class ContextOverflowException extends RuntimeException {
    private final int requested;
    private final int limit;

    public ContextOverflowException(int requestedPositions, int contextLength) {
        super("context overflow: " + requestedPositions + " positions requested but the context holds " + contextLength
                + " (start a new session, reset it, or use a larger context length)");
        this.requested = requestedPositions;
        this.limit = contextLength;
    }

    /** Positions the failed call would have needed. */
    public int requestedPositions() {
        return requested;
    }

    /** The session's context length. */
    public int contextLength() {
        return limit;
    }
}
