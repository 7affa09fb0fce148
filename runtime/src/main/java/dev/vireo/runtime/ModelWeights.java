package dev.vireo.runtime;

import dev.vireo.gguf.GgmlType;
import dev.vireo.gguf.GgufFile;
import dev.vireo.gguf.GgufTensor;
import dev.vireo.kernels.MatrixKernels;
import dev.vireo.kernels.WeightMatrix;

/**
 * Every tensor the forward pass reads, checked against the config once at load so that the pass
 * itself needs no checks. Matrices stay in the mapping (any ggml type the kernels support).
 */
final class ModelWeights {
    /** Name of the output matrix; absent when the output is tied to the embedding. */
    static final String OUTPUT = "output.weight";
    static final String TOKEN_EMBD = "token_embd.weight";

    final WeightMatrix tokenEmbedding;
    final LayerWeights[] layers;
    final float[] outputNorm;
    final WeightMatrix output;
    /** Optional {@code output.bias}. */
    final float[] outputBias;
    /** True when {@code output.weight} is absent and the embedding matrix is reused. */
    final boolean tiedOutput;
    /** Per-frequency divisors of Llama 3.x ({@code rope_freqs.weight}), or null. */
    final float[] ropeFactors;
    /** Weight type of the bulk of the model (the type of blk.0.ffn_down, else of the embedding): for reports. */
    final GgmlType mainType;
    final long parameterCount;

    private final GgufFile file;

    /**
     * @param vectors used to dequantize the small 1-D tensors (norms, biases) to float
     */
    ModelWeights(GgufFile file, ModelConfig c, MatrixKernels vectors) {
        this.file = file;
        checkTypesSupported(vectors);
        int e = c.embeddingLength();
        this.tokenEmbedding = matrix(TOKEN_EMBD, c.vocabSize(), e);
        this.outputNorm = vector("output_norm.weight", e, vectors);
        this.tiedOutput = file.tensorOrNull(OUTPUT) == null;
        this.output = tiedOutput ? tokenEmbedding : matrix(OUTPUT, c.vocabSize(), e);
        this.outputBias = optionalVector("output.bias", c.vocabSize(), vectors);
        this.ropeFactors = optionalVector("rope_freqs.weight", c.ropeDimensionCount() / 2, vectors);
        this.layers = new LayerWeights[c.blockCount()];
        for (int l = 0; l < layers.length; l++) {
            layers[l] = layer(l, c, vectors);
        }
        GgufTensor down = file.tensorOrNull(Projection.DOWN.weightName(0));
        this.mainType = down != null ? down.type() : tokenEmbedding.type();
        long params = 0;
        for (GgufTensor t : file.tensors()) {
            params += t.elementCount();
        }
        this.parameterCount = params;
    }

    /**
     * Dequantizes one row of one matrix per weight type, so that a type the kernels lack is a
     * load error naming a tensor rather than a failure at the first token.
     */
    private void checkTypesSupported(MatrixKernels vectors) {
        java.util.Map<GgmlType, String> seen = new java.util.EnumMap<>(GgmlType.class);
        for (GgufTensor t : file.tensors()) {
            if (t.shape().length == 2 && !seen.containsKey(t.type()) && file.tensorOrNull(t.name()) == t) {
                seen.put(t.type(), t.name());
                WeightMatrix m = WeightMatrix.of(t);
                try {
                    vectors.dequantizeRow(m, 0, new float[m.cols()], 0);
                } catch (IllegalArgumentException | UnsupportedOperationException e) {
                    throw new IllegalArgumentException(file.path() + ": tensor '" + t.name() + "' has type " + t.type()
                            + ", which Vireo cannot compute with yet", e);
                }
            }
        }
    }

    private LayerWeights layer(int l, ModelConfig c, MatrixKernels vectors) {
        int e = c.embeddingLength();
        int q = c.queryLength();
        int kv = c.kvLength();
        int ff = c.feedForwardLength();
        WeightMatrix[] m = new WeightMatrix[Projection.ALL.length];
        float[][] b = new float[Projection.ALL.length][];
        int[][] shapes = { // rows (outputs), cols (inputs) per projection
            {q, e}, {kv, e}, {kv, e}, {e, q}, {ff, e}, {ff, e}, {e, ff}};
        for (Projection p : Projection.ALL) {
            int[] s = shapes[p.ordinal()];
            m[p.ordinal()] = matrix(p.weightName(l), s[0], s[1]);
            b[p.ordinal()] = optionalVector(p.biasName(l), s[0], vectors);
        }
        String blk = "blk." + l + ".";
        return new LayerWeights(vector(blk + "attn_norm.weight", e, vectors), m, b,
                optionalVector(blk + "attn_q_norm.weight", c.headDim(), vectors),
                optionalVector(blk + "attn_k_norm.weight", c.headDim(), vectors),
                vector(blk + "ffn_norm.weight", e, vectors));
    }

    private WeightMatrix matrix(String name, int rows, int cols) {
        GgufTensor t = file.tensor(name);
        if (t.shape().length > 2 || t.rows() != rows || t.cols() != cols) {
            throw new IllegalArgumentException(file.path() + ": tensor '" + name + "' has shape " + t.shapeString()
                    + ", expected [" + cols + ", " + rows + "]");
        }
        return WeightMatrix.of(t);
    }

    private float[] vector(String name, int size, MatrixKernels vectors) {
        float[] v = optionalVector(name, size, vectors);
        if (v == null) {
            throw new IllegalArgumentException(file.path() + ": tensor '" + name + "' is missing");
        }
        return v;
    }

    private float[] optionalVector(String name, int size, MatrixKernels vectors) {
        GgufTensor t = file.tensorOrNull(name);
        if (t == null) {
            return null;
        }
        if (t.elementCount() != size || t.cols() != size) {
            throw new IllegalArgumentException(file.path() + ": tensor '" + name + "' has shape " + t.shapeString()
                    + ", expected [" + size + "]");
        }
        float[] out = new float[size];
        vectors.dequantizeRow(WeightMatrix.of(t), 0, out, 0);
        return out;
    }
}
