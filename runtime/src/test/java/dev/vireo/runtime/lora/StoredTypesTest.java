package dev.vireo.runtime.lora;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vireo.gguf.GgmlType;
import dev.vireo.gguf.GgufFile;
import dev.vireo.gguf.GgufTensor;
import dev.vireo.gguf.GgufWriter;
import dev.vireo.kernels.Quantizer;
import dev.vireo.runtime.Model;
import dev.vireo.runtime.Session;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The adapter types llama.cpp's converter writes besides F32 (--outtype f16, bf16, q8_0: A as
 * Q8_0, B as F16 when r is not a multiple of 32): they load as written and give the F32 adapter's
 * logits up to their own rounding.
 */
class StoredTypesTest {

    @Test
    void f16Bf16AndQ8_0AdaptersMatchTheF32One(@TempDir Path tmp) throws Exception {
        AdapterCase c = AdapterCase.load("tiny-llama-F32/once__tiny-llama-lora-r8@1.0");
        Path f32 = c.adapters().get(0).file();
        // bound per type: the adapter moves these logits by up to ~10, so a relative error e of its
        // term moves them by ~10 e: F16 (e ~ 2^-11) 0.01, BF16 (2^-8) 0.1, Q8_0 A (1/254 of each
        // block's max, plus the int8 rounding of x the kernels use with a Q8_0 matrix) 0.15
        record Variant(GgmlType a, GgmlType b, float tolerance) {}
        List<Variant> variants = List.of(new Variant(GgmlType.F16, GgmlType.F16, 0.01f),
                new Variant(GgmlType.BF16, GgmlType.BF16, 0.1f), new Variant(GgmlType.Q8_0, GgmlType.F16, 0.15f));
        try (Model model = Model.load(c.model()); Session s = model.newSession(AdapterGoldenTest.options())) {
            s.setAdapters(List.of(AdapterUse.of(model.loadAdapter(f32))));
            float[] reference = AdapterGoldenTest.run(s, c);
            for (Variant v : variants) {
                Path file = tmp.resolve("lora-" + v.a() + "-" + v.b() + ".gguf");
                requantize(f32, file, v.a(), v.b());
                LoraAdapter a = model.loadAdapter(file);
                assertEquals(v.a(), a.term("blk.0.attn_q.weight", 1f).a().type());
                assertEquals(v.b(), a.term("blk.0.attn_q.weight", 1f).b().type());
                s.setAdapters(List.of(AdapterUse.of(a)));
                float[] got = AdapterGoldenTest.run(s, c);
                float worst = 0;
                for (int i = 0; i < got.length; i++) {
                    worst = Math.max(worst, Math.abs(got[i] - reference[i]));
                }
                System.out.printf("adapter stored as %s/%s: max |logit diff| vs F32 adapter %.3g%n", v.a(), v.b(), worst);
                assertTrue(worst <= v.tolerance(), v + ": " + worst);
                assertTrue(worst > 0, v + " really changed the stored values");
            }
        }
    }

    /** A copy of an F32 adapter with lora_a stored as {@code aType} and lora_b as {@code bType}. */
    static void requantize(Path src, Path dst, GgmlType aType, GgmlType bType) throws IOException {
        try (GgufFile in = GgufFile.open(src)) {
            GgufWriter w = new GgufWriter().addMetadata(in.metadata());
            for (GgufTensor t : in.tensors()) {
                GgmlType type = t.name().endsWith(".lora_a") ? aType : bType;
                float[] values = LoraMergeTest.floats(t);
                byte[] bytes = new byte[Math.toIntExact(type.bytesFor(values.length))];
                int cols = (int) t.cols();
                long rowBytes = type.bytesFor(cols);
                for (int r = 0; r < values.length / cols; r++) {
                    Quantizer.quantizeRow(type, values, r * cols, cols, MemorySegment.ofArray(bytes), r * rowBytes);
                }
                w.addTensor(t.name(), type, t.shape(), bytes);
            }
            w.write(dst);
        }
    }
}
