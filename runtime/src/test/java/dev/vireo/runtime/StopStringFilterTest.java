package dev.vireo.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class StopStringFilterTest {

    @Test
    void noStopStringsPassEverythingThrough() {
        StopStringFilter f = new StopStringFilter(List.of());
        assertEquals("abc", f.accept("abc"));
        assertEquals("", f.flush());
    }

    @Test
    void stopStringSplitOverPiecesIsNeverEmitted() {
        StopStringFilter f = new StopStringFilter(List.of("User:"));
        assertEquals("Hi", f.accept("Hi"));
        assertEquals(" there\n", f.accept(" there\nUs")); // "Us" may start "User:": held back
        assertFalse(f.matched());
        assertEquals("", f.accept("er"));
        assertEquals("", f.accept(":"));
        assertTrue(f.matched());
        assertEquals("", f.accept("more"));
    }

    @Test
    void heldTextIsReleasedWhenItTurnsOutNotToBeAStop() {
        StopStringFilter f = new StopStringFilter(List.of("###"));
        assertEquals("a", f.accept("a##"));
        assertEquals("##b", f.accept("b"));
        assertEquals("c", f.accept("c#"));
        assertEquals("#", f.flush());
    }

    @Test
    void theEarliestOfSeveralStopsWinsAndTextBeforeItIsKept() {
        StopStringFilter f = new StopStringFilter(List.of("END", "\n\n"));
        assertEquals("one", f.accept("one\n\ntwo END"));
        assertTrue(f.matched());
    }
}
