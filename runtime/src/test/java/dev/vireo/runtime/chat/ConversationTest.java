package dev.vireo.runtime.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Each turn must feed exactly what the cache lacks: fed text == the full rendering. */
class ConversationTest {
    @Test
    void secondTurnFeedsOnlyTheNewPart() {
        ChatTemplate t = BuiltinTemplate.CHATML.with(SpecialTokens.NONE);
        Conversation c = new Conversation(t);
        c.setSystemPrompt("Be brief.");
        Conversation.Turn first = c.userTurn("Hi");
        assertTrue(first.restart());
        assertEquals("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n",
                first.text());
        c.assistantTurn("Hello.");
        Conversation.Turn second = c.userTurn("Bye");
        assertFalse(second.restart());
        // the end of the answer's turn, then the new user turn and the assistant opening
        assertEquals("<|im_end|>\n<|im_start|>user\nBye<|im_end|>\n<|im_start|>assistant\n", second.text());
        String all = first.text() + "Hello." + second.text();
        assertEquals(t.render(List.of(ChatMessage.system("Be brief."), ChatMessage.user("Hi"),
                ChatMessage.assistant("Hello."), ChatMessage.user("Bye")), true), all);
    }

    @Test
    void changedSystemPromptRestarts() {
        Conversation c = new Conversation(BuiltinTemplate.LLAMA3.with(new SpecialTokens("<|begin_of_text|>", "")));
        c.userTurn("Hi");
        c.assistantTurn("Hello.");
        c.setSystemPrompt("Speak French.");
        Conversation.Turn t = c.userTurn("Again");
        assertTrue(t.restart());
        assertTrue(t.text().startsWith("<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nSpeak French.<|eot_id|>"),
                t.text());
        assertEquals(3, c.messages().size());
    }

    @Test
    void plainContinuation() {
        Conversation c = new Conversation(BuiltinTemplate.PLAIN.with(SpecialTokens.NONE));
        assertEquals(new Conversation.Turn("Once upon a time", true), c.userTurn("Once upon a time"));
        c.assistantTurn(", there was a cat.");
        assertEquals(new Conversation.Turn(" The end", false), c.userTurn("The end"));
    }

    @Test
    void afterTheCacheIsClearedTheWholeConversationIsFedAgain() {
        ChatTemplate t = BuiltinTemplate.CHATML.with(SpecialTokens.NONE);
        Conversation c = new Conversation(t);
        c.userTurn("Hi");
        c.assistantTurn("Hello.");
        c.cacheCleared();
        Conversation.Turn next = c.userTurn("Bye");
        assertTrue(next.restart());
        assertEquals(t.render(List.of(ChatMessage.user("Hi"), ChatMessage.assistant("Hello."), ChatMessage.user("Bye")), true),
                next.text());
    }

    @Test
    void resetAndAbandon() {
        Conversation c = new Conversation(BuiltinTemplate.CHATML.with(SpecialTokens.NONE));
        c.userTurn("a");
        c.abandonTurn();
        assertEquals(0, c.messages().size());
        assertTrue(c.userTurn("b").restart());
        c.assistantTurn("c");
        c.reset();
        assertEquals(0, c.messages().size());
        assertTrue(c.userTurn("d").restart());
    }
}
