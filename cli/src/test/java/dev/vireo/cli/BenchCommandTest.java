package dev.vireo.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vireo.testing.Shared;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class BenchCommandTest {
    static Path stories() {
        return Shared.file("models/stories260K.gguf");
    }

    @Test
    void jsonRowsPerTestAndThreadCount() throws Exception {
        CliRun r = CliRun.of("bench", "-m", stories().toString(), "-p", "8", "-n", "4", "-t", "1,2", "-r", "2", "--json");
        assertEquals(0, r.exitCode(), r.err());
        JsonNode rows = new ObjectMapper().readTree(r.out());
        assertEquals(4, rows.size());
        String[] tests = {"pp", "tg", "pp", "tg"};
        int[] threads = {1, 1, 2, 2};
        for (int i = 0; i < 4; i++) {
            JsonNode row = rows.get(i);
            assertEquals(threads[i], row.get("n_threads").asInt());
            assertEquals(256, row.get("n_batch").asInt(), "the default");
            assertEquals(tests[i].equals("pp") ? 8 : 0, row.get("n_prompt").asInt());
            assertEquals(tests[i].equals("tg") ? 4 : 0, row.get("n_gen").asInt());
            JsonNode samples = row.get("samples_ts");
            assertEquals(2, samples.size());
            double a = samples.get(0).asDouble();
            double b = samples.get(1).asDouble();
            assertTrue(a > 0 && b > 0);
            assertEquals((a + b) / 2, row.get("avg_ts").asDouble(), 1e-9 * (a + b));
            assertEquals(Math.abs(a - b) / Math.sqrt(2), row.get("stddev_ts").asDouble(), 1e-9 * (a + b));
        }
    }

    @Test
    void tableLikeLlamaBench() {
        CliRun r = CliRun.of("bench", "-m", stories().toString(), "-p", "8", "-n", "0", "-t", "1", "-r", "1");
        assertEquals(0, r.exitCode(), r.err());
        String[] lines = r.out().split("\n");
        assertEquals(3, lines.length, r.out());
        assertTrue(lines[0].matches("\\| model +\\| +size \\| +params \\| threads \\| n_batch \\| +test \\| +t/s \\|"),
                lines[0]);
        assertTrue(lines[2].matches("\\| llama 292\\.80K F32 +\\| +1\\.13 MiB \\| +292\\.80 K \\| +1 \\| +256 \\| +pp8 \\|"
                + " +\\d+\\.\\d\\d ± 0\\.00 \\|"), lines[2]);
    }

    @Test
    void batchSizesAreRowsWithinEachThreadCount() throws Exception {
        CliRun r = CliRun.of("bench", "-m", stories().toString(), "-p", "9", "-n", "0", "-t", "1", "-b", "1,4,64", "-r", "1",
                "--json");
        assertEquals(0, r.exitCode(), r.err());
        JsonNode rows = new ObjectMapper().readTree(r.out());
        assertEquals(3, rows.size());
        int[] batches = {1, 4, 64};
        for (int i = 0; i < 3; i++) {
            assertEquals(batches[i], rows.get(i).get("n_batch").asInt());
            assertEquals(9, rows.get(i).get("n_prompt").asInt());
        }
        assertTrue(r.err().contains("batch 4,"), r.err());
        assertTrue(r.err().contains("batch 9,"), "64 is capped at the 9 positions the test needs: " + r.err());
    }

    @Test
    void profileJsonPerRowAddsUpAndCountsTheMeasuredTokens() throws Exception {
        CliRun r = CliRun.of("bench", "-m", stories().toString(), "-p", "8", "-n", "4", "-t", "1", "-r", "2", "--json",
                "--profile");
        assertEquals(0, r.exitCode(), r.err());
        JsonNode rows = new ObjectMapper().readTree(r.out());
        assertEquals(2, rows.size());
        String[] sections = {"attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down", "output",
            "attention", "norms_rope", "sampling_logits", "other"};
        for (int i = 0; i < 2; i++) {
            JsonNode p = rows.get(i).get("profile");
            assertEquals(i == 0 ? "pp" : "tg", p.get("phase").asText());
            assertEquals(i == 0 ? 2 * 8 : 2 * 4, p.get("tokens").asInt(), "the measured runs, not the warm-up");
            double ms = 0;
            double percent = 0;
            JsonNode secs = p.get("sections");
            assertEquals(sections.length, secs.size());
            for (String name : sections) {
                JsonNode one = secs.get(name);
                assertTrue(one.get("ms_per_token").asDouble() > 0, name + " has time: " + p);
                ms += one.get("ms_per_token").asDouble();
                percent += one.get("percent").asDouble();
            }
            assertEquals(p.get("ms_per_token").asDouble(), ms, 1e-9 * ms);
            assertEquals(100, percent, 1e-6);
            // the profile times parts of the measured runs: at most their whole time
            int n = i == 0 ? 8 : 4;
            double benchMs = 0;
            for (JsonNode tps : rows.get(i).get("samples_ts")) {
                benchMs += n * 1000 / tps.asDouble();
            }
            double profiledMs = ms * p.get("tokens").asInt();
            assertTrue(profiledMs <= benchMs, "profile " + profiledMs + " ms vs the runs' " + benchMs + " ms");
        }
        CliRun plain = CliRun.of("bench", "-m", stories().toString(), "-p", "8", "-n", "0", "-r", "1", "--json");
        assertTrue(new ObjectMapper().readTree(plain.out()).get(0).get("profile") == null, "no profile without --profile");
    }

    @Test
    void profileTableAfterTheBenchTable() {
        CliRun r = CliRun.of("bench", "-m", stories().toString(), "-p", "8", "-n", "4", "-t", "1", "-r", "1", "--profile");
        assertEquals(0, r.exitCode(), r.err());
        String[] lines = r.out().split("\n");
        // bench table (header, rule, 2 rows), blank, title, header, rule, 12 sections, total
        assertEquals(4 + 1 + 1 + 2 + 12 + 1, lines.length, r.out());
        assertEquals("profile: ms per token (% of the token)", lines[5]);
        assertTrue(lines[6].matches("\\| section +\\| +pp8 t1 b256 \\| +tg4 t1 b256 \\|"), lines[6]);
        assertTrue(lines[8].matches("\\| attn_q +\\| +\\d+\\.\\d{3} \\( *\\d+\\.\\d%\\) \\| +\\d+\\.\\d{3} \\( *\\d+\\.\\d%\\) \\|"),
                lines[8]);
        assertTrue(lines[lines.length - 1].matches("\\| total +\\| +\\d+\\.\\d{3} \\(100\\.0%\\) \\| +\\d+\\.\\d{3} \\(100\\.0%\\) \\|"),
                lines[lines.length - 1]);
    }

    static Path adapter() {
        return Shared.file("models/synthetic/stories260K-lora-r4.gguf");
    }

    @Test
    void loraCompareMeasuresEachTestWithoutThenWithTheAdapters() throws Exception {
        CliRun r = CliRun.of("bench", "-m", stories().toString(), "-p", "8", "-n", "4", "-t", "1", "-r", "2",
                "--lora-scaled", adapter() + ":0.5", "--lora-compare", "--json");
        assertEquals(0, r.exitCode(), r.err());
        JsonNode rows = new ObjectMapper().readTree(r.out());
        assertEquals(4, rows.size());
        String[] tests = {"pp", "pp", "tg", "tg"};
        String[] adapters = {"none", "stories260K-lora-r4.gguf:0.5", "none", "stories260K-lora-r4.gguf:0.5"};
        for (int i = 0; i < 4; i++) {
            JsonNode row = rows.get(i);
            assertEquals(adapters[i], row.get("adapter").asText());
            assertEquals(tests[i].equals("pp") ? 8 : 0, row.get("n_prompt").asInt());
            assertEquals(tests[i].equals("tg") ? 4 : 0, row.get("n_gen").asInt());
            if (i % 2 == 0) {
                assertTrue(row.get("ratio_to_no_adapter") == null, "a row without adapters has no ratio");
            } else {
                double expected = row.get("avg_ts").asDouble() / rows.get(i - 1).get("avg_ts").asDouble();
                assertEquals(expected, row.get("ratio_to_no_adapter").asDouble(), 1e-12 * expected);
            }
        }
    }

    @Test
    void adapterColumnAndRatioInTheTable() {
        CliRun r = CliRun.of("bench", "-m", stories().toString(), "-p", "8", "-n", "0", "-t", "1", "-r", "1",
                "--lora", adapter().toString(), "--lora-compare");
        assertEquals(0, r.exitCode(), r.err());
        String[] lines = r.out().split("\n");
        assertEquals(4, lines.length, r.out());
        assertTrue(lines[0].matches("\\| model .*\\| n_batch \\| adapter +\\| +test \\| +t/s \\| vs none \\|"), lines[0]);
        assertTrue(lines[2].matches(".*\\| +256 \\| none +\\| +pp8 \\| +\\d+\\.\\d\\d ± 0\\.00 \\| +\\|"), lines[2]);
        assertTrue(lines[3].matches(".*\\| +256 \\| stories260K-lora-r4\\.gguf +\\| +pp8 \\| +\\d+\\.\\d\\d ± 0\\.00 \\|"
                + " +\\d+\\.\\d{3} \\|"), lines[3]);

        // adapters without --lora-compare: every row with them, no ratio column
        CliRun only = CliRun.of("bench", "-m", stories().toString(), "-p", "8", "-n", "4", "-t", "1", "-r", "1",
                "--lora", adapter().toString(), "--profile");
        assertEquals(0, only.exitCode(), only.err());
        String[] l = only.out().split("\n");
        assertTrue(l[0].matches("\\| model .*\\| adapter +\\| +test \\| +t/s \\|"), l[0]);
        assertTrue(l[2].contains("| stories260K-lora-r4.gguf |") && l[3].contains("| stories260K-lora-r4.gguf |"), only.out());
        assertTrue(l[6].matches("\\| section +\\| +pp8 t1 b256 lora \\| +tg4 t1 b256 lora \\|"), l[6]);
    }

    @Test
    void adapterErrors() {
        String m = stories().toString();
        CliRun r = CliRun.of("bench", "-m", m, "--lora-compare");
        assertEquals(Vireo.EXIT_USAGE, r.exitCode());
        assertArrayEquals(new String[] {"vireo: --lora-compare: no adapters to compare; give them with --lora FILE or"
                + " --lora-scaled FILE:SCALE"}, r.errLines());
        r = CliRun.of("bench", "-m", m, "--lora-scaled", "a.gguf");
        assertEquals(Vireo.EXIT_USAGE, r.exitCode());
        assertArrayEquals(new String[] {"vireo: --lora-scaled: 'a.gguf' has no scale (expected FILE:SCALE, e.g. a.gguf:0.5)"},
                r.errLines());
        r = CliRun.of("bench", "-m", m, "--lora", "no-such-adapter.gguf", "-p", "8", "-n", "0");
        assertEquals(Vireo.EXIT_FAILURE, r.exitCode());
        String[] err = r.errLines();
        assertEquals("vireo: --lora: no such file or folder: no-such-adapter.gguf", err[err.length - 1], r.err());
        assertEquals("", r.out());
        // an adapter for another model: one line naming the tensor, no table
        r = CliRun.of("bench", "-m", Shared.file("models/synthetic/tiny-llama-F32.gguf").toString(), "--lora",
                adapter().toString(), "-p", "8", "-n", "0");
        assertEquals(Vireo.EXIT_FAILURE, r.exitCode());
        err = r.errLines();
        assertTrue(err[err.length - 1].startsWith("vireo: ") && err[err.length - 1].contains("blk.0.attn_q.weight"), r.err());
        assertEquals("", r.out());
    }

    @Test
    void badValues() {
        CliRun r = CliRun.of("bench", "-m", stories().toString(), "-t", "1,0");
        assertEquals(Vireo.EXIT_USAGE, r.exitCode());
        assertArrayEquals(new String[] {"vireo: -t: thread counts must be 1 or more, not 0"}, r.errLines());
        r = CliRun.of("bench", "-m", stories().toString(), "-b", "64,0");
        assertArrayEquals(new String[] {"vireo: -b: batch sizes must be 1 or more, not 0"}, r.errLines());
        r = CliRun.of("bench", "-m", stories().toString(), "-r", "0");
        assertArrayEquals(new String[] {"vireo: -r: repetitions must be 1 or more, not 0"}, r.errLines());
        r = CliRun.of("bench", "-m", Shared.file("models/stories260Ktok512.gguf").toString(), "-p", "512");
        assertEquals(Vireo.EXIT_USAGE, r.exitCode());
        assertArrayEquals(new String[] {"vireo: -p/-n: 512 positions do not fit the model's context of 128"}, r.errLines());
    }
}
