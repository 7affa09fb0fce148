package dev.vireo.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One adapter named on the command line: {@code FILE} or {@code FILE:SCALE}.
 *
 * @param path the adapter file or PEFT folder
 * @param scale the user scale (1 when not given)
 */
record AdapterSpec(Path path, float scale) {
    /**
     * Parses {@code FILE[:SCALE]}. The text after the last ':' is a scale only when it is a
     * number and the whole text is not an existing path (so paths with ':' still work).
     *
     * @param flag the flag, for the error message
     * @param scaleRequired whether the ":SCALE" part must be there (--lora-scaled)
     */
    static AdapterSpec parse(String text, String flag, boolean scaleRequired) {
        int colon = text.lastIndexOf(':');
        if (colon > 0 && !Files.exists(Path.of(text))) {
            String s = text.substring(colon + 1);
            try {
                float scale = Float.parseFloat(s);
                if (!Float.isFinite(scale)) {
                    throw new UsageException(flag + ": scale '" + s + "' in '" + text + "' is not a finite number");
                }
                return new AdapterSpec(Path.of(text.substring(0, colon)), scale);
            } catch (NumberFormatException e) {
                throw new UsageException(flag + ": '" + s + "' in '" + text + "' is not a scale (expected FILE:SCALE, e.g. a.gguf:0.5)");
            }
        }
        if (scaleRequired) {
            throw new UsageException(flag + ": '" + text + "' has no scale (expected FILE:SCALE, e.g. a.gguf:0.5)");
        }
        return new AdapterSpec(Path.of(text), 1f);
    }
}
