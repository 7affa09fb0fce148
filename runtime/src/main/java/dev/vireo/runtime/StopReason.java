package dev.vireo.runtime;

/** Why a generation ended. */
public enum StopReason {
    /** The model produced an end-of-generation token (EOS, EOT, ...). */
    END_OF_GENERATION,
    /** The requested number of tokens was generated. */
    MAX_TOKENS,
    /** The text produced one of the stop strings. */
    STOP_STRING,
    /** {@link Session#cancel()} was called. */
    CANCELLED,
    /** The session's context is full. */
    CONTEXT_FULL
}
