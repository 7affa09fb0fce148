package dev.vireo.cli;

import dev.vireo.gguf.GgufFile;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** `vireo info FILE [--json]`: header, key hyperparameters, all metadata, tensor table, totals. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Show a GGUF file: version, architecture, hyperparameters, all metadata (long arrays"
                + " summarised), the tensor table and totals (parameters, bytes, bits per weight).")
final class InfoCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "The GGUF file.")
    Path file;

    @Option(names = "--json", description = "Print JSON instead of the text report.")
    boolean json;

    private final Io io;

    InfoCommand(Io io) {
        this.io = io;
    }

    @Override
    public Integer call() throws Exception {
        Files2.requireFile(file, "FILE");
        try (GgufFile gguf = GgufFile.open(file)) {
            GgufReport report = new GgufReport(gguf);
            if (json) {
                report.printJson(io.out());
            } else {
                report.printText(io.out());
            }
        }
        return 0;
    }
}
