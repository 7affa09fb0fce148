package dev.vireo.gguf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * One tensor of a safetensors file: a read-only slice of the file mapping, valid while its
 * {@link SafetensorsFile} is open.
 *
 * <p>Beware the order of dimensions: {@code shape} is as PyTorch/numpy write it, outermost first
 * (a linear layer's weight is {@code [out_features, in_features]}), the reverse of GGUF's
 * {@link GgufTensor#shape()}. Use {@link #ggmlShape()} to compare with GGUF tensors.
 *
 * @param name tensor name, e.g. {@code base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight}
 * @param dtype element type
 * @param shape dimensions, outermost first (empty for a scalar)
 * @param fileOffset absolute position of the first data byte in the file
 * @param data the tensor bytes, a slice of the file mapping
 */
public record SafetensorsTensor(String name, SafetensorsDType dtype, long[] shape, long fileOffset, MemorySegment data) {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Number of values (1 for a scalar, 0 when a dimension is 0). */
    public long elementCount() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** Size of the data in bytes. */
    public long byteSize() {
        return data.byteSize();
    }

    /** The shape in GGUF order (innermost first), as a GGUF file would store this tensor. */
    public long[] ggmlShape() {
        long[] r = new long[Math.max(1, shape.length)];
        Arrays.fill(r, 1);
        for (int i = 0; i < shape.length; i++) {
            r[i] = shape[shape.length - 1 - i];
        }
        return r;
    }

    /**
     * The values as floats, in storage order (row-major). Meant for small tensors such as LoRA
     * matrices.
     *
     * @throws UnsupportedOperationException if the dtype is not F32, F16 or BF16, or the tensor
     *     has more than {@code Integer.MAX_VALUE - 8} values
     */
    public float[] toFloats() {
        if (!dtype.isFloatReadable()) {
            throw new UnsupportedOperationException("tensor '" + name + "' has dtype " + dtype
                    + "; only F32, F16 and BF16 can be read as floats");
        }
        long n = elementCount();
        if (n > Integer.MAX_VALUE - 8) {
            throw new UnsupportedOperationException("tensor '" + name + "' has " + n + " values, too many for a float[]");
        }
        float[] out = new float[(int) n];
        switch (dtype) {
            case F32 -> MemorySegment.copy(data, F32, 0, out, 0, out.length);
            case F16 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = Float.float16ToFloat(data.get(I16, 2L * i));
                }
            }
            case BF16 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = Float.intBitsToFloat((data.get(I16, 2L * i) & 0xFFFF) << 16);
                }
            }
            default -> throw new AssertionError(dtype);
        }
        return out;
    }

    /** The shape as PyTorch prints it, e.g. {@code [4, 64]}. */
    public String shapeString() {
        return Arrays.toString(shape);
    }
}
