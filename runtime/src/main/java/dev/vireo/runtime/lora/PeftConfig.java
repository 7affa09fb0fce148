package dev.vireo.runtime.lora;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The fields of a PEFT {@code adapter_config.json} that decide how a LoRA is applied, and the
 * module selection rules PEFT uses with them ({@code check_target_module_exists},
 * {@code get_pattern_key}). Options we cannot apply faithfully are refused when parsing.
 *
 * @param r default rank
 * @param alpha default lora_alpha
 * @param rsLora factor alpha / sqrt(r) instead of alpha / r
 * @param targetRegex {@code target_modules} given as one regular expression (matched against the
 *     whole module name), or null
 * @param targetNames {@code target_modules} given as a list of names or name suffixes, or null
 * @param allLinear {@code target_modules = "all-linear"}
 * @param excludeRegex {@code exclude_modules} as a regular expression, or null
 * @param excludeNames {@code exclude_modules} as a list, or null
 * @param layers {@code layers_to_transform}, or null for all layers
 * @param layersPatterns {@code layers_pattern}, empty for PEFT's default
 * @param rankPattern per-module rank overrides (name or regex to rank)
 * @param alphaPattern per-module alpha overrides (name or regex to alpha)
 */
record PeftConfig(int r, float alpha, boolean rsLora, String targetRegex, List<String> targetNames, boolean allLinear,
        String excludeRegex, List<String> excludeNames, List<Integer> layers, List<String> layersPatterns,
        Map<String, Integer> rankPattern, Map<String, Float> alphaPattern) {

    private static final Pattern DEFAULT_LAYER_INDEX = Pattern.compile(".*\\.[^.]*\\.(\\d+)\\..*");

    static PeftConfig read(Path file) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read PEFT config: " + firstLine(e.getMessage()), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(file + ": PEFT config is not a JSON object");
        }
        return parse(file, root);
    }

    static PeftConfig parse(Path file, JsonNode c) {
        String peftType = text(c, "peft_type", "LORA");
        if (!peftType.equals("LORA")) {
            throw refuse(file, "peft_type is '" + peftType + "', only LORA adapters are supported");
        }
        if (c.path("use_dora").asBoolean(false)) {
            throw refuse(file, "use_dora is true: DoRA adapters are not supported (their magnitude vectors would be ignored)");
        }
        if (c.path("fan_in_fan_out").asBoolean(false)) {
            throw refuse(file, "fan_in_fan_out is true: adapters for Conv1D (GPT-2 style) weights are not supported");
        }
        if (c.path("lora_bias").asBoolean(false)) {
            throw refuse(file, "lora_bias is true: LoRA B biases are not supported");
        }
        if (notEmpty(c.get("modules_to_save"))) {
            throw refuse(file, "modules_to_save " + c.get("modules_to_save")
                    + " lists fully trained modules, which a LoRA runtime cannot apply");
        }
        if (notEmpty(c.get("alora_invocation_tokens"))) {
            throw refuse(file, "alora_invocation_tokens is set: activated LoRA is not supported");
        }
        if (notEmpty(c.get("target_parameters"))) {
            throw refuse(file, "target_parameters is set: LoRA on raw parameters (MoE experts) is not supported");
        }
        int r = c.path("r").asInt(8);
        if (r <= 0) {
            throw refuse(file, "r = " + c.path("r") + " must be a positive integer");
        }
        float alpha = (float) c.path("lora_alpha").asDouble(8);
        boolean rsLora = c.path("use_rslora").asBoolean(false);

        String targetRegex = null;
        List<String> targetNames = null;
        boolean allLinear = false;
        JsonNode tm = c.get("target_modules");
        if (tm == null || tm.isNull()) {
            allLinear = true; // PEFT resolves null to a per-model default before saving; take what the file holds
        } else if (tm.isTextual()) {
            if (tm.asText().equals("all-linear")) {
                allLinear = true;
            } else {
                targetRegex = checkRegex(file, "target_modules", tm.asText());
            }
        } else {
            targetNames = strings(file, "target_modules", tm);
        }
        String excludeRegex = null;
        List<String> excludeNames = null;
        JsonNode ex = c.get("exclude_modules");
        if (ex != null && !ex.isNull()) {
            if (ex.isTextual()) {
                excludeRegex = checkRegex(file, "exclude_modules", ex.asText());
            } else {
                excludeNames = strings(file, "exclude_modules", ex);
            }
        }
        List<Integer> layers = null;
        JsonNode lt = c.get("layers_to_transform");
        if (lt != null && !lt.isNull()) {
            layers = new ArrayList<>();
            if (lt.isInt()) {
                layers.add(lt.asInt());
            } else if (lt.isArray()) {
                for (JsonNode n : lt) {
                    if (!n.isInt()) {
                        throw refuse(file, "layers_to_transform " + lt + " must hold layer numbers");
                    }
                    layers.add(n.asInt());
                }
            } else {
                throw refuse(file, "layers_to_transform " + lt + " must be a number or a list of numbers");
            }
            if (layers.isEmpty()) {
                layers = null; // PEFT: an empty list means every layer
            }
        }
        JsonNode lp = c.get("layers_pattern");
        List<String> layersPatterns = lp == null || lp.isNull() ? List.of()
                : lp.isTextual() ? List.of(lp.asText()) : strings(file, "layers_pattern", lp);
        Map<String, Integer> rankPattern = new LinkedHashMap<>();
        c.path("rank_pattern").properties().forEach(e -> rankPattern.put(checkRegex(file, "rank_pattern", e.getKey()),
                e.getValue().asInt()));
        Map<String, Float> alphaPattern = new LinkedHashMap<>();
        c.path("alpha_pattern").properties().forEach(e -> alphaPattern.put(checkRegex(file, "alpha_pattern", e.getKey()),
                (float) e.getValue().asDouble()));
        return new PeftConfig(r, alpha, rsLora, targetRegex, targetNames, allLinear, excludeRegex, excludeNames, layers,
                layersPatterns, rankPattern, alphaPattern);
    }

    /**
     * Whether PEFT would have put a LoRA on the module {@code key} (its name in the base model,
     * e.g. {@code model.layers.3.self_attn.q_proj}), following {@code check_target_module_exists}.
     *
     * @param linear whether the module is a linear layer other than the output head (for
     *     {@code all-linear})
     */
    boolean targets(String key, boolean linear) {
        if (excluded(key)) {
            return false;
        }
        if (allLinear) {
            return linear;
        }
        if (targetRegex != null) {
            return Pattern.matches(targetRegex, key); // PEFT ignores layers_to_transform with a regex
        }
        boolean found = targetNames.contains(key) || targetNames.stream().anyMatch(t -> key.endsWith("." + t));
        if (!found || layers == null) {
            return found;
        }
        Integer index = layerIndex(key);
        return index != null && layers.contains(index);
    }

    private boolean excluded(String key) {
        if (excludeRegex != null) {
            return Pattern.matches(excludeRegex, key);
        }
        return excludeNames != null && (excludeNames.contains(key) || excludeNames.stream().anyMatch(t -> key.endsWith("." + t)));
    }

    private Integer layerIndex(String key) {
        if (layersPatterns.isEmpty()) {
            var m = DEFAULT_LAYER_INDEX.matcher(key);
            return m.matches() ? Integer.valueOf(m.group(1)) : null;
        }
        for (String p : layersPatterns) {
            var m = Pattern.compile(".*\\." + p + "\\.(\\d+)\\..*").matcher(key);
            if (m.matches()) {
                return Integer.valueOf(m.group(1));
            }
        }
        return null;
    }

    /** The rank PEFT gives module {@code key}: its rank_pattern entry, else r. */
    int rankOf(String key) {
        String k = patternKey(rankPattern.keySet(), key);
        return k == null ? r : rankPattern.get(k);
    }

    /** The alpha PEFT gives module {@code key}: its alpha_pattern entry, else lora_alpha. */
    float alphaOf(String key) {
        String k = patternKey(alphaPattern.keySet(), key);
        return k == null ? alpha : alphaPattern.get(k);
    }

    /** PEFT's get_pattern_key: an exact name first, else the first pattern matching a name suffix. */
    private static String patternKey(java.util.Set<String> patterns, String key) {
        if (patterns.contains(key)) {
            return key;
        }
        for (String p : patterns) {
            if (Pattern.matches("(.*\\.)?(?:" + p + ")", key)) {
                return p;
            }
        }
        return null;
    }

    private static String text(JsonNode c, String field, String dflt) {
        JsonNode n = c.get(field);
        return n == null || n.isNull() ? dflt : n.asText();
    }

    private static boolean notEmpty(JsonNode n) {
        return n != null && !n.isNull() && !(n.isContainerNode() && n.isEmpty()) && !(n.isTextual() && n.asText().isEmpty());
    }

    private static List<String> strings(Path file, String field, JsonNode n) {
        if (!n.isArray()) {
            throw refuse(file, field + " " + n + " must be a string or a list of strings");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode e : n) {
            if (!e.isTextual()) {
                throw refuse(file, field + " " + n + " must be a list of strings");
            }
            out.add(e.asText());
        }
        return List.copyOf(out);
    }

    private static String checkRegex(Path file, String field, String regex) {
        try {
            Pattern.compile(regex);
            return regex;
        } catch (PatternSyntaxException e) {
            throw refuse(file, field + " '" + regex + "' is not a valid regular expression");
        }
    }

    private static IllegalArgumentException refuse(Path file, String problem) {
        return new IllegalArgumentException(file + ": " + problem);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
