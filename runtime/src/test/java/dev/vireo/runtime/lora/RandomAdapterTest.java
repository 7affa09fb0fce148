package dev.vireo.runtime.lora;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vireo.gguf.GgmlType;
import dev.vireo.gguf.GgufFile;
import dev.vireo.gguf.GgufTensor;
import dev.vireo.gguf.GgufValue;
import dev.vireo.gguf.GgufWriter;
import dev.vireo.runtime.Model;
import dev.vireo.runtime.Session;
import dev.vireo.testing.Shared;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Adapters the golden data do not cover: the output head and an odd rank, written with random
 * values. The fused run must equal the merged (F32) model run without adapters.
 */
class RandomAdapterTest {

    @Test
    void outputHeadAndOddRankFusedEqualsMerged(@TempDir Path tmp) throws Exception {
        Path basePath = Shared.file("models/stories260K.gguf");
        Path lora = tmp.resolve("random-r3.gguf");
        Path merged = tmp.resolve("merged.gguf");
        List<String> targets = List.of("output.weight", "blk.2.attn_k.weight", "blk.4.ffn_up.weight");
        try (GgufFile base = GgufFile.open(basePath)) {
            GgufWriter w = new GgufWriter()
                    .addMetadata("general.architecture", GgufValue.ofString("llama"))
                    .addMetadata("general.type", GgufValue.ofString("adapter"))
                    .addMetadata("adapter.type", GgufValue.ofString("lora"))
                    .addMetadata("adapter.lora.alpha", GgufValue.ofFloat32(6f));
            Random random = new Random(5);
            int r = 3;
            for (String t : targets) {
                GgufTensor wt = base.tensor(t);
                w.addTensor(t + ".lora_a", GgmlType.F32, new long[] {wt.cols(), r}, TinyFiles.bytes(gaussian(random, r * wt.cols(), 0.3)));
                w.addTensor(t + ".lora_b", GgmlType.F32, new long[] {r, wt.rows()}, TinyFiles.bytes(gaussian(random, r * wt.rows(), 0.3)));
            }
            w.write(lora);
        }
        AdapterCase c = AdapterCase.load("stories260K/once__stories260K-lora-r4@1.0"); // for its tokens only
        float[] plain;
        float[] fused;
        try (Model model = Model.load(basePath); Session s = model.newSession(AdapterGoldenTest.options())) {
            LoraAdapter a = model.loadAdapter(lora);
            assertEquals(3, a.rank());
            assertEquals(2f, a.term("output.weight", 1f).scale());
            plain = AdapterGoldenTest.run(s, c);
            List<AdapterUse> uses = List.of(new AdapterUse(a, 0.7f));
            s.setAdapters(uses);
            fused = AdapterGoldenTest.run(s, c);
            LoraMerge.merge(model.file(), uses, merged, GgmlType.F32, null);
        }
        float[] baked;
        try (Model model = Model.load(merged); Session s = model.newSession(AdapterGoldenTest.options())) {
            baked = AdapterGoldenTest.run(s, c);
        }
        assertTrue(AdapterGoldenTest.maxDiff(plain, fused) > 0.5f, "the adapter changes the logits");
        double worst = 0;
        for (int i = 0; i < fused.length; i++) {
            worst = Math.max(worst, Math.abs(fused[i] - baked[i]) / Math.max(1.0, Math.abs(fused[i])));
        }
        System.out.printf("random r3 adapter incl. output.weight: fused vs merged max relative diff %.3g%n", worst);
        assertTrue(worst <= 1e-4, "fused and merged differ by " + worst + " relative");
    }

    static float[] gaussian(Random random, long n, double sd) {
        float[] out = new float[Math.toIntExact(n)];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) (random.nextGaussian() * sd);
        }
        return out;
    }
}
