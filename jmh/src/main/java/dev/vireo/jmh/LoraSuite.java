package dev.vireo.jmh;

import dev.vireo.gguf.GgufFile;
import dev.vireo.gguf.GgufTensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatFactory;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs {@link DecodeBenchmark} and {@link PrefillBenchmark} without and with one LoRA adapter and
 * prints {@link LoraTable}. Used by {@code jmh/run-lora.sh}.
 *
 * <p>Each configuration is its own JMH run, in the order threads, phase, then the two arms back
 * to back, so the pair whose ratio is reported shares the machine's load as closely as a shared
 * machine allows; with {@code --rounds N} the whole sequence repeats N times, the arms' order
 * swapped every other round (cancels a steady drift of the load).
 *
 * <p>Command line: JMH's own ({@code -p model=PATH -p adapter=none,ADAPTER -p threads=1,2 -wi 1
 * -i 3 -prof gc ...}) plus {@code --rounds N} and {@code --phases decode,prefill}. JSON of all
 * runs goes to {@code lora.json} (or {@code -rff FILE}).
 */
public final class LoraSuite {
    private LoraSuite() {}

    public static void main(String[] args) throws Exception {
        int rounds = 1;
        List<String> phases = List.of("decode", "prefill");
        List<String> jmhArgs = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rounds" -> rounds = number(value(args, ++i, "--rounds"), "--rounds");
                case "--phases" -> phases = List.of(value(args, ++i, "--phases").split(","));
                default -> jmhArgs.add(args[i]);
            }
        }
        if (rounds < 1 || !List.of("decode", "prefill").containsAll(phases)) {
            fail("--rounds must be 1 or more and --phases a list of decode, prefill");
        }
        CommandLineOptions cli = new CommandLineOptions(jmhArgs.toArray(String[]::new));
        if (!cli.getIncludes().isEmpty()) {
            fail("runs DecodeBenchmark and PrefillBenchmark itself (" + cli.getIncludes() + " given); choose with --phases");
        }
        String model = single(cli, "model");
        if (model == null || !Files.isRegularFile(Path.of(model))) {
            fail("-p model=PATH: a GGUF model is required (" + (model == null ? "none given" : model + " does not exist")
                    + "); e.g. vireo synth --shape llama-3.2-1b --type q4_0 -o 1b-q4_0.gguf");
        }
        List<String> adapters = cli.getParameter("adapter").hasValue()
                ? new ArrayList<>(cli.getParameter("adapter").get()) : List.of();
        adapters.remove("none");
        if (adapters.size() != 1 || !Files.isRegularFile(Path.of(adapters.get(0)))) {
            fail("-p adapter=none,PATH: exactly one adapter file is required (given: " + adapters + ")");
        }
        String adapter = adapters.get(0);
        List<Integer> threads = new ArrayList<>();
        for (String t : cli.getParameter("threads").hasValue() ? cli.getParameter("threads").get() : List.of("1", "2")) {
            threads.add(number(t, "-p threads"));
        }

        LoraTable table = new LoraTable("r" + rank(Path.of(adapter)));
        List<RunResult> all = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            List<String> arms = round % 2 == 0 ? List.of("none", adapter) : List.of(adapter, "none");
            for (int t : threads) {
                for (String phase : phases) {
                    for (String arm : arms) {
                        Class<?> bench = phase.equals("decode") ? DecodeBenchmark.class : PrefillBenchmark.class;
                        Collection<RunResult> r = new Runner(new OptionsBuilder().parent(cli)
                                .include("^" + bench.getName().replace(".", "\\.") + "\\.")
                                .param("threads", Integer.toString(t))
                                .param("adapter", arm)
                                .build()).run();
                        for (RunResult result : r) {
                            all.add(result);
                            table.add(t, phase, !arm.equals("none"), result.getPrimaryResult().getScore());
                        }
                    }
                }
            }
        }
        String file = cli.getResult().orElse("lora.json");
        ResultFormatFactory.getInstance(cli.getResultFormat().orElse(ResultFormatType.JSON), file).writeOut(all);
        System.out.println();
        System.out.printf(Locale.ROOT, "Model %s, adapter %s (%d round%s; results in %s)%n", model, adapter, rounds,
                rounds == 1 ? "" : "s", file);
        System.out.print(table.format());
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length) {
            fail(flag + " needs a value");
        }
        return args[i];
    }

    private static int number(String s, String flag) {
        try {
            return Integer.parseInt(s.strip());
        } catch (NumberFormatException e) {
            fail(flag + ": '" + s + "' is not a whole number");
            return 0;
        }
    }

    private static String single(CommandLineOptions cli, String param) {
        if (!cli.getParameter(param).hasValue() || cli.getParameter(param).get().size() != 1) {
            return null;
        }
        String v = cli.getParameter(param).get().iterator().next();
        return v.isEmpty() ? null : v;
    }

    /** The adapter's rank: ne1 of its first {@code .lora_a} tensor. */
    static long rank(Path adapter) throws IOException {
        try (GgufFile f = GgufFile.open(adapter)) {
            for (GgufTensor t : f.tensors()) {
                if (t.name().endsWith(".lora_a") && t.shape().length == 2) {
                    return t.shape()[1];
                }
            }
        }
        fail(adapter + " has no .lora_a tensor: not a LoRA adapter");
        return 0;
    }

    private static void fail(String message) {
        System.err.println("LoraSuite: " + message);
        System.exit(2);
    }
}
