package dev.vireo.cli;

import dev.vireo.runtime.ContextOverflowException;
import dev.vireo.runtime.GenerationParams;
import dev.vireo.runtime.GenerationResult;
import dev.vireo.runtime.Model;
import dev.vireo.runtime.Session;
import dev.vireo.runtime.StopReason;
import dev.vireo.runtime.chat.ChatTemplate;
import dev.vireo.runtime.chat.ChatTemplates;
import dev.vireo.runtime.chat.Conversation;
import dev.vireo.runtime.lora.AdapterUse;
import dev.vireo.runtime.tokenizer.Tokenizer;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * `vireo chat`: a multi-turn conversation with the model's chat template. The KV cache is kept
 * between turns, so each turn prefills only its new text.
 */
@Command(name = "chat", mixinStandardHelpOptions = true,
        description = {"Talk with a model. The prompt is built with the model's own chat template"
                + " (tokenizer.chat_template, rendered with Jinja), or a built-in one; a model without"
                + " one (e.g. stories260K) just continues the text.",
            "Ctrl-C stops an answer, Ctrl-D or /exit quits, /help lists the commands. Reads piped input too."})
final class ChatCommand implements Callable<Integer> {
    static final String HELP = """
            /help               this list
            /exit, /quit        leave (Ctrl-D too)
            /reset              forget the conversation (the system prompt stays)
            /system TEXT        set the system prompt (empty: remove it); applies from the next turn
            /lora               list the adapters and their scales
            /lora N SCALE       set adapter N's scale (0 = off); clears the cache, the next turn re-reads the conversation
            /stats              tokens, speed and context used
            /speed on|off       show the speed after each answer""";

    @Mixin
    ModelOptionsMixin model;

    @Mixin
    SamplingOptions sampling;

    @Mixin
    LoraOptions lora;

    @Option(names = {"-sys", "--system-prompt"}, paramLabel = "TEXT", description = "The system prompt.")
    String systemPrompt;

    @Option(names = "--chat-template", paramLabel = "NAME",
            description = "Use a built-in template instead of the model's: llama3, chatml, llama2, gemma, phi3, plain.")
    String templateName;

    @Option(names = "--no-speed", description = "Do not print tokens/s after each answer.")
    boolean noSpeed;

    private final Io io;
    private Session session;
    private Tokenizer tokenizer;
    private Conversation conversation;
    private List<AdapterUse> adapters;
    private boolean showSpeed;
    private boolean spmPrefix;
    private String bosText;
    // Totals for /stats.
    private int answers;
    private long generatedTokens;
    private long promptTokens;
    private long generateNanos;
    private long promptNanos;
    private GenerationResult last;

    ChatCommand(Io io) {
        this.io = io;
    }

    @Override
    public Integer call() throws Exception {
        GenerationParams params = sampling.params();
        lora.specs(); // flag syntax is checked before the model loads
        model.validate();
        showSpeed = !noSpeed;
        long t0 = System.nanoTime();
        try (Model m = model.load(); Session s = model.open(m, io, System.nanoTime() - t0);
                ChatInput input = io.interactive() ? ChatInput.terminal() : ChatInput.plain(io.in())) {
            session = s;
            tokenizer = m.tokenizer();
            adapters = new ArrayList<>(lora.load(m));
            s.setAdapters(adapters);
            ChatTemplate template = templateName != null
                    ? ChatTemplates.builtin(templateName, m.file().metadata())
                    : ChatTemplates.forModel(m.file().metadata(), w -> io.err().println("vireo: " + w));
            conversation = new Conversation(template);
            conversation.setSystemPrompt(systemPrompt);
            spmPrefix = Prompts.spmDummyPrefix(m);
            bosText = tokenizer.bosId() >= 0 ? tokenizer.tokenText(tokenizer.bosId()) : "";
            io.err().println("vireo: chat template: " + template + "; /help for commands, /exit or Ctrl-D to quit");
            input.onInterrupt(s::cancel);
            loop(input, params);
        }
        return 0;
    }

    private void loop(ChatInput input, GenerationParams params) throws Exception {
        while (true) {
            String line;
            try {
                line = input.readLine();
            } catch (ChatInput.Interrupted e) {
                io.err().println("(Ctrl-D or /exit to quit)");
                continue;
            }
            if (line == null) {
                return;
            }
            if (line.isBlank()) {
                continue;
            }
            if (line.startsWith("/")) {
                if (!command(line.strip())) {
                    return;
                }
                continue;
            }
            answer(line, params);
        }
    }

    /** Runs a /command; false means quit. */
    private boolean command(String line) {
        String[] parts = line.split("\\s+", 2);
        String arg = parts.length > 1 ? parts[1].strip() : "";
        PrintStream err = io.err();
        switch (parts[0]) {
            case "/exit", "/quit" -> {
                return false;
            }
            case "/help" -> err.println(HELP);
            case "/reset" -> {
                conversation.reset();
                session.reset();
                err.println("(conversation cleared)");
            }
            case "/system" -> {
                conversation.setSystemPrompt(arg);
                err.println(arg.isEmpty() ? "(system prompt removed)" : "(system prompt set)");
            }
            case "/lora" -> lora(arg);
            case "/stats" -> err.println(stats());
            case "/speed" -> {
                switch (arg) {
                    case "on" -> showSpeed = true;
                    case "off" -> showSpeed = false;
                    default -> err.println("usage: /speed on|off");
                }
            }
            default -> err.println("unknown command " + parts[0] + " (/help lists them)");
        }
        return true;
    }

    private void lora(String arg) {
        PrintStream err = io.err();
        if (arg.isEmpty()) {
            if (adapters.isEmpty()) {
                err.println("(no adapters: start with --lora FILE or --lora-scaled FILE:SCALE)");
            }
            for (int i = 0; i < adapters.size(); i++) {
                AdapterUse u = adapters.get(i);
                err.printf(Locale.ROOT, "%d: %s  scale %.3g%n", i + 1, u.adapter().describe(), u.scale());
            }
            return;
        }
        String[] p = arg.split("\\s+");
        try {
            int n = Integer.parseInt(p[0]);
            float scale = Float.parseFloat(p[1]);
            if (n < 1 || n > adapters.size() || !Float.isFinite(scale)) {
                throw new NumberFormatException();
            }
            adapters.set(n - 1, new AdapterUse(adapters.get(n - 1).adapter(), scale));
            session.setAdapters(adapters);   // clears the KV cache
            conversation.cacheCleared();
            err.printf(Locale.ROOT, "(adapter %d at scale %.3g; the conversation is re-read on the next turn)%n", n, scale);
        } catch (RuntimeException e) {
            err.println("usage: /lora N SCALE with N from 1 to " + adapters.size());
        }
    }

    private void answer(String userText, GenerationParams params) {
        Conversation.Turn turn;
        try {
            turn = conversation.userTurn(userText);
        } catch (IllegalArgumentException e) {
            // The template refused the conversation (e.g. a system prompt it does not support).
            conversation.abandonTurn();
            io.err().println("vireo: " + e.getMessage());
            return;
        }
        if (turn.restart()) {
            session.reset();
        }
        int[] tokens = encode(turn.text(), session.position() == 0);
        PrintingListener out = new PrintingListener(io.out());
        GenerationResult r;
        try {
            r = session.generate(tokens, params, out);
        } catch (ContextOverflowException e) {
            conversation.abandonTurn();
            session.reset();
            io.err().println("vireo: " + e.getMessage() + " (the conversation was cleared; /reset is implied)");
            return;
        }
        conversation.assistantTurn(out.text());
        out.finish(true);
        last = r;
        answers++;
        generatedTokens += r.generatedTokens();
        promptTokens += r.promptTokens();
        generateNanos += r.generateNanos();
        promptNanos += r.promptNanos();
        if (r.stopReason() == StopReason.CANCELLED) {
            io.err().println("(stopped)");
        } else if (r.stopReason() == StopReason.CONTEXT_FULL) {
            io.err().println("(the context is full: /reset to start again)");
        }
        if (showSpeed) {
            io.err().printf(Locale.ROOT, "[%d tokens, %.1f tok/s | prompt %d tokens, %.1f tok/s | context %d/%d]%n",
                    r.generatedTokens(), r.generatedTokensPerSecond(), r.promptTokens(), r.promptTokensPerSecond(),
                    session.position(), session.contextLength());
        }
    }

    /**
     * Tokens of a turn's text. The first text of a context gets BOS unless the template already
     * wrote it; a later one that starts with a space loses it, because SentencePiece puts its
     * own space in front of the text.
     */
    private int[] encode(String text, boolean first) {
        boolean templateWroteBos = !bosText.isEmpty() && text.startsWith(bosText);
        if (!first && spmPrefix && text.startsWith(" ")) {
            text = text.substring(1);
        }
        return tokenizer.encode(text, first && !templateWroteBos, true);
    }

    private String stats() {
        double tg = generateNanos == 0 ? 0 : generatedTokens * 1e9 / generateNanos;
        double pp = promptNanos == 0 ? 0 : promptTokens * 1e9 / promptNanos;
        return String.format(Locale.ROOT,
                "answers %d | generated %d tokens, %.1f tok/s | prompt %d tokens, %.1f tok/s | context %d/%d used%s",
                answers, generatedTokens, tg, promptTokens, pp, session.position(), session.contextLength(),
                last == null ? "" : " | last answer: " + Prompts.speed(last));
    }
}
