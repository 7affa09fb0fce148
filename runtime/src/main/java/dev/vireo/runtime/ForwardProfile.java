package dev.vireo.runtime;

import java.util.Arrays;

/**
 * Where the time of a session's tokens goes: wall-clock nanoseconds per {@link Section} of the
 * forward pass (the projections by tensor kind, attention, norms, the output matrix, ...), kept
 * apart for the two {@link Phase}s, with the number of tokens each phase ran. Collected by a
 * {@link Session} while {@link Session#setProfiling(boolean) profiling} is on; obtained as a
 * snapshot with {@link Session#profile()}.
 *
 * <p>Sections are timed back to back: each timestamp closes the section that just ran and opens
 * the next, so the sections of a forward pass add up to its whole time and nothing runs twice
 * through the clock. Times are wall time of the calling thread, so work the kernels spread over
 * the session's threads counts once. Collecting costs one {@code System.nanoTime()} per section
 * (about 15 per layer and token step); with profiling off each section costs one boolean test.
 *
 * <p>Phases are decided per call: a call that evaluates several tokens at once (a prompt) is
 * {@link Phase#PROMPT}, a call that evaluates one token (a generation step, or a one-token
 * prompt, which runs the same code) is {@link Phase#GENERATION}. Sampling always counts as
 * generation.
 */
public final class ForwardProfile {
    /** Prompt processing (pp) or token generation (tg), as llama-bench names them. */
    public enum Phase {
        PROMPT("pp"),
        GENERATION("tg");

        private final String label;

        Phase(String label) {
            this.label = label;
        }

        /** "pp" or "tg". */
        public String label() {
            return label;
        }
    }

    /** A part of the token's work. */
    public enum Section {
        /** The query projection (with its bias and LoRA terms), all layers. */
        ATTN_Q("attn_q"),
        ATTN_K("attn_k"),
        ATTN_V("attn_v"),
        /** The attention output projection. */
        ATTN_O("attn_output"),
        FFN_GATE("ffn_gate"),
        FFN_UP("ffn_up"),
        FFN_DOWN("ffn_down"),
        /** The output (vocabulary) matrix and its bias. */
        OUTPUT("output"),
        /** Scores, softmax and weighted values over the KV cache. */
        ATTENTION("attention"),
        /** RMSNorms (block, q/k and final) and RoPE. */
        NORMS("norms_rope"),
        /** Sampling the next token, or copying the logits out for the caller. */
        SAMPLING("sampling_logits"),
        /** The rest: embedding lookup, residual adds, SwiGLU, storing keys and values. */
        OTHER("other");

        private final String label;

        Section(String label) {
            this.label = label;
        }

        /** Short snake_case name, for tables and JSON keys. */
        public String label() {
            return label;
        }
    }

    private static final Phase[] PHASES = Phase.values();
    private static final Section[] SECTIONS = Section.values();

    /** [phase * sections + section]: nanoseconds. */
    private final long[] nanos = new long[PHASES.length * SECTIONS.length];
    private final long[] tokens = new long[PHASES.length];

    // The timing in progress (only touched while profiling).
    private int phaseBase;
    private long last;

    ForwardProfile() {}

    /** Tokens the phase ran (forward passes; sampling does not add tokens). */
    public long tokens(Phase p) {
        return tokens[p.ordinal()];
    }

    /** Nanoseconds spent in a section during a phase. */
    public long nanos(Phase p, Section s) {
        return nanos[p.ordinal() * SECTIONS.length + s.ordinal()];
    }

    /** Nanoseconds of all sections of a phase. */
    public long totalNanos(Phase p) {
        long sum = 0;
        for (Section s : SECTIONS) {
            sum += nanos(p, s);
        }
        return sum;
    }

    /** Milliseconds per token of the phase spent in the section (0 when the phase ran no token). */
    public double millisPerToken(Phase p, Section s) {
        long n = tokens(p);
        return n == 0 ? 0 : nanos(p, s) / 1e6 / n;
    }

    /** Milliseconds per token of the phase, all sections. */
    public double totalMillisPerToken(Phase p) {
        long n = tokens(p);
        return n == 0 ? 0 : totalNanos(p) / 1e6 / n;
    }

    /** The section's share of the phase's time, 0 to 1 (0 when nothing was timed). */
    public double share(Phase p, Section s) {
        long total = totalNanos(p);
        return total == 0 ? 0 : (double) nanos(p, s) / total;
    }

    /** Whether nothing has been recorded. */
    public boolean isEmpty() {
        for (long t : tokens) {
            if (t != 0) {
                return false;
            }
        }
        for (long n : nanos) {
            if (n != 0) {
                return false;
            }
        }
        return true;
    }

    /** Starts timing a stretch of work of phase {@code p}: the next {@link #lap} closes its first section. */
    void begin(Phase p) {
        phaseBase = p.ordinal() * SECTIONS.length;
        last = System.nanoTime();
    }

    /** Charges the time since the previous {@code begin} or {@code lap} to {@code s}. */
    void lap(Section s) {
        long now = System.nanoTime();
        nanos[phaseBase + s.ordinal()] += now - last;
        last = now;
    }

    /** Counts {@code n} tokens run in phase {@code p}. */
    void addTokens(Phase p, int n) {
        tokens[p.ordinal()] += n;
    }

    void clear() {
        Arrays.fill(nanos, 0);
        Arrays.fill(tokens, 0);
    }

    /** A copy that later recording does not change. */
    ForwardProfile snapshot() {
        ForwardProfile c = new ForwardProfile();
        System.arraycopy(nanos, 0, c.nanos, 0, nanos.length);
        System.arraycopy(tokens, 0, c.tokens, 0, tokens.length);
        return c;
    }
}
