package dev.vireo.runtime.lora;

import dev.vireo.gguf.GgmlType;
import dev.vireo.gguf.GgufValue;
import dev.vireo.gguf.GgufWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/** Hand-made GGUF base models and adapters of a few values, for exact checks. */
final class TinyFiles {
    private TinyFiles() {}

    static final String TARGET = "blk.0.attn_q.weight";
    static final String OTHER = "blk.0.attn_norm.weight";

    static final String EMBEDDINGS = "token_embd.weight";

    /**
     * A "llama" model with one 2 x 3 weight {@link #TARGET}, a 2-value vector {@link #OTHER} = [7, 8]
     * and 2 x 3 token embeddings (all zero).
     */
    static Path base(Path path, float[] w) throws IOException {
        new GgufWriter()
                .addMetadata("general.architecture", GgufValue.ofString("llama"))
                .addTensor(TARGET, GgmlType.F32, new long[] {3, 2}, bytes(w))
                .addTensor(OTHER, GgmlType.F32, new long[] {2}, bytes(new float[] {7, 8}))
                .addTensor(EMBEDDINGS, GgmlType.F32, new long[] {3, 2}, bytes(new float[6]))
                .write(path);
        return path;
    }

    /** A llama.cpp-style adapter on {@link #TARGET} with rank {@code a.length / 3}. */
    static Path adapter(Path path, float alpha, float[] a, float[] b) throws IOException {
        return adapter(path, "llama", alpha, TARGET, a, b);
    }

    static Path adapter(Path path, String arch, float alpha, String target, float[] a, float[] b) throws IOException {
        return adapter(path, arch, alpha, target, a, b, GgmlType.F32, null);
    }

    /**
     * An adapter with its matrices stored as {@code type} (F32 or F16), {@code alpha} NaN for no
     * alpha key, and optionally an extra metadata key set to a u32 array.
     */
    static Path adapter(Path path, String arch, float alpha, String target, float[] a, float[] b, GgmlType type,
            String extraArrayKey) throws IOException {
        int cols = 3;
        int r = a.length / cols;
        GgufWriter w = new GgufWriter()
                .addMetadata("general.architecture", GgufValue.ofString(arch))
                .addMetadata("general.type", GgufValue.ofString("adapter"))
                .addMetadata("adapter.type", GgufValue.ofString("lora"));
        if (!Float.isNaN(alpha)) {
            w.addMetadata("adapter.lora.alpha", GgufValue.ofFloat32(alpha));
        }
        if (extraArrayKey != null) {
            w.addMetadata(extraArrayKey, new GgufValue(dev.vireo.gguf.GgufValueType.ARRAY, dev.vireo.gguf.GgufValueType.UINT32,
                    new int[] {1, 2}));
        }
        w.addTensor(target + ".lora_a", type, new long[] {cols, r}, encode(a, type))
                .addTensor(target + ".lora_b", type, new long[] {r, b.length / r}, encode(b, type))
                .write(path);
        return path;
    }

    static byte[] encode(float[] v, GgmlType type) {
        if (type == GgmlType.F32) {
            return bytes(v);
        }
        byte[] out = new byte[Math.toIntExact(type.bytesFor(v.length))];
        dev.vireo.kernels.Quantizer.quantizeRow(type, v, 0, v.length, java.lang.foreign.MemorySegment.ofArray(out), 0);
        return out;
    }

    static byte[] bytes(float[] v) {
        ByteBuffer bb = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            bb.putFloat(f);
        }
        return bb.array();
    }
}
