package dev.vireo.runtime.chat;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A model's own {@code tokenizer.chat_template} rendered by Jinjava with the variables and
 * settings Hugging Face templates are written for: {@code messages}, {@code add_generation_prompt},
 * {@code bos_token}, {@code eos_token}, {@code raise_exception(msg)}, {@code strftime_now(fmt)},
 * blocks trimmed and left-stripped.
 */
final class JinjaTemplate implements ChatTemplate {
    /** Templates print little; a runaway loop should fail, not fill the heap. */
    private static final long MAX_OUTPUT_CHARS = 16L << 20;

    private final String source;
    private final SpecialTokens tokens;
    private final Jinjava jinjava;

    JinjaTemplate(String source, SpecialTokens tokens) {
        this.source = pythonSyntax(source);
        this.tokens = tokens;
        JinjavaConfig config = JinjavaConfig.newBuilder()
                .withElResolver(new PythonStringMethods(JinjavaConfig.newBuilder().build().getElResolver()))
                .withTrimBlocks(true)
                .withLstripBlocks(true)
                .withMaxOutputSize(MAX_OUTPUT_CHARS)
                .withLegacyOverrides(LegacyOverrides.newBuilder()
                        .withUseNaturalOperatorPrecedence(true)
                        .withParseWhitespaceControlStrictly(true)
                        .withUseTrimmingForNotesAndExpressions(true)
                        .build())
                .build();
        this.jinjava = new Jinjava(config);
        jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition(
                "", "raise_exception", JinjaTemplate.class, "raiseException", String.class));
        jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition(
                "", "strftime_now", JinjaTemplate.class, "strftimeNow", String.class));
    }

    /** Jinja2 syntax Jinjava does not parse, rewritten: {@code xs[::-1]} becomes {@code (xs|reverse)}. */
    static String pythonSyntax(String template) {
        return REVERSED_SLICE.matcher(template).replaceAll("($1|reverse)");
    }

    private static final java.util.regex.Pattern REVERSED_SLICE =
            java.util.regex.Pattern.compile("([A-Za-z_][A-Za-z0-9_.]*)\\[\\s*:\\s*:\\s*-1\\s*]");

    @Override
    public String name() {
        return "gguf";
    }

    @Override
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        List<Map<String, Object>> list = new ArrayList<>(messages.size());
        for (ChatMessage m : messages) {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("role", m.role());
            map.put("content", m.content());
            list.add(map);
        }
        Map<String, Object> vars = new HashMap<>();
        vars.put("messages", list);
        vars.put("add_generation_prompt", addGenerationPrompt);
        vars.put("bos_token", tokens.bos());
        vars.put("eos_token", tokens.eos());
        RenderResult result = jinjava.renderForResult(source, vars);
        for (TemplateError e : result.getErrors()) {
            if (e.getSeverity() == TemplateError.ErrorType.FATAL) {
                for (Throwable c = e.getException(); c != null; c = c.getCause()) {
                    if (c instanceof TemplateRefusal refusal) {
                        throw new IllegalArgumentException("the chat template refuses this conversation: "
                                + refusal.getMessage());
                    }
                }
                throw new IllegalArgumentException("chat template (tokenizer.chat_template) failed at line "
                        + e.getLineno() + ": " + firstLine(e.getMessage()));
            }
        }
        return result.getOutput();
    }

    @Override
    public String toString() {
        return "the model's chat template (Jinja)";
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unknown error";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** Jinja {@code raise_exception(msg)}: templates call it to refuse a conversation. */
    public static String raiseException(String message) {
        throw new TemplateRefusal(message);
    }

    /** Thrown by raise_exception; Jinjava wraps it, render() finds it to report the template's words. */
    static final class TemplateRefusal extends RuntimeException {
        TemplateRefusal(String message) {
            super(message, null, false, false);
        }
    }

    /** Jinja {@code strftime_now(fmt)} for the common directives (Llama 3.x prints today's date). */
    public static String strftimeNow(String format) {
        LocalDate today = LocalDate.now();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%' || i + 1 == format.length()) {
                sb.append(c);
                continue;
            }
            char d = format.charAt(++i);
            sb.append(switch (d) {
                case 'd' -> String.format(Locale.ROOT, "%02d", today.getDayOfMonth());
                case 'm' -> String.format(Locale.ROOT, "%02d", today.getMonthValue());
                case 'Y' -> Integer.toString(today.getYear());
                case 'y' -> String.format(Locale.ROOT, "%02d", today.getYear() % 100);
                case 'b' -> today.format(DateTimeFormatter.ofPattern("MMM", Locale.ENGLISH));
                case 'B' -> today.format(DateTimeFormatter.ofPattern("MMMM", Locale.ENGLISH));
                case 'a' -> today.format(DateTimeFormatter.ofPattern("EEE", Locale.ENGLISH));
                case 'A' -> today.format(DateTimeFormatter.ofPattern("EEEE", Locale.ENGLISH));
                case '%' -> "%";
                default -> "%" + d;
            });
        }
        return sb.toString();
    }
}
