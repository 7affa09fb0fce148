package dev.vireo.runtime.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** The bytes of one token as llama.cpp's {@code token_to_piece(special = true)} renders them. */
final class TokenPieces {
    private static final byte[] NONE = new byte[0];

    private TokenPieces() {}

    static byte[] render(Vocabulary v, int id) {
        int attr = v.attrs[id];
        String text = v.texts[id];
        if ((attr & (TokenAttr.SPECIAL | TokenAttr.USER_DEFINED)) != 0) {
            return text.getBytes(StandardCharsets.UTF_8);
        }
        if ((attr & TokenAttr.NORMAL) != 0) {
            return v.kind == Vocabulary.Kind.SPM
                    ? text.replace('\u2581', ' ').getBytes(StandardCharsets.UTF_8)
                    : byteLevelDecode(text);
        }
        if ((attr & TokenAttr.BYTE) != 0) {
            return new byte[] {(byte) byteTokenValue(text)};
        }
        return NONE; // unused or undefined tokens render as nothing, like llama.cpp
    }

    /** The byte of a {@code <0xNN>} token (parsed the way llama.cpp does: the two characters after "<0x"). */
    static int byteTokenValue(String text) {
        if (text.length() < 5 || !text.startsWith("<0x")) {
            throw new IllegalArgumentException("byte token '" + text + "' is not of the form <0xNN> (tokenizer.ggml.token_type says BYTE)");
        }
        try {
            return Integer.parseInt(text, 3, 5, 16);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("byte token '" + text + "' is not of the form <0xNN> (tokenizer.ggml.token_type says BYTE)");
        }
    }

    /** Undoes the GPT-2 byte map; a character outside the map is kept visibly, as llama.cpp does. */
    private static byte[] byteLevelDecode(String text) {
        byte[] out = new byte[text.length()];
        int n = 0;
        for (int i = 0; i < text.length(); i++) {
            int b = ByteLevel.byteOf(text.charAt(i));
            if (b < 0) {
                return byteLevelDecodeSlow(text);
            }
            out[n++] = (byte) b;
        }
        return out;
    }

    private static byte[] byteLevelDecodeSlow(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(text.length());
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            int b = ByteLevel.byteOf(cp);
            if (b >= 0) {
                out.write(b);
            } else {
                StringBuilder unk = new StringBuilder("[UNK_BYTE_0x");
                for (byte u : new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8)) {
                    unk.append(String.format("%02x", u & 0xFF));
                }
                unk.append(text).append(']');
                out.writeBytes(unk.toString().getBytes(StandardCharsets.UTF_8));
            }
        }
        return out.toByteArray();
    }
}
