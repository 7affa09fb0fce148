package dev.vireo.runtime.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vireo.gguf.GgufFile;
import dev.vireo.testing.Shared;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Templates rendered by Jinjava must give exactly what the built-in formats write. */
class JinjaTemplateTest {
    /** ChatML written the way Hugging Face templates are (trim_blocks / lstrip_blocks matter). */
    static final String CHATML = """
            {% for message in messages %}
            {{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}
            {% if add_generation_prompt %}
            {{ '<|im_start|>assistant\\n' }}{% endif %}
            """;

    /** A Llama 3 style template using filters, attribute access and bos_token. */
    static final String LLAMA3 = """
            {{- bos_token }}
            {%- for message in messages %}
                {{- '<|start_header_id|>' + message.role + '<|end_header_id|>\\n\\n' + message['content'] | trim + '<|eot_id|>' }}
            {%- endfor %}
            {%- if add_generation_prompt %}
                {{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}
            {%- endif %}""";

    @Test
    void chatmlTemplateEqualsBuiltin() {
        ChatTemplate jinja = new JinjaTemplate(CHATML, SpecialTokens.NONE);
        ChatTemplate builtin = BuiltinTemplate.CHATML.with(SpecialTokens.NONE);
        assertEquals(builtin.render(BuiltinTemplateTest.CONVERSATION, true), jinja.render(BuiltinTemplateTest.CONVERSATION, true));
        assertEquals(builtin.render(BuiltinTemplateTest.CONVERSATION, false), jinja.render(BuiltinTemplateTest.CONVERSATION, false));
    }

    @Test
    void llama3TemplateEqualsBuiltin() {
        SpecialTokens t = new SpecialTokens("<|begin_of_text|>", "<|eot_id|>");
        List<ChatMessage> c = new ArrayList<>(BuiltinTemplateTest.CONVERSATION);
        c.set(1, ChatMessage.user("  Hi \n"));   // trimmed by both
        assertEquals(BuiltinTemplate.LLAMA3.with(t).render(c, true), new JinjaTemplate(LLAMA3, t).render(c, true));
    }

    @Test
    void phi3TemplateFromARealGgufEqualsBuiltin() throws Exception {
        try (GgufFile f = GgufFile.open(Shared.file("models/vocab/ggml-vocab-phi-3.gguf"))) {
            ChatTemplate t = ChatTemplates.forModel(f.metadata(), w -> { throw new AssertionError(w); });
            assertEquals("gguf", t.name());
            // That template ignores system messages and always opens an assistant turn after a user turn.
            List<ChatMessage> c = BuiltinTemplateTest.CONVERSATION.subList(1, 4);
            String expected = BuiltinTemplate.PHI3.with(new SpecialTokens("<s>", "<|endoftext|>")).render(c, true);
            assertEquals(expected, t.render(c, true));
            assertTrue(expected.startsWith("<s><|user|>\nHi<|end|>\n<|assistant|>\nHello.<|end|>\n"), expected);
        }
    }

    @Test
    void raiseExceptionRefusesTheConversation() {
        String strict = "{% if messages[0]['role'] == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}"
                + "{% for m in messages %}{{ m['content'] }}{% endfor %}";
        JinjaTemplate t = new JinjaTemplate(strict, SpecialTokens.NONE);
        assertEquals("ab", t.render(List.of(ChatMessage.user("a"), ChatMessage.assistant("b")), true));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> t.render(BuiltinTemplateTest.CONVERSATION, true));
        assertTrue(e.getMessage().contains("System role not supported"), e.getMessage());
    }

    @Test
    void strftimeNowFormatsToday() {
        String s = JinjaTemplate.strftimeNow("%d %b %Y");
        assertTrue(s.matches("\\d\\d [A-Z][a-z]{2} \\d{4}"), s);
    }

    /** Features real templates lean on: slicing, set, namespace, loop.first, is defined, filters. */
    static final String LLAMA3_WITH_SYSTEM_SPLIT = """
            {%- if messages[0]['role'] == 'system' %}
                {%- set system_message = messages[0]['content'] | trim %}
                {%- set messages = messages[1:] %}
            {%- else %}
                {%- set system_message = "" %}
            {%- endif %}
            {{- bos_token }}
            {%- if system_message %}
                {{- '<|start_header_id|>system<|end_header_id|>\\n\\n' + system_message + '<|eot_id|>' }}
            {%- endif %}
            {%- for message in messages %}
                {%- if loop.first and message.role != 'user' %}{{ raise_exception('first turn must be the user') }}{% endif %}
                {{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n' + message['content'] | trim + '<|eot_id|>' }}
            {%- endfor %}
            {%- if add_generation_prompt is defined and add_generation_prompt %}
                {{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}
            {%- endif %}""";

    static final String CHATML_DEFAULT_SYSTEM = """
            {%- set ns = namespace(has_system=false) %}
            {%- for m in messages %}{% if m.role == 'system' %}{% set ns.has_system = true %}{% endif %}{% endfor %}
            {%- if not ns.has_system %}{{- '<|im_start|>system\\nYou are terse.<|im_end|>\\n' }}{% endif %}
            {%- for m in messages %}
                {{- '<|im_start|>' ~ m.role ~ '\\n' ~ m.content ~ '<|im_end|>\\n' }}
            {%- endfor %}
            {%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{% endif %}""";

    @Test
    void slicingSetAndLoopFirstAsInLlama3Templates() {
        SpecialTokens t = new SpecialTokens("<|begin_of_text|>", "<|eot_id|>");
        JinjaTemplate jinja = new JinjaTemplate(LLAMA3_WITH_SYSTEM_SPLIT, t);
        assertEquals(BuiltinTemplate.LLAMA3.with(t).render(BuiltinTemplateTest.CONVERSATION, true),
                jinja.render(BuiltinTemplateTest.CONVERSATION, true));
        assertThrows(IllegalArgumentException.class, () -> jinja.render(List.of(ChatMessage.assistant("x")), true));
    }

    @Test
    void namespaceAsInQwenTemplates() {
        JinjaTemplate jinja = new JinjaTemplate(CHATML_DEFAULT_SYSTEM, SpecialTokens.NONE);
        ChatTemplate builtin = BuiltinTemplate.CHATML.with(SpecialTokens.NONE);
        // Without a system turn the template adds its default one, which here equals CONVERSATION's.
        List<ChatMessage> noSystem = BuiltinTemplateTest.CONVERSATION.subList(1, 4);
        assertEquals(builtin.render(BuiltinTemplateTest.CONVERSATION, true), jinja.render(noSystem, true));
        assertEquals(builtin.render(BuiltinTemplateTest.CONVERSATION, true), jinja.render(BuiltinTemplateTest.CONVERSATION, true));
    }

    /** Python str methods and xs[::-1], as templates written for Jinja2 use them (values as Python gives them). */
    @Test
    void pythonStringMethodsAndReversedSlices() {
        String tpl = "{% for m in messages[::-1] %}[{{ loop.index0 }} {{ m.role.upper() }}"
                + " {{ m.content.startswith('<think>') }} {{ m.content.startswith(['x', ' H']) }}"
                + " '{{ m.content.split('</think>')[-1].strip() }}' '{{ m.content.rstrip('\\n ') }}'"
                + " {{ m.content.split() | length }} {{ m.content.count('o') }} '{{ m.content.lstrip().title() }}']{% endfor %}";
        JinjaTemplate t = new JinjaTemplate(tpl, SpecialTokens.NONE);
        String out = t.render(List.of(ChatMessage.user(" Hello world \n"), ChatMessage.assistant("<think>hmm</think> ok")), false);
        assertEquals("[0 ASSISTANT true false 'ok' '<think>hmm</think> ok' 2 1 '<Think>Hmm</Think> Ok']"
                + "[1 USER false true 'Hello world' ' Hello world' 2 2 'Hello World \n']", out);
    }

    @Test
    void reversedSliceRewriteLeavesOtherSlicesAlone() {
        assertEquals("{% for m in (messages|reverse) %}{{ messages[1:] }}{{ (a.b|reverse) }}",
                JinjaTemplate.pythonSyntax("{% for m in messages[::-1] %}{{ messages[1:] }}{{ a.b[ : : -1 ] }}"));
    }
}
