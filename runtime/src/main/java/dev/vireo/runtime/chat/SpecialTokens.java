package dev.vireo.runtime.chat;

/**
 * The token strings a template may print: {@code bos_token} and {@code eos_token} in Jinja.
 *
 * @param bos the BOS token's text ("" when the model has none)
 * @param eos the EOS token's text ("" when the model has none)
 */
public record SpecialTokens(String bos, String eos) {
    public static final SpecialTokens NONE = new SpecialTokens("", "");
}
