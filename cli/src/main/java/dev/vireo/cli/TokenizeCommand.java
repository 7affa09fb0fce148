package dev.vireo.cli;

import dev.vireo.gguf.GgufFile;
import dev.vireo.runtime.tokenizer.Tokenizer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** `vireo tokenize`: token ids of a text, like llama-tokenize (the model's tensors are not needed). */
@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = {"Print the token ids of a text, space-separated on one line; without --ids also one line per"
                + " token with its piece.", "Works on vocab-only GGUF files too."})
final class TokenizeCommand implements Callable<Integer> {
    @Option(names = {"-m", "--model"}, required = true, paramLabel = "FILE", description = "The GGUF model or vocabulary.")
    Path model;

    @Option(names = "--no-bos", description = "Do not add BOS (or the other tokens the model adds by itself).")
    boolean noBos;

    @Option(names = "--ids", description = "Print only the ids line.")
    boolean idsOnly;

    @Option(names = "--parse-special", description = "Recognise control tokens written in the text (e.g. <|im_start|>).")
    boolean parseSpecial;

    @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "Read the text from a file (UTF-8).")
    Path file;

    @Parameters(index = "0", arity = "0..1", paramLabel = "TEXT", description = "The text (or use --file).")
    String text;

    private final Io io;

    TokenizeCommand(Io io) {
        this.io = io;
    }

    @Override
    public Integer call() throws Exception {
        if ((text == null) == (file == null)) {
            throw new UsageException("tokenize: give either TEXT or --file FILE");
        }
        String input = text;
        if (file != null) {
            Files2.requireFile(file, "--file");
            input = Files.readString(file, StandardCharsets.UTF_8);
        }
        Files2.requireFile(model, "-m");
        try (GgufFile gguf = GgufFile.open(model)) {
            Tokenizer tok = Tokenizer.fromMetadata(gguf.metadata());
            int[] ids = tok.encode(input, !noBos, parseSpecial);
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < ids.length; i++) {
                line.append(i == 0 ? "" : " ").append(ids[i]);
            }
            io.out().println(line);
            if (!idsOnly) {
                for (int id : ids) {
                    io.out().printf("%6d -> '%s'%n", id, printable(tok.tokenBytes(id, true)));
                }
            }
        }
        return 0;
    }

    /** UTF-8 text as is; bytes that are not (part of) valid UTF-8, and control characters, as \xNN. */
    static String printable(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        int i = 0;
        while (i < bytes.length) {
            int b = bytes[i] & 0xff;
            int len = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xe ? 3 : (b >> 3) == 0x1e ? 4 : 0;
            boolean valid = len > 0 && i + len <= bytes.length;
            for (int k = 1; valid && k < len; k++) {
                valid = (bytes[i + k] & 0xc0) == 0x80;
            }
            if (!valid) {
                sb.append(String.format("\\x%02x", b));
                i++;
            } else if (len == 1 && (b < 0x20 || b == 0x7f)) {
                sb.append(switch (b) {
                    case '\n' -> "\\n";
                    case '\t' -> "\\t";
                    case '\r' -> "\\r";
                    default -> String.format("\\x%02x", b);
                });
                i++;
            } else {
                sb.append(new String(bytes, i, len, StandardCharsets.UTF_8));
                i += len;
            }
        }
        return sb.toString();
    }
}
