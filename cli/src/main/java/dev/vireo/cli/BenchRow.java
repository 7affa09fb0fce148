package dev.vireo.cli;

import dev.vireo.runtime.ForwardProfile;
import dev.vireo.runtime.ForwardProfile.Phase;

/**
 * One bench result: a test (pp or tg) at a thread count, batch size and adapter setting, with the
 * tokens/s of every measured run.
 *
 * @param adapter "none", or the adapters' label (file names, with the scale when not 1)
 * @param profile with --profile, what the session's profile collected over the measured runs; else null
 * @param baseline with --lora-compare, the same test measured just before without adapters; else null
 */
record BenchRow(String test, int threads, int batch, String adapter, String kernels, int tokens,
        double[] tokensPerSecond, ForwardProfile profile, BenchRow baseline) {
    static final String NO_ADAPTER = "none";

    /** The profile's phase this row's test ran in. */
    Phase phase() {
        return test.startsWith("pp") ? Phase.PROMPT : Phase.GENERATION;
    }

    /** Column title of the profile table: "pp128 t2 b256", with " lora" for a row with adapters. */
    String title() {
        return test + " t" + threads + " b" + batch + (adapter.equals(NO_ADAPTER) ? "" : " lora");
    }

    double mean() {
        double s = 0;
        for (double v : tokensPerSecond) {
            s += v;
        }
        return s / tokensPerSecond.length;
    }

    /** Sample standard deviation (0 for one run). */
    double sd() {
        if (tokensPerSecond.length < 2) {
            return 0;
        }
        double m = mean();
        double s = 0;
        for (double v : tokensPerSecond) {
            s += (v - m) * (v - m);
        }
        return Math.sqrt(s / (tokensPerSecond.length - 1));
    }

    /** Mean tokens/s with the adapters over the mean without (NaN when there is no baseline). */
    double ratioToBaseline() {
        return baseline == null ? Double.NaN : mean() / baseline.mean();
    }
}
