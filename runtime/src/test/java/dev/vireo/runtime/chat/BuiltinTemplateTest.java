package dev.vireo.runtime.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The built-in formats against the prompt layouts their model families publish. */
class BuiltinTemplateTest {
    static final List<ChatMessage> CONVERSATION = List.of(
            ChatMessage.system("You are terse."),
            ChatMessage.user("Hi"),
            ChatMessage.assistant("Hello."),
            ChatMessage.user("Name a colour"));

    @Test
    void llama3() {
        String s = BuiltinTemplate.LLAMA3.with(new SpecialTokens("<|begin_of_text|>", "<|eot_id|>")).render(CONVERSATION, true);
        assertEquals("<|begin_of_text|>"
                + "<|start_header_id|>system<|end_header_id|>\n\nYou are terse.<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\nHello.<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nName a colour<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\n", s);
    }

    @Test
    void chatml() {
        String s = BuiltinTemplate.CHATML.with(SpecialTokens.NONE).render(CONVERSATION, true);
        assertEquals("<|im_start|>system\nYou are terse.<|im_end|>\n"
                + "<|im_start|>user\nHi<|im_end|>\n"
                + "<|im_start|>assistant\nHello.<|im_end|>\n"
                + "<|im_start|>user\nName a colour<|im_end|>\n"
                + "<|im_start|>assistant\n", s);
        assertEquals("<|im_start|>user\nHi<|im_end|>\n",
                BuiltinTemplate.CHATML.with(SpecialTokens.NONE).render(List.of(ChatMessage.user("Hi")), false));
    }

    @Test
    void llama2() {
        String s = BuiltinTemplate.LLAMA2.with(new SpecialTokens("<s>", "</s>")).render(CONVERSATION, true);
        assertEquals("<s>[INST] <<SYS>>\nYou are terse.\n<</SYS>>\n\nHi [/INST] Hello. </s>"
                + "<s>[INST] Name a colour [/INST]", s);
    }

    @Test
    void gemma() {
        String s = BuiltinTemplate.GEMMA.with(new SpecialTokens("<bos>", "<eos>")).render(CONVERSATION, true);
        assertEquals("<bos><start_of_turn>user\nYou are terse.\n\nHi<end_of_turn>\n"
                + "<start_of_turn>model\nHello.<end_of_turn>\n"
                + "<start_of_turn>user\nName a colour<end_of_turn>\n"
                + "<start_of_turn>model\n", s);
    }

    @Test
    void phi3() {
        String s = BuiltinTemplate.PHI3.with(new SpecialTokens("<s>", "<|endoftext|>")).render(CONVERSATION, true);
        assertEquals("<s><|system|>\nYou are terse.<|end|>\n"
                + "<|user|>\nHi<|end|>\n"
                + "<|assistant|>\nHello.<|end|>\n"
                + "<|user|>\nName a colour<|end|>\n"
                + "<|assistant|>\n", s);
    }

    @Test
    void plainContinuationJoinsTurnsWithOneSpace() {
        ChatTemplate t = BuiltinTemplate.PLAIN.with(new SpecialTokens("<s>", "</s>"));
        assertEquals("Once upon a time", t.render(List.of(ChatMessage.user("Once upon a time")), true));
        assertEquals("Once upon a time there was a cat. Then",
                t.render(List.of(ChatMessage.user("Once upon a time"), ChatMessage.assistant(" there was a cat."),
                        ChatMessage.user("Then")), true));
    }

    @Test
    void unknownNames() {
        assertEquals(BuiltinTemplate.CHATML, BuiltinTemplate.byId("ChatML"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BuiltinTemplate.byId("vicuna"));
        assertEquals("unknown chat template 'vicuna' (built in: llama3, chatml, llama2, gemma, phi3, plain)", e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> BuiltinTemplate.GEMMA.with(SpecialTokens.NONE).render(List.of(new ChatMessage("tool", "x")), true));
    }
}
