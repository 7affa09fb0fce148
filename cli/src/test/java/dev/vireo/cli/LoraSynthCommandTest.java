package dev.vireo.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vireo.gguf.GgmlType;
import dev.vireo.gguf.GgufFile;
import dev.vireo.gguf.GgufTensor;
import dev.vireo.gguf.GgufValue;
import dev.vireo.gguf.GgufWriter;
import dev.vireo.runtime.Model;
import dev.vireo.runtime.Session;
import dev.vireo.runtime.SessionOptions;
import dev.vireo.runtime.lora.AdapterUse;
import dev.vireo.runtime.lora.LoraAdapter;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoraSynthCommandTest {
    private static final List<String> SEVEN =
            List.of("attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down");
    private static final int[] PROMPT = {1, 300, 301, 302, 303};

    @TempDir
    Path tmp;
    /** A tiny F32 llama (2 layers, 256 wide, 64-wide K/V, 768-wide FFN) made by `vireo synth`. */
    Path base;

    @BeforeEach
    void makeBase() {
        base = tmp.resolve("base.gguf");
        CliRun r = CliRun.of("synth", "--shape", "tiny", "--type", "f32", "--seed", "3", "-o", base.toString());
        assertEquals(0, r.exitCode(), r.err());
    }

    private CliRun synth(Path out, String... extra) {
        List<String> args = new ArrayList<>(List.of("lora", "synth", "-m", base.toString(), "-o", out.toString()));
        args.addAll(List.of(extra));
        return CliRun.of(args.toArray(String[]::new));
    }

    @Test
    void writesAllSevenProjectionsOfEveryLayerAndTheRuntimeLoadsThem() throws Exception {
        Path out = tmp.resolve("r16.gguf");
        CliRun r = synth(out);
        assertEquals(0, r.exitCode(), r.err());
        assertEquals("", r.out(), "synth writes nothing to stdout");
        // per layer 16 x (q 256+256, k 256+64, v 256+64, o 256+256, gate/up 256+768 twice, down 768+256)
        // = 75776 floats; 2 layers x 4 bytes = 606208 bytes = 592 KiB
        assertArrayEquals(new String[] {"vireo: lora synth rank 16 alpha 16.0 F32 seed 42: 14 tensor pairs, 592.00 KiB -> " + out},
                r.errLines());

        Set<String> expectedTargets = new TreeSet<>();
        try (GgufFile a = GgufFile.open(out); GgufFile b = GgufFile.open(base)) {
            assertEquals("adapter", a.metadata().getString("general.type"));
            assertEquals("lora", a.metadata().getString("adapter.type"));
            assertEquals("llama", a.metadata().getString("general.architecture"));
            assertEquals(16f, a.metadata().getFloat("adapter.lora.alpha"));
            assertEquals(2 * 7 * 2, a.tensors().size());
            // llama.cpp's converter order: layer by layer, each pair's lora_a then lora_b
            assertEquals("blk.0.attn_q.weight.lora_a", a.tensors().get(0).name());
            assertEquals("blk.0.attn_q.weight.lora_b", a.tensors().get(1).name());
            assertEquals("blk.1.ffn_down.weight.lora_b", a.tensors().get(27).name());
            for (int l = 0; l < 2; l++) {
                for (String p : SEVEN) {
                    String name = "blk." + l + "." + p + ".weight";
                    expectedTargets.add(name);
                    long[] w = b.tensor(name).shape();
                    GgufTensor la = a.tensor(name + ".lora_a");
                    GgufTensor lb = a.tensor(name + ".lora_b");
                    assertArrayEquals(new long[] {w[0], 16}, la.shape(), la.name());
                    assertArrayEquals(new long[] {16, w[1]}, lb.shape(), lb.name());
                    assertEquals(GgmlType.F32, la.type());
                    assertEquals(GgmlType.F32, lb.type());
                }
            }
            assertArrayEquals(new long[] {768, 16}, a.tensor("blk.1.ffn_down.weight.lora_a").shape());
            assertArrayEquals(new long[] {16, 64}, a.tensor("blk.0.attn_k.weight.lora_b").shape());
        }

        try (Model m = Model.load(base)) {
            LoraAdapter adapter = m.loadAdapter(out);
            assertEquals(16, adapter.rank());
            assertEquals(16f, adapter.alpha());
            assertEquals(expectedTargets, new TreeSet<>(adapter.targets()));
        }
    }

    /** The values are N(0, sigma): sample mean and standard deviation of all of A and B. */
    @Test
    void valuesAreGaussianWithTheRequestedSigma() throws Exception {
        Path out = tmp.resolve("a.gguf");
        assertEquals(0, synth(out, "--scale-init", "0.05", "--rank", "8").exitCode());
        double sum = 0;
        double sq = 0;
        long n = 0;
        long beyond3 = 0;
        try (GgufFile a = GgufFile.open(out)) {
            for (GgufTensor t : a.tensors()) {
                for (long i = 0; i < t.elementCount(); i++) {
                    double v = t.data().get(ValueLayout.JAVA_FLOAT_UNALIGNED, 4 * i);
                    sum += v;
                    sq += v * v;
                    n++;
                    beyond3 += Math.abs(v) > 3 * 0.05 ? 1 : 0;
                }
            }
        }
        double mean = sum / n;
        double sd = Math.sqrt(sq / n - mean * mean);
        assertTrue(n > 50_000, "values: " + n);
        assertEquals(0, mean, 0.002, "mean");
        assertEquals(0.05, sd, 0.001, "standard deviation");
        // a Gaussian has 0.27 % beyond 3 sigma (a uniform distribution would have none)
        assertEquals(0.0027, beyond3 / (double) n, 0.001, "share beyond 3 sigma");
    }

    /**
     * The adapter applied by the fused kernels equals the same adapter merged into the weights
     * (two independent readings of the file's layout), and it changes the logits without making
     * them non-finite.
     */
    @Test
    void appliedAdapterMatchesTheMergedModelAndStaysFinite() throws Exception {
        Path out = tmp.resolve("a.gguf");
        Path merged = tmp.resolve("merged.gguf");
        assertEquals(0, synth(out, "--scale-init", "0.05").exitCode());
        CliRun r = CliRun.of("lora", "merge", "-m", base.toString(), "--lora", out.toString(), "--type", "f32",
                "-o", merged.toString());
        assertEquals(0, r.exitCode(), r.err());

        float[] plain;
        float[] applied;
        try (Model m = Model.load(base); Session s = m.newSession(new SessionOptions(1, 64))) {
            plain = s.evaluate(PROMPT);
            s.setAdapters(List.of(AdapterUse.of(m.loadAdapter(out))));
            applied = s.evaluate(PROMPT);
        }
        float[] viaMerge;
        try (Model m = Model.load(merged); Session s = m.newSession(new SessionOptions(1, 64))) {
            viaMerge = s.evaluate(PROMPT);
        }
        double changed = 0;
        double worst = 0;
        for (int i = 0; i < plain.length; i++) {
            assertTrue(Float.isFinite(applied[i]), "logit " + i);
            changed = Math.max(changed, Math.abs(applied[i] - plain[i]));
            worst = Math.max(worst, Math.abs(applied[i] - viaMerge[i]));
        }
        assertTrue(changed > 1e-3, "the adapter changes the logits (max change " + changed + ")");
        assertTrue(worst < 1e-4, "applied vs merged: max difference " + worst);
    }

    @Test
    void deterministicPerSeedAndF16HoldsTheF32ValuesRounded() throws Exception {
        Path a = tmp.resolve("a.gguf");
        Path b = tmp.resolve("b.gguf");
        Path c = tmp.resolve("c.gguf");
        Path h = tmp.resolve("h.gguf");
        assertEquals(0, synth(a, "--seed", "5").exitCode());
        assertEquals(0, synth(b, "--seed", "5").exitCode());
        assertEquals(0, synth(c, "--seed", "6").exitCode());
        assertEquals(0, synth(h, "--seed", "5", "--type", "F16").exitCode());
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
        assertFalse(Arrays.equals(Files.readAllBytes(a), Files.readAllBytes(c)));
        try (GgufFile f = GgufFile.open(a); GgufFile g = GgufFile.open(h)) {
            GgufTensor x = f.tensor("blk.1.attn_v.weight.lora_a");
            GgufTensor y = g.tensor("blk.1.attn_v.weight.lora_a");
            assertEquals(GgmlType.F16, y.type());
            assertArrayEquals(x.shape(), y.shape());
            for (long i = 0; i < x.elementCount(); i++) {
                float v = x.data().get(ValueLayout.JAVA_FLOAT_UNALIGNED, 4 * i);
                short half = y.data().get(ValueLayout.JAVA_SHORT_UNALIGNED, 2 * i);
                assertEquals(Float.floatToFloat16(v), half, "value " + i);
            }
        }
    }

    @Test
    void targetsChooseTheProjectionsAndTheOutputMatrix() throws Exception {
        Path out = tmp.resolve("a.gguf");
        CliRun r = synth(out, "--targets", "ffn_down,attn_v,attn_v", "--rank", "4", "--alpha", "8");
        assertEquals(0, r.exitCode(), r.err());
        Path withOutput = tmp.resolve("o.gguf");
        assertEquals(0, synth(withOutput, "--targets", "output").exitCode());
        try (Model m = Model.load(base)) {
            LoraAdapter adapter = m.loadAdapter(out);
            assertEquals(Set.of("blk.0.attn_v.weight", "blk.1.attn_v.weight", "blk.0.ffn_down.weight",
                    "blk.1.ffn_down.weight"), adapter.targets());
            assertEquals(4, adapter.rank());
            assertEquals(8f, adapter.alpha());
            assertEquals(Set.of("output.weight"), m.loadAdapter(withOutput).targets());
        }
    }

    @Test
    void badValuesAreOneLineErrors() throws Exception {
        Path out = tmp.resolve("x.gguf");
        assertError(Vireo.EXIT_USAGE, "vireo: --targets: unknown target 'attn_x' (known: attn_q, attn_k, attn_v, attn_output,"
                + " ffn_gate, ffn_up, ffn_down, output)", synth(out, "--targets", "attn_q,attn_x"));
        assertError(Vireo.EXIT_USAGE, "vireo: --rank: must be 1 or more, not 0", synth(out, "--rank", "0"));
        assertError(Vireo.EXIT_USAGE, "vireo: --rank: must be 1 or more, not -3", synth(out, "--rank", "-3"));
        assertError(Vireo.EXIT_USAGE, "vireo: --rank: 65 is more than the smaller side of blk.0.attn_k.weight [256, 64]"
                + " in base.gguf (a LoRA rank is at most min(n_in, n_out))", synth(out, "--rank", "65"));
        assertError(Vireo.EXIT_USAGE, "vireo: --type: must be f32 or f16, not 'q4_0'", synth(out, "--type", "q4_0"));
        assertError(Vireo.EXIT_USAGE, "vireo: --scale-init: must be a finite number >= 0, not -1.0",
                synth(out, "--scale-init", "-1"));
        assertError(Vireo.EXIT_FAILURE, "vireo: -m: no such file: " + tmp.resolve("none.gguf"),
                CliRun.of("lora", "synth", "-m", tmp.resolve("none.gguf").toString(), "-o", out.toString()));
        assertError(Vireo.EXIT_FAILURE, "vireo: -o: " + base + " is the base model itself", synth(base));
        assertError(Vireo.EXIT_FAILURE, "vireo: -o: folder " + tmp.resolve("no/dir") + " does not exist",
                synth(tmp.resolve("no/dir/x.gguf")));

        // a base with tied embeddings has no output.weight; one without layers has nothing to adapt
        Path tied = tmp.resolve("tied.gguf");
        new GgufWriter().addMetadata("general.architecture", GgufValue.ofString("llama"))
                .addTensor("blk.0.attn_q.weight", GgmlType.F32, new long[] {32, 32}, new byte[32 * 32 * 4])
                .write(tied);
        assertError(Vireo.EXIT_FAILURE, "vireo: -m: tied.gguf has no output.weight (tied to the token embedding?) to adapt",
                CliRun.of("lora", "synth", "-m", tied.toString(), "-o", out.toString(), "--targets", "output"));
        assertError(Vireo.EXIT_FAILURE, "vireo: -m: tied.gguf has no blk.N.ffn_up.weight to adapt",
                CliRun.of("lora", "synth", "-m", tied.toString(), "-o", out.toString(), "--targets", "attn_q,ffn_up"));
        assertFalse(Files.exists(out), "no file after an error");
    }

    private static void assertError(int exitCode, String line, CliRun r) {
        assertEquals(exitCode, r.exitCode(), r.err());
        assertArrayEquals(new String[] {line}, r.errLines());
    }
}
