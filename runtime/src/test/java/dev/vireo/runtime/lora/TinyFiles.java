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

    /** A "llama" model with one 2 x 3 weight {@link #TARGET} and a 2-value vector {@link #OTHER} = [7, 8]. */
    static Path base(Path path, float[] w) throws IOException {
        new GgufWriter()
                .addMetadata("general.architecture", GgufValue.ofString("llama"))
                .addTensor(TARGET, GgmlType.F32, new long[] {3, 2}, bytes(w))
                .addTensor(OTHER, GgmlType.F32, new long[] {2}, bytes(new float[] {7, 8}))
                .write(path);
        return path;
    }

    /** A llama.cpp-style adapter on {@link #TARGET} with rank {@code a.length / 3}. */
    static Path adapter(Path path, float alpha, float[] a, float[] b) throws IOException {
        return adapter(path, "llama", alpha, TARGET, a, b);
    }

    static Path adapter(Path path, String arch, float alpha, String target, float[] a, float[] b) throws IOException {
        int r = a.length / 3;
        new GgufWriter()
                .addMetadata("general.architecture", GgufValue.ofString(arch))
                .addMetadata("general.type", GgufValue.ofString("adapter"))
                .addMetadata("adapter.type", GgufValue.ofString("lora"))
                .addMetadata("adapter.lora.alpha", GgufValue.ofFloat32(alpha))
                .addTensor(target + ".lora_a", GgmlType.F32, new long[] {3, r}, bytes(a))
                .addTensor(target + ".lora_b", GgmlType.F32, new long[] {r, b.length / r}, bytes(b))
                .write(path);
        return path;
    }

    static byte[] bytes(float[] v) {
        ByteBuffer bb = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            bb.putFloat(f);
        }
        return bb.array();
    }
}
