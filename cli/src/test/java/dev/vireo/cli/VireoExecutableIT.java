package dev.vireo.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vireo.testing.Shared;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built single-file executable (cli/target/vireo: shell stub + jar), run as a user runs it:
 * a separate process, stdout and stderr apart. Runs in the integration-test phase, after package.
 */
class VireoExecutableIT {
    static Path exe;

    @TempDir
    Path tmp;

    @BeforeAll
    static void findExecutable() {
        String p = System.getProperty("vireo.executable");
        exe = p == null ? null : Path.of(p);
        if (exe == null || !Files.isExecutable(exe)) {
            String msg = "SKIPPED: the executable " + p + " is not built (run `./mvnw verify` or package first)";
            System.err.println(msg);
            assumeTrue(false, msg);
        }
    }

    record Result(int exitCode, String out, String err) {
        List<String> errLines() {
            return err.lines().filter(l -> !l.startsWith("WARNING: Using incubator modules")).toList();
        }
    }

    static Result run(String stdin, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(exe.toString());
        cmd.addAll(Arrays.asList(args));
        return exec(cmd, stdin);
    }

    static Result exec(List<String> cmd, String stdin) throws IOException, InterruptedException {
        Path out = Files.createTempFile("vireo-out", ".txt");
        Path err = Files.createTempFile("vireo-err", ".txt");
        try {
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "vireo " + cmd + " did not finish in 120 s");
            return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    @Test
    void versionKeepsStdoutClean() throws Exception {
        Result r = run("", "--version");
        assertEquals(0, r.exitCode(), r.err());
        String[] lines = r.out().split("\n");
        assertEquals(2, lines.length, r.out());
        assertTrue(lines[0].startsWith("vireo 0."), r.out());
        assertTrue(lines[1].contains("SIMD"), "the stub adds jdk.incubator.vector: " + r.out());
        assertEquals(List.of(), r.errLines(), "only the JDK's incubator notice on stderr");
    }

    /** A JAVA_HOME that is not a JDK 25 does not stop the stub: it looks in the usual folders next. */
    @Test
    void stubLooksFurtherWhenJavaHomeIsUnusable() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(exe.toString(), "--version");
        pb.environment().put("JAVA_HOME", tmp.resolve("no-jdk-here").toString());
        pb.environment().put("PATH", "/usr/bin:/bin");
        Path out = tmp.resolve("out.txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        String found = System.getProperty("java.home");
        boolean usualPlace = found.startsWith("/usr/lib/jvm/") || found.startsWith("/opt/") || found.startsWith("/usr/java/");
        assumeTrue(usualPlace, "SKIPPED: this JDK (" + found + ") is not in a folder the stub searches");
        assertEquals(0, p.exitValue());
        assertTrue(Files.readString(out).startsWith("vireo 0."), Files.readString(out));
    }

    @Test
    void theFileIsAlsoAPlainJar() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Result r = exec(List.of(java, "-jar", exe.toString(), "--version"), "");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().startsWith("vireo 0."), r.out());
        assertTrue(r.out().contains("scalar fallback"), "without the flag the kernels fall back: " + r.out());
    }

    @Test
    void infoOnStories260K() throws Exception {
        Path model = Shared.file("models/stories260K.gguf");
        Result r = run("", "info", model.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("architecture:  llama"), r.out());
        assertTrue(r.out().contains("tensors (48):"), r.out());
        assertTrue(r.out().contains("metadata (19 keys):"), r.out());
        assertEquals(List.of(), r.errLines());
    }

    @Test
    void truncatedFileIsOneLineAndExitCode1() throws Exception {
        Path model = Shared.file("models/stories260K.gguf");
        Path cut = tmp.resolve("cut.gguf");
        Files.write(cut, Arrays.copyOf(Files.readAllBytes(model), 700));
        Result r = run("", "info", cut.toString());
        assertEquals(1, r.exitCode());
        assertEquals("", r.out());
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.errLines().getFirst().startsWith("vireo: not a valid GGUF file: " + cut), r.err());
    }

    @Test
    void badFlagIsOneLineAndExitCode2() throws Exception {
        Result r = run("", "synth", "--shape", "tiny", "--seed", "abc", "-o", tmp.resolve("x.gguf").toString());
        assertEquals(2, r.exitCode());
        assertArrayEquals(new String[] {"vireo: Invalid value for option '--seed': 'abc' is not a long (see 'vireo synth --help')"},
                r.errLines().toArray());
    }

    @Test
    void runGreedyIsThePublishedStory() throws Exception {
        Path model = Shared.file("models/stories260K.gguf");
        String expected = Files.readString(Shared.file("reference/stories260K/stories260K_greedy_256.txt"));
        Result r = run("", "run", "-m", model.toString(), "--temp", "0", "-n", "256", "-p", "", "-t", "1");
        assertEquals(0, r.exitCode(), r.err());
        assertEquals(expected, r.out());
        assertEquals(2, r.errLines().size(), "load line and speed line: " + r.err());
        assertTrue(r.errLines().get(0).contains("Vector API"), "the stub enables the Vector API: " + r.err());
    }

    @Test
    void chatFromAPipeGivesTwoAnswersAndExits() throws Exception {
        Path model = Shared.file("models/stories260K.gguf");
        Result r = run("Once upon a time\nThe end\n", "chat", "-m", model.toString(), "--temp", "0", "-n", "16", "-t", "1");
        assertEquals(0, r.exitCode(), r.err());
        List<String> answers = r.out().lines().toList();
        assertEquals(2, answers.size(), r.out());
        assertEquals(ChatCommandTest.llamaCppGreedy(16), answers.get(0));
    }

    @Test
    void benchWithAdapterComparedProfiledAndBatched() throws Exception {
        Path model = Shared.file("models/stories260K.gguf");
        Path adapter = Shared.file("models/synthetic/stories260K-lora-r4.gguf");
        Result r = run("", "bench", "-m", model.toString(), "-p", "8", "-n", "4", "-t", "1", "-r", "1", "-b", "4",
                "--lora", adapter.toString(), "--lora-compare", "--profile");
        assertEquals(0, r.exitCode(), r.err());
        List<String> out = r.out().lines().toList();
        // bench table: header, rule, pp8 none/lora, tg4 none/lora; blank line; profile: title, header, rule,
        // 12 sections, total
        assertEquals(6 + 1 + 3 + 12 + 1, out.size(), r.out());
        assertTrue(out.get(0).contains("| n_batch | adapter") && out.get(0).endsWith("| vs none |"), out.get(0));
        assertTrue(out.get(3).contains("| stories260K-lora-r4.gguf |") && out.get(3).contains("pp8"), out.get(3));
        assertTrue(out.get(5).contains("| stories260K-lora-r4.gguf |") && out.get(5).contains("tg4"), out.get(5));
        assertTrue(out.get(8).contains("pp8 t1 b4 ") && out.get(8).contains("tg4 t1 b4 lora"), out.get(8));
        assertTrue(out.getLast().startsWith("| total "), out.getLast());
        assertTrue(r.errLines().stream().allMatch(l -> l.startsWith("vireo: ")), r.err());
    }

    @Test
    void tokenizeIds() throws Exception {
        Path model = Shared.file("models/stories260K.gguf");
        Result r = run("", "tokenize", "-m", model.toString(), "--ids", "Once upon a time");
        assertEquals(0, r.exitCode(), r.err());
        assertEquals("1 403 407 261 378\n", r.out());
    }

    @Test
    void synthTinyThenRunIt() throws Exception {
        Path out = tmp.resolve("tiny.gguf");
        Result s = run("", "synth", "--shape", "tiny", "--type", "q8_0", "-o", out.toString());
        assertEquals(0, s.exitCode(), s.err());
        Result r = run("", "run", "-m", out.toString(), "-p", "Hello", "-n", "8", "-s", "1", "-t", "1");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.errLines().getLast().matches("vireo: prompt \\d+ tokens, .* \\| generated \\d+ tokens, .*"), r.err());
    }

    @Test
    void promptLongerThanTheContextIsOneErrorLine() throws Exception {
        Path model = Shared.file("models/stories260Ktok512.gguf");
        Result r = run("Once upon a time there was a dog. ".repeat(30), "run", "-m", model.toString(), "-t", "1");
        assertEquals(1, r.exitCode());
        assertEquals("", r.out());
        assertEquals(2, r.errLines().size(), r.err());
        assertTrue(r.errLines().get(1).startsWith("vireo: "), r.err());
    }
}
