package dev.vireo.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vireo.runtime.ForwardProfile;
import dev.vireo.runtime.ForwardProfile.Phase;
import dev.vireo.runtime.ForwardProfile.Section;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/**
 * bench --profile's output: where a test's tokens spent their time, per section of the forward
 * pass, in milliseconds per token and percent of the token; as a table (one column per bench
 * row) and as a JSON object per row.
 */
final class ProfileReport {
    private static final int SECTION_WIDTH = 15;
    private static final int MIN_CELL_WIDTH = 20;

    private ProfileReport() {}

    /** One bench row's profile: the phase of its test in the profile collected over its runs. */
    record Column(String title, ForwardProfile profile, Phase phase) {}

    static void printTable(PrintStream out, List<Column> columns) {
        out.println();
        out.println("profile: ms per token (% of the token)");
        StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "| %-" + SECTION_WIDTH + "s |", "section"));
        StringBuilder rule = new StringBuilder("| " + "-".repeat(SECTION_WIDTH) + " |");
        int width = MIN_CELL_WIDTH;
        for (Column c : columns) {
            width = Math.max(width, c.title().length());
        }
        for (Column c : columns) {
            head.append(String.format(Locale.ROOT, " %" + width + "s |", c.title()));
            rule.append(" ").append("-".repeat(width)).append(" |");
        }
        out.println(head);
        out.println(rule);
        for (Section s : Section.values()) {
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "| %-" + SECTION_WIDTH + "s |", s.label()));
            for (Column c : columns) {
                line.append(cell(width, c.profile().millisPerToken(c.phase(), s), 100 * c.profile().share(c.phase(), s)));
            }
            out.println(line);
        }
        StringBuilder total = new StringBuilder(String.format(Locale.ROOT, "| %-" + SECTION_WIDTH + "s |", "total"));
        for (Column c : columns) {
            boolean any = c.profile().totalNanos(c.phase()) > 0;
            total.append(cell(width, c.profile().totalMillisPerToken(c.phase()), any ? 100 : 0));
        }
        out.println(total);
    }

    private static String cell(int width, double ms, double percent) {
        return String.format(Locale.ROOT, " %" + width + "s |", String.format(Locale.ROOT, "%.3f (%5.1f%%)", ms, percent));
    }

    /**
     * Fills {@code o} with the phase's figures: {@code phase}, {@code tokens}, {@code ms_per_token}
     * and {@code sections}: {@code {label: {ms_per_token, percent}}} in the table's order.
     */
    static void putJson(ObjectNode o, Column c) {
        ForwardProfile p = c.profile();
        Phase ph = c.phase();
        o.put("phase", ph.label());
        o.put("tokens", p.tokens(ph));
        o.put("ms_per_token", p.totalMillisPerToken(ph));
        ObjectNode sections = o.putObject("sections");
        for (Section s : Section.values()) {
            ObjectNode one = sections.putObject(s.label());
            one.put("ms_per_token", p.millisPerToken(ph, s));
            one.put("percent", 100 * p.share(ph, s));
        }
    }
}
