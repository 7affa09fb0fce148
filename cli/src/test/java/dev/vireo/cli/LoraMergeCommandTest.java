package dev.vireo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vireo.gguf.GgmlType;
import dev.vireo.gguf.GgufFile;
import dev.vireo.gguf.GgufTensor;
import dev.vireo.kernels.Quantizer;
import dev.vireo.runtime.Model;
import dev.vireo.runtime.Session;
import dev.vireo.runtime.SessionOptions;
import dev.vireo.testing.Shared;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoraMergeCommandTest {

    /** The types --type lists (in a reader's order) are exactly the ones the Quantizer writes. */
    @Test
    void listedTypesAreTheQuantizersTypes() {
        Set<String> listed = new TreeSet<>(Arrays.asList(LoraMergeCommand.TYPES.split(", ")));
        Set<String> writable = new TreeSet<>();
        for (GgmlType t : GgmlType.values()) {
            if (Quantizer.supports(t)) {
                writable.add(t.name().toLowerCase(Locale.ROOT));
            }
        }
        assertEquals(writable, listed);
    }

    @TempDir
    Path tmp;

    /** The merged file run without adapters gives llama.cpp's logits for base + adapter at 0.5. */
    @Test
    void mergedModelMatchesLlamaCppWithTheAdapter() throws Exception {
        Path base = Shared.file("models/stories260K.gguf");
        Path adapter = Shared.file("models/synthetic/stories260K-lora-r4.gguf");
        Path caseJson = Shared.file("reference/cases/stories260K/once__stories260K-lora-r4@0.5.json");
        Path out = tmp.resolve("merged.gguf");
        CliRun r = CliRun.of("lora", "merge", "-m", base.toString(), "--lora", adapter + ":0.5", "--type", "f32",
                "-o", out.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertEquals("", r.out());
        assertTrue(r.err().contains("merging [##############################] 100% 48 tensors / 48 tensors"), r.err());

        try (GgufFile b = GgufFile.open(base); GgufFile m = GgufFile.open(out)) {
            assertEquals(b.tensors().size(), m.tensors().size());
            assertEquals(b.metadata().size(), m.metadata().size());
            GgufTensor norm = m.tensor("blk.0.attn_norm.weight");
            assertEquals(b.tensor("blk.0.attn_norm.weight").data().mismatch(norm.data()), -1, "untouched tensors are copied");
            assertTrue(b.tensor("blk.0.attn_q.weight").data().mismatch(m.tensor("blk.0.attn_q.weight").data()) >= 0,
                    "touched tensors change");
        }

        JsonNode c = new ObjectMapper().readTree(caseJson.toFile());
        int[] prompt = new int[c.get("prompt_tokens").size()];
        for (int i = 0; i < prompt.length; i++) {
            prompt[i] = c.get("prompt_tokens").get(i).asInt();
        }
        int vocab = c.get("n_vocab").asInt();
        ByteBuffer golden = ByteBuffer.wrap(Files.readAllBytes(caseJson.resolveSibling(c.get("logits_file").asText())))
                .order(ByteOrder.LITTLE_ENDIAN);
        try (Model model = Model.load(out); Session s = model.newSession(new SessionOptions(1, 256))) {
            float[] all = new float[prompt.length * vocab];
            s.evaluate(prompt, all);
            double worst = 0;
            for (int i = 0; i < all.length; i++) {
                worst = Math.max(worst, Math.abs(all[i] - golden.getFloat(4 * i)));
            }
            assertTrue(worst <= 1e-4, "max abs logit difference " + worst);
        }
    }

    @Test
    void adapterForAnotherModelIsOneLine() throws Exception {
        Path base = Shared.file("models/synthetic/tiny-llama-F32.gguf");
        Path adapter = Shared.file("models/synthetic/stories260K-lora-r4.gguf");
        Path out = tmp.resolve("x.gguf");
        CliRun r = CliRun.of("lora", "merge", "-m", base.toString(), "--lora", adapter.toString(), "-o", out.toString());
        assertEquals(Vireo.EXIT_FAILURE, r.exitCode());
        assertEquals(1, r.errLines().length, r.err());
        assertTrue(r.errLines()[0].contains("blk.0.attn_q.weight"), r.err());
        assertTrue(!Files.exists(out));
    }

    @Test
    void badScaleAndMissingAdapter() {
        Path base = Shared.file("models/stories260K.gguf");
        CliRun r = CliRun.of("lora", "merge", "-m", base.toString(), "--lora", "a.gguf:half", "-o", tmp.resolve("x").toString());
        assertEquals(Vireo.EXIT_USAGE, r.exitCode());
        assertEquals("vireo: --lora: 'half' in 'a.gguf:half' is not a scale (expected FILE:SCALE, e.g. a.gguf:0.5)",
                r.errLines()[0]);
        r = CliRun.of("lora", "merge", "-m", base.toString(), "--lora", tmp.resolve("none.gguf").toString(), "-o",
                tmp.resolve("x").toString());
        assertEquals(Vireo.EXIT_FAILURE, r.exitCode());
        assertEquals("vireo: --lora: no such file or folder: " + tmp.resolve("none.gguf"), r.errLines()[0]);
    }

    @Test
    void typeTheQuantizerCannotWriteIsAUsageError() {
        Path base = Shared.file("models/stories260K.gguf");
        for (String type : new String[] {"q9_9", "iq4_nl"}) {
            CliRun r = CliRun.of("lora", "merge", "-m", base.toString(), "--lora", "a.gguf", "--type", type, "-o",
                    tmp.resolve("x").toString());
            assertEquals(Vireo.EXIT_USAGE, r.exitCode(), r.err());
            assertEquals("vireo: --type: cannot write type '" + type + "' (same, f32, f16, bf16, q8_0, q4_0, q4_1,"
                    + " q5_0, q5_1, q2_k, q3_k, q4_k, q5_k, q6_k)", r.errLines()[0]);
        }
    }
}
