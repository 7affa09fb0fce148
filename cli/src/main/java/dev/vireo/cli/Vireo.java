package dev.vireo.cli;

import java.io.Console;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IFactory;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The {@code vireo} command line: picocli commands over the Vireo runtime.
 *
 * <p>Exit codes: 0 success, 1 a failure reported as one line on stderr (missing file, bad GGUF,
 * unsupported model, prompt too long...), 2 a usage error (unknown flag, bad flag value).
 */
@Command(name = "vireo",
        mixinStandardHelpOptions = true,
        versionProvider = VersionInfo.class,
        description = "LLM inference on the CPU in pure Java (GGUF models, Vector API kernels, fused LoRA).",
        subcommands = {RunCommand.class, ChatCommand.class, BenchCommand.class, InfoCommand.class, TokenizeCommand.class,
            SynthCommand.class, LoraCommand.class, CommandLine.HelpCommand.class})
public final class Vireo implements Runnable {
    static final int EXIT_FAILURE = 1;
    static final int EXIT_USAGE = 2;

    @Option(names = "--verbose", scope = ScopeType.INHERIT,
            description = "On an error, print the full stack trace too.")
    boolean verbose;

    private final Io io;

    Vireo(Io io) {
        this.io = io;
    }

    @Override
    public void run() {
        // `vireo` alone: show what there is.
        new CommandLine(this).usage(io.err());
    }

    public static void main(String[] args) {
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        Console console = System.console();
        boolean terminal = console != null && console.isTerminal();
        int code = run(args, new Io(System.in, out, err, terminal));
        out.flush();
        err.flush();
        System.exit(code);
    }

    /** Runs one command line against the given streams and returns the exit code. */
    static int run(String[] args, Io io) {
        boolean verbose = Arrays.asList(args).contains("--verbose");
        CommandLine cl = new CommandLine(new Vireo(io), new IoFactory(io));
        cl.setOut(new PrintWriter(io.out(), true));
        cl.setErr(new PrintWriter(io.err(), true));
        cl.setParameterExceptionHandler((ex, a) -> {
            io.err().println("vireo: " + ex.getMessage().strip().replace('\n', ' ')
                    + " (see 'vireo " + commandPath(ex.getCommandLine()) + "--help')");
            if (verbose) {
                ex.printStackTrace(io.err());
            }
            return EXIT_USAGE;
        });
        cl.setExecutionExceptionHandler((ex, c, parseResult) -> {
            io.err().println(ErrorLine.of(ex));
            if (verbose) {
                ex.printStackTrace(io.err());
            }
            return ex instanceof UsageException ? EXIT_USAGE : EXIT_FAILURE;
        });
        int code;
        try {
            code = cl.execute(args);
        } catch (Error e) {
            // OutOfMemoryError and friends pass picocli's handler (it catches Exceptions only).
            io.err().println(ErrorLine.of(e));
            if (verbose) {
                e.printStackTrace(io.err());
            }
            code = EXIT_FAILURE;
        }
        io.out().flush();
        io.err().flush();
        return code;
    }

    private static String commandPath(CommandLine c) {
        StringBuilder sb = new StringBuilder();
        for (CommandLine p = c; p != null && p.getParent() != null; p = p.getParent()) {
            sb.insert(0, p.getCommandName() + " ");
        }
        return sb.toString();
    }

    /** Creates commands with the {@link Io} they print to, when they take one. */
    private record IoFactory(Io io) implements IFactory {
        @Override
        public <K> K create(Class<K> cls) throws Exception {
            try {
                var ctor = cls.getDeclaredConstructor(Io.class);
                ctor.setAccessible(true);
                return ctor.newInstance(io);
            } catch (NoSuchMethodException e) {
                return CommandLine.defaultFactory().create(cls);
            }
        }
    }
}
