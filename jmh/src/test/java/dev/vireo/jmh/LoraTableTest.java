package dev.vireo.jmh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LoraTableTest {
    @Test
    void ratioIsTheMeanOfEachRoundsRatioAndOverheadTheExtraTimeAsShareAndMilliseconds() {
        LoraTable t = new LoraTable("r16");
        t.add(1, "decode", false, 10.0);
        t.add(1, "decode", true, 9.0);
        t.add(1, "decode", false, 8.0); // a slower second round: its ratio counts, not its speed
        t.add(1, "decode", true, 7.6);
        t.add(2, "prefill", false, 60.0);
        t.add(2, "prefill", true, 58.0);
        assertEquals((0.9 + 0.95) / 2, t.ratio(1, "decode"), 1e-12);
        assertEquals(58.0 / 60.0, t.ratio(2, "prefill"), 1e-12);
        assertTrue(Double.isNaN(t.ratio(2, "decode")));

        String[] lines = t.format().split("\n");
        assertEquals(4, lines.length, t.format());
        assertEquals("threads | phase   |   tok/s none |    tok/s r16 | ratio               | overhead % | ms/token | target",
                lines[0]);
        // means 9.00 / 8.30; ratio 0.925 -> 1 / 0.925 - 1 = +8.1 % extra time, over the 3 % target;
        // ms: (1000/9 - 1000/10 + 1000/7.6 - 1000/8) / 2 = (11.111 + 6.579) / 2 = 8.845
        assertEquals("1       | decode  |         9.00 |         8.30 | 0.925 (0.900-0.950) | +8.1       | +8.85    | <= 3 % NOT met",
                lines[2]);
        // 60 / 58 - 1 = +3.4 %, within prefill's 5 %; 1000/58 - 1000/60 = 0.575 ms
        assertEquals("2       | prefill |        60.00 |        58.00 | 0.967               | +3.4       | +0.57    | <= 5 % met",
                lines[3]);
    }
}
