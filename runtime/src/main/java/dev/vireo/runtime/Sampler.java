package dev.vireo.runtime;

/**
 * Picks the next token from the logits, in llama.cpp's default order: repetition penalty, top-k,
 * top-p, min-p, temperature, then a seeded random draw (or the argmax when the temperature is 0).
 *
 * <p>Every buffer is allocated once per session; {@link #sample} allocates nothing. Top-k is a
 * heap selection (O(V log k)), not a sort of the whole vocabulary. Ties between equal logits go
 * to the lower token id, as in llama.cpp's greedy sampler.
 */
final class Sampler {
    private final int vocab;
    /** Candidate token ids, best first, in {@code [0, count)}. */
    private final int[] ids;
    /** Candidate weights during the draw. */
    private final float[] weights;
    /** Stamp per token id: penalize each distinct token of the window once. */
    private final int[] seen;
    private int stamp;
    private long rng;

    private float temperature;
    private int topK;
    private float topP;
    private float minP;
    private float repeatPenalty;
    private int repeatLastN;

    Sampler(int vocab) {
        this.vocab = vocab;
        this.ids = new int[vocab];
        this.weights = new float[vocab];
        this.seen = new int[vocab];
    }

    /** Takes the sampling settings of one generation and reseeds the random draw. */
    void configure(GenerationParams p, long seed) {
        this.temperature = p.temperature();
        this.topK = p.topK();
        this.topP = p.topP();
        this.minP = p.minP();
        this.repeatPenalty = p.repeatPenalty();
        this.repeatLastN = p.repeatLastN();
        this.rng = seed;
    }

    /** Whether {@link #sample} writes to the logits it is given (only the repetition penalty does). */
    boolean editsLogits() {
        return repeatPenalty != 1f && repeatLastN != 0;
    }

    /**
     * Chooses a token. {@code logits} is modified when {@link #editsLogits()} (penalties are
     * applied in place).
     *
     * @param history the tokens in the context so far, {@code historyLen} of them (for the penalty)
     */
    int sample(float[] logits, int[] history, int historyLen) {
        applyRepeatPenalty(logits, history, historyLen);
        if (temperature <= 0f) {
            return argmax(logits);
        }
        int count = candidates(logits);
        count = topP(logits, count);
        count = minP(logits, count);
        return draw(logits, count);
    }

    /**
     * llama.cpp's penalty: a logit of a token seen in the last n tokens is divided by the penalty
     * when positive and multiplied by it when negative, once per distinct token.
     */
    void applyRepeatPenalty(float[] logits, int[] history, int historyLen) {
        if (repeatPenalty == 1f || repeatLastN == 0 || historyLen == 0) {
            return;
        }
        int n = repeatLastN < 0 ? historyLen : Math.min(repeatLastN, historyLen);
        if (++stamp == 0) { // wrapped after 2^32 calls: start the stamps again
            java.util.Arrays.fill(seen, 0);
            stamp = 1;
        }
        for (int i = historyLen - n; i < historyLen; i++) {
            int id = history[i];
            if (id < 0 || id >= vocab || seen[id] == stamp) {
                continue;
            }
            seen[id] = stamp;
            float l = logits[id];
            logits[id] = l > 0 ? l / repeatPenalty : l * repeatPenalty;
        }
    }

    /** The first index of the largest logit. */
    static int argmax(float[] logits) {
        int best = 0;
        float bestValue = logits[0];
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > bestValue) {
                bestValue = logits[i];
                best = i;
            }
        }
        return best;
    }

    /**
     * Fills {@code ids[0, count)} best first with what top-k keeps (everything when top-k is off);
     * when top-k is off but min-p is on, tokens below the min-p bound are left out at once since
     * min-p would remove them anyway and they come after the kept ones in the order top-p uses.
     */
    private int candidates(float[] logits) {
        int k = topK <= 0 || topK > vocab ? vocab : topK;
        float floor = Float.NEGATIVE_INFINITY;
        if (k == vocab && minP > 0f) {
            floor = logits[argmax(logits)] + (float) Math.log(minP);
        }
        return selectTop(logits, k, floor);
    }

    /**
     * Heap selection of the k best logits that are {@code >= floor} into {@code ids}, then an
     * in-place heap sort so that {@code ids[0]} is the best.
     */
    int selectTop(float[] logits, int k, float floor) {
        int size = 0;
        for (int id = 0; id < vocab; id++) {
            float l = logits[id];
            if (l < floor) {
                continue;
            }
            if (size < k) {
                ids[size] = id;
                siftUp(logits, size++);
            } else if (better(logits, id, ids[0])) {
                ids[0] = id;
                siftDown(logits, 0, size);
            }
        }
        // ids[0, size) is a heap with the worst at the root: move the root to the end repeatedly.
        for (int end = size - 1; end > 0; end--) {
            int worst = ids[0];
            ids[0] = ids[end];
            ids[end] = worst;
            siftDown(logits, 0, end);
        }
        return size;
    }

    /** Higher logit first; on equal logits the lower id first. */
    private static boolean better(float[] logits, int a, int b) {
        return logits[a] > logits[b] || (logits[a] == logits[b] && a < b);
    }

    private void siftUp(float[] logits, int i) {
        int id = ids[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!better(logits, ids[parent], id)) {
                break;
            }
            ids[i] = ids[parent];
            i = parent;
        }
        ids[i] = id;
    }

    private void siftDown(float[] logits, int i, int size) {
        int id = ids[i];
        while (true) {
            int child = 2 * i + 1;
            if (child >= size) {
                break;
            }
            if (child + 1 < size && better(logits, ids[child], ids[child + 1])) {
                child++; // the worse of the two children
            }
            if (!better(logits, id, ids[child])) {
                break;
            }
            ids[i] = ids[child];
            i = child;
        }
        ids[i] = id;
    }

    /**
     * Keeps the shortest best-first prefix whose probability reaches top-p. Probabilities are
     * normalized over the candidates when top-k ran, else over the whole vocabulary (llama.cpp
     * normalizes over whatever candidates remain).
     */
    private int topP(float[] logits, int count) {
        if (topP >= 1f || count <= 1) {
            return count;
        }
        float max = logits[ids[0]];
        double z = 0;
        boolean wholeVocab = topK <= 0 || topK >= vocab;
        if (wholeVocab) {
            for (int id = 0; id < vocab; id++) {
                z += Math.exp(logits[id] - max);
            }
        } else {
            for (int i = 0; i < count; i++) {
                z += Math.exp(logits[ids[i]] - max);
            }
        }
        double cum = 0;
        for (int i = 0; i < count; i++) {
            cum += Math.exp(logits[ids[i]] - max) / z;
            if (cum >= topP) {
                return i + 1;
            }
        }
        return count;
    }

    /** Drops candidates whose probability is below min-p times the best one's. */
    private int minP(float[] logits, int count) {
        if (minP <= 0f || count <= 1) {
            return count;
        }
        float floor = logits[ids[0]] + (float) Math.log(minP);
        while (count > 1 && logits[ids[count - 1]] < floor) {
            count--;
        }
        return count;
    }

    /** Softmax of the candidates' logits divided by the temperature, and a seeded draw. */
    private int draw(float[] logits, int count) {
        float max = logits[ids[0]];
        double sum = 0;
        for (int i = 0; i < count; i++) {
            float wgt = (float) Math.exp((logits[ids[i]] - max) / temperature);
            weights[i] = wgt;
            sum += wgt;
        }
        double u = nextDouble() * sum;
        double acc = 0;
        for (int i = 0; i < count; i++) {
            acc += weights[i];
            if (u < acc) {
                return ids[i];
            }
        }
        return ids[count - 1];
    }

    /** SplitMix64: small, fast, allocation-free and fully determined by the seed. */
    private double nextDouble() {
        long z = (rng += 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        return (z >>> 11) * 0x1.0p-53;
    }

    /** Candidate id i after a selection (tests). */
    int candidate(int i) {
        return ids[i];
    }

    /** Number of candidates left after top-k, top-p and min-p for these logits (tests). */
    int candidateCount(float[] logits) {
        return minP(logits, topP(logits, candidates(logits)));
    }
}
