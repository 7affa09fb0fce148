package dev.vireo.runtime.lora;

import dev.vireo.gguf.GgmlType;
import dev.vireo.gguf.GgufFile;
import dev.vireo.gguf.GgufTensor;
import dev.vireo.gguf.GgufWriter;
import dev.vireo.kernels.KernelProvider;
import dev.vireo.kernels.LowRank;
import dev.vireo.kernels.MatrixKernels;
import dev.vireo.kernels.Quantizer;
import dev.vireo.kernels.WeightMatrix;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a new GGUF model in which adapters are baked into the weights:
 * {@code W' = W + sum_i s_i B_i A_i} for every weight an adapter touches, with
 * {@code s_i = scale_i * alpha_i / r_i} exactly as when the adapters are applied at run time.
 *
 * <p>Unlike llama.cpp's export-lora (which writes merged tensors as F16 and needs a separate
 * quantize run), each merged tensor is written directly in the requested type, by default the type
 * the base tensor already has: a QLoRA-style merge onto a Q4_0 or Q4_K base gives a Q4_0 or Q4_K
 * model again (K-quants through the scale-searching quantizer of the kernels). Every other tensor and all metadata are copied byte for byte.
 * Rows are computed and streamed one at a time, so memory stays small whatever the model size.
 */
public final class LoraMerge {
    private LoraMerge() {}

    /** Told after each tensor is written, e.g. to draw a progress bar. */
    @FunctionalInterface
    public interface ProgressListener {
        /**
         * @param done tensors written so far (1 .. total)
         * @param total tensors in the file
         * @param tensorName the tensor just written
         * @param merged whether adapters were merged into it (rather than copied)
         */
        void onTensor(int done, int total, String tensorName, boolean merged);

        /** Ignores progress. */
        ProgressListener NONE = (done, total, name, merged) -> {};
    }

    /**
     * Merges {@code adapters} into {@code base} and writes the result to {@code out}.
     *
     * @param base the base model (stays open and unchanged)
     * @param adapters adapters loaded against {@code base}, with their scales (scale 0 is skipped)
     * @param out the file to write (written beside it first, then moved into place)
     * @param typeOrNullForSame type of the merged tensors, or null to keep each base tensor's type
     * @param progress told after each tensor, or null
     * @throws IllegalArgumentException if a merged tensor cannot be written in the requested type
     *     (unsupported quantizer, or a row length that is not a whole number of blocks), if an
     *     adapter does not fit the base, or if {@code out} is the base file
     * @throws IOException if writing fails
     */
    public static void merge(GgufFile base, List<AdapterUse> adapters, Path out, GgmlType typeOrNullForSame,
            ProgressListener progress) throws IOException {
        ProgressListener listener = progress == null ? ProgressListener.NONE : progress;
        if (Files.exists(out) && Files.isSameFile(out, base.path())) {
            throw new IllegalArgumentException(out + ": the merged model cannot overwrite its base model");
        }
        List<GgufTensor> tensors = base.tensors();
        GgufWriter writer = new GgufWriter().addMetadata(base.metadata());
        int[] done = {0};
        try (MatrixKernels kernels = KernelProvider.matrixKernels(1)) {
            for (GgufTensor t : tensors) {
                List<LowRank> terms = termsFor(t, adapters);
                if (terms.isEmpty()) {
                    writer.addTensor(t.name(), t.type(), t.shape(), counted(GgufWriter.TensorSource.of(t.data()), t.name(),
                            false, done, tensors.size(), listener));
                    continue;
                }
                GgmlType type = typeOrNullForSame == null ? t.type() : typeOrNullForSame;
                checkWritable(t, type);
                MergedTensor merged = new MergedTensor(kernels, WeightMatrix.of(t), terms, type);
                writer.addTensor(t.name(), type, t.shape(), counted(merged::writeTo, t.name(), true, done, tensors.size(), listener));
            }
            checkEveryTargetExists(base, adapters);
            writer.write(out);
        }
    }

    private static GgufWriter.TensorSource counted(GgufWriter.TensorSource source, String name, boolean merged, int[] done,
            int total, ProgressListener listener) {
        return o -> {
            source.writeTo(o);
            listener.onTensor(++done[0], total, name, merged);
        };
    }

    /** The terms of all adapters with a non-zero scale that touch {@code t}. */
    private static List<LowRank> termsFor(GgufTensor t, List<AdapterUse> adapters) {
        List<LowRank> terms = new ArrayList<>();
        for (AdapterUse use : adapters) {
            if (use.scale() == 0f) {
                continue;
            }
            LowRank term = use.adapter().term(t.name(), use.scale());
            if (term == null) {
                continue;
            }
            if (t.shape().length != 2 || term.a().cols() != t.cols() || term.b().rows() != t.rows()) {
                throw new IllegalArgumentException(use.adapter().name() + ": LoRA for '" + t.name() + "' (A " + term.a().rows() + "x"
                        + term.a().cols() + ", B " + term.b().rows() + "x" + term.b().cols() + ") does not fit the base tensor of shape "
                        + t.shapeString() + " (adapter loaded for another model?)");
            }
            terms.add(term);
        }
        return terms;
    }

    private static void checkEveryTargetExists(GgufFile base, List<AdapterUse> adapters) {
        for (AdapterUse use : adapters) {
            for (String target : use.adapter().targets()) {
                if (base.tensorOrNull(target) == null) {
                    throw new IllegalArgumentException(use.adapter().name() + ": LoRA target '" + target
                            + "' does not exist in the base model " + base.path().getFileName());
                }
            }
        }
    }

    private static void checkWritable(GgufTensor t, GgmlType type) {
        if (!Quantizer.supports(type)) {
            throw new IllegalArgumentException("cannot write merged tensor '" + t.name() + "' as " + type
                    + ": no quantizer for that type yet (choose another output type)");
        }
        if (t.cols() % type.blockSize() != 0) {
            throw new IllegalArgumentException("cannot write merged tensor '" + t.name() + "' as " + type + ": its rows of "
                    + t.cols() + " values are not a multiple of the block size " + type.blockSize());
        }
    }

    /** Produces the rows of {@code W + sum s B A} in the output type, one row at a time. */
    private static final class MergedTensor {
        private final MatrixKernels kernels;
        private final WeightMatrix w;
        private final List<LowRank> terms;
        private final GgmlType type;

        MergedTensor(MatrixKernels kernels, WeightMatrix w, List<LowRank> terms, GgmlType type) {
            this.kernels = kernels;
            this.w = w;
            this.terms = terms;
            this.type = type;
        }

        void writeTo(OutputStream out) throws IOException {
            int cols = w.cols();
            float[][] a = new float[terms.size()][];
            float[][] bRow = new float[terms.size()][];
            for (int k = 0; k < terms.size(); k++) {
                a[k] = dequantizeAll(terms.get(k).a());
                bRow[k] = new float[terms.get(k).rank()];
            }
            float[] row = new float[cols];
            float[] delta = new float[cols];
            byte[] bytes = new byte[Math.toIntExact(type.bytesFor(cols))];
            MemorySegment dst = MemorySegment.ofArray(bytes);
            for (int i = 0; i < w.rows(); i++) {
                kernels.dequantizeRow(w, i, row, 0);
                for (int k = 0; k < terms.size(); k++) {
                    LowRank term = terms.get(k);
                    kernels.dequantizeRow(term.b(), i, bRow[k], 0);
                    lowRankRow(bRow[k], a[k], cols, delta);
                    float s = term.scale();
                    for (int j = 0; j < cols; j++) {
                        row[j] += s * delta[j];
                    }
                }
                Quantizer.quantizeRow(type, row, 0, cols, dst, 0);
                out.write(bytes);
            }
        }

        private float[] dequantizeAll(WeightMatrix m) {
            float[] all = new float[m.rows() * m.cols()];
            for (int r = 0; r < m.rows(); r++) {
                kernels.dequantizeRow(m, r, all, r * m.cols());
            }
            return all;
        }
    }

    /** {@code delta[j] = sum_k b[k] * a[k][j]}: one row of B A, in float as export-lora computes it. */
    static void lowRankRow(float[] b, float[] a, int cols, float[] delta) {
        java.util.Arrays.fill(delta, 0, cols, 0f);
        for (int k = 0; k < b.length; k++) {
            float bk = b[k];
            int base = k * cols;
            for (int j = 0; j < cols; j++) {
                delta[j] += bk * a[base + j];
            }
        }
    }
}
