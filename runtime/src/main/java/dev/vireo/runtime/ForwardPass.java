package dev.vireo.runtime;

import dev.vireo.kernels.LowRankSet;
import dev.vireo.kernels.MatrixKernels;
import dev.vireo.kernels.Rope;
import dev.vireo.kernels.VectorOps;
import dev.vireo.kernels.WeightMatrix;
import dev.vireo.runtime.ForwardProfile.Section;
import java.util.function.BooleanSupplier;

/**
 * The transformer forward pass of one session: the same code for every architecture (the
 * differences are optional tensors and the RoPE style) and for any number of tokens (a decode
 * step is a batch of one, served by matvec; a prompt goes through matmul in chunks of
 * {@link #maxBatch} tokens, attention per token with the causal limit of its position).
 *
 * <p>All buffers are allocated here, once; {@link #run} allocates nothing. Not thread-safe: one
 * session, one caller.
 */
final class ForwardPass {
    private final ModelConfig c;
    private final ModelWeights w;
    private final MatrixKernels mk;
    private final VectorOps ops;
    private final KvCache cache;
    private final int maxBatch;
    private final float[] invFreq;
    private final float attentionScale;

    // Activations of up to maxBatch tokens, token t at t * (row width).
    private final float[] x;
    private final float[] xb;
    private final float[] q;
    private final float[] k;
    private final float[] v;
    private final float[] att;
    private final float[] gate;
    private final float[] up;
    private final AttentionRunner attention;

    /** LoRA terms per layer and projection (null: none), and for the output matrix. */
    private LowRankSet[][] lora;
    private LowRankSet outputLora;

    /** Where section times go, or null when not profiling; the caller opens each run with {@code begin}. */
    private ForwardProfile profile;

    ForwardPass(ModelConfig c, ModelWeights w, MatrixKernels mk, VectorOps ops, KvCache cache, int maxBatch) {
        this.c = c;
        this.w = w;
        this.mk = mk;
        this.ops = ops;
        this.cache = cache;
        this.maxBatch = maxBatch;
        this.invFreq = Rope.inverseFrequencies(c.ropeDimensionCount(), c.ropeBase(), w.ropeFactors, c.ropeFreqScale());
        this.attentionScale = (float) (1.0 / Math.sqrt(c.headDim()));
        int e = c.embeddingLength();
        this.x = new float[maxBatch * e];
        this.xb = new float[maxBatch * e];
        this.q = new float[maxBatch * c.queryLength()];
        this.k = new float[maxBatch * c.kvLength()];
        this.v = new float[maxBatch * c.kvLength()];
        this.att = new float[maxBatch * c.queryLength()];
        this.gate = new float[maxBatch * c.feedForwardLength()];
        this.up = new float[maxBatch * c.feedForwardLength()];
        this.attention = new AttentionRunner(c, ops, mk, cache, q, att, attentionScale);
    }

    int maxBatch() {
        return maxBatch;
    }

    /** Installs LoRA terms (null arrays or entries for none). Takes effect on the next run. */
    void setLora(LowRankSet[][] perLayer, LowRankSet output) {
        this.lora = perLayer;
        this.outputLora = output;
    }

    /**
     * Times every following run's sections into {@code p} (the caller calls {@code p.begin} before
     * each run), or stops timing with null.
     */
    void setProfile(ForwardProfile p) {
        this.profile = p;
    }

    /** Closes the section that just ran; one field test when not profiling. */
    private void lap(Section s) {
        if (profile != null) {
            profile.lap(s);
        }
    }

    /**
     * Runs {@code n <= maxBatch} tokens at positions {@code start .. start + n - 1}, storing their
     * keys and values in the cache (which must already have room for them).
     *
     * @param logits where the logits go, or null for none (only the KV cache is filled)
     * @param allRows true: write the logits of every token at {@code logits[logitsOff + t * vocab]};
     *     false: only those of the last token at {@code logits[logitsOff]}
     * @param stop asked before each layer, or null: when it answers true the run ends there and
     *     returns false, with the lower layers' keys and values of these positions stored (a
     *     later run of the same positions rewrites them) and no logits
     * @return whether the run went through every layer
     */
    boolean run(int[] tokens, int tokOff, int n, int start, float[] logits, int logitsOff, boolean allRows,
            BooleanSupplier stop) {
        final int e = c.embeddingLength();
        final int qLen = c.queryLength();
        final int kvLen = c.kvLength();
        final int ff = c.feedForwardLength();
        final int hd = c.headDim();
        final float eps = c.rmsEps();
        for (int t = 0; t < n; t++) {
            mk.dequantizeRow(w.tokenEmbedding, tokens[tokOff + t], x, t * e);
        }
        lap(Section.OTHER);
        int m = n; // tokens still carried, at rows 0 .. m - 1 of the buffers
        int layers = w.layers.length;
        for (int l = 0; l < layers; l++) {
            if (stop != null && stop.getAsBoolean()) {
                return false;
            }
            LayerWeights lw = w.layers[l];
            LowRankSet[] lr = lora == null ? null : lora[l];
            // Attention block: h = x + Wo * attention(rope(Wq n), rope(Wk n), Wv n), n = rms(x) * g.
            for (int t = 0; t < m; t++) {
                ops.rmsNorm(xb, t * e, x, t * e, lw.attnNorm(), e, eps);
            }
            lap(Section.NORMS);
            project(lw, Projection.K, lr, xb, e, k, kvLen, m);
            lap(Section.ATTN_K);
            project(lw, Projection.V, lr, xb, e, v, kvLen, m);
            lap(Section.ATTN_V);
            normAndRope(k, c.headCountKv(), lw.kNorm(), start, m);
            lap(Section.NORMS);
            for (int t = 0; t < m; t++) {
                cache.store(l, start + t, k, t * kvLen, v, t * kvLen);
            }
            lap(Section.OTHER);
            if (l == layers - 1) {
                // The last layer's output is only read through the logits: once its keys and
                // values are stored, carry on with the tokens whose logits are wanted (none for a
                // chunk in the middle of a prompt, the last token of a prompt). That skips 1/L of
                // a prompt's Q, O and feed-forward products, as llama.cpp does.
                int keep = logits == null ? 0 : allRows ? m : 1;
                if (keep == 0) {
                    return true;
                }
                if (keep < m) {
                    System.arraycopy(x, (m - keep) * e, x, 0, keep * e);
                    System.arraycopy(xb, (m - keep) * e, xb, 0, keep * e);
                    start += m - keep;
                    m = keep;
                }
            }
            project(lw, Projection.Q, lr, xb, e, q, qLen, m);
            lap(Section.ATTN_Q);
            normAndRope(q, c.headCount(), lw.qNorm(), start, m);
            lap(Section.NORMS);
            attention.attend(l, start, m);
            lap(Section.ATTENTION);
            project(lw, Projection.O, lr, att, qLen, xb, e, m);
            lap(Section.ATTN_O);
            ops.add(x, 0, xb, 0, m * e);
            lap(Section.OTHER);

            // Feed-forward block: out = h + Wdown (silu(Wgate m) * (Wup m)), m = rms(h) * g.
            for (int t = 0; t < m; t++) {
                ops.rmsNorm(xb, t * e, x, t * e, lw.ffnNorm(), e, eps);
            }
            lap(Section.NORMS);
            project(lw, Projection.GATE, lr, xb, e, gate, ff, m);
            lap(Section.FFN_GATE);
            project(lw, Projection.UP, lr, xb, e, up, ff, m);
            lap(Section.FFN_UP);
            ops.swiglu(gate, 0, up, 0, m * ff);
            lap(Section.OTHER);
            project(lw, Projection.DOWN, lr, gate, ff, xb, e, m);
            lap(Section.FFN_DOWN);
            ops.add(x, 0, xb, 0, m * e);
            lap(Section.OTHER);
        }
        int vocab = c.vocabSize();
        if (allRows) {
            for (int t = 0; t < n; t++) {
                ops.rmsNorm(xb, t * e, x, t * e, w.outputNorm, e, eps);
            }
            lap(Section.NORMS);
            multiply(w.output, xb, e, logits, logitsOff, vocab, n, outputLora);
            if (w.outputBias != null) {
                for (int t = 0; t < n; t++) {
                    ops.add(logits, logitsOff + t * vocab, w.outputBias, 0, vocab);
                }
            }
        } else {
            ops.rmsNorm(xb, 0, x, (m - 1) * e, w.outputNorm, e, eps);
            lap(Section.NORMS);
            mk.matvec(w.output, xb, 0, logits, logitsOff, outputLora);
            if (w.outputBias != null) {
                ops.add(logits, logitsOff, w.outputBias, 0, vocab);
            }
        }
        lap(Section.OUTPUT);
        return true;
    }

    /**
     * For m tokens of {@code heads} heads each (token t at positions {@code start + t}): the
     * per-head RMS norm when the layer has one (qwen3's q/k norms), then RoPE.
     */
    private void normAndRope(float[] buf, int heads, float[] norm, int start, int m) {
        int hd = c.headDim();
        int row = heads * hd;
        for (int t = 0; t < m; t++) {
            if (norm != null) {
                for (int h = 0; h < heads; h++) {
                    ops.rmsNorm(buf, t * row + h * hd, buf, t * row + h * hd, norm, hd, c.rmsEps());
                }
            }
            ops.rope(buf, t * row, heads, hd, start + t, invFreq, c.ropeNeox());
        }
    }

    /** {@code out[t] = W in[t] (+ bias)} for the n tokens, with the layer's LoRA terms for W. */
    private void project(LayerWeights lw, Projection p, LowRankSet[] lr, float[] in, int inStride, float[] out,
            int outStride, int n) {
        multiply(lw.matrix(p), in, inStride, out, 0, outStride, n, lr == null ? null : lr[p.ordinal()]);
        float[] bias = lw.bias(p);
        if (bias != null) {
            for (int t = 0; t < n; t++) {
                ops.add(out, t * outStride, bias, 0, outStride);
            }
        }
    }

    private void multiply(WeightMatrix m, float[] in, int inStride, float[] out, int outOff, int outStride, int n,
            LowRankSet lr) {
        if (n == 1) {
            mk.matvec(m, in, 0, out, outOff, lr);
        } else {
            mk.matmul(m, in, 0, inStride, out, outOff, outStride, n, lr);
        }
    }
}
