package dev.vireo.runtime.tokenizer;

/**
 * llama.cpp's {@code clean_spaces} step of detokenize (HF clean_up_tokenization_spaces), on bytes:
 * drop the space before {@code ? ! . ,}; turn {@code " ' "} into {@code "'"}; drop the space before
 * {@code 's 'm 're 've}. Three passes in this order, exactly as llama.cpp runs them.
 */
final class SpaceCleaner {
    private SpaceCleaner() {}

    /** Cleans {@code text[0, length)} in place and returns the new length. */
    static int clean(byte[] text, int length) {
        // pass 1: " ?", " !", " .", " ,"
        int total = length > 0 ? 1 : 0;
        for (int i = 1; i < length; i++) {
            byte x = text[i];
            if (text[i - 1] == ' ' && (x == '?' || x == '!' || x == '.' || x == ',')) {
                total--;
            }
            text[total++] = x;
        }
        // pass 2: a single apostrophe between spaces loses both spaces
        int length2 = total;
        total = length2 > 0 ? 1 : 0;
        for (int i = 1; i < length2; i++) {
            byte x = text[i];
            if (x == '\'' && i + 1 < length2 && text[i - 1] == ' ' && text[i + 1] == ' ') {
                total--;
                text[++i] = 0;
            }
            text[total++] = x;
        }
        // pass 3: " 's", " 'm", " 're", " 've" lose the space (" 't", " 'd", " 'll" keep it)
        int length3 = total;
        total = length3 > 0 ? 1 : 0;
        for (int i = 1; i < length3; i++) {
            byte x = text[i];
            if (text[i - 1] == ' ' && x == '\'' && i + 1 < length3) {
                byte x1 = text[i + 1];
                if (x1 == 's' || x1 == 'm') {
                    total--;
                } else if (i + 2 < length3) {
                    byte x2 = text[i + 2];
                    if ((x1 == 'r' && x2 == 'e') || (x1 == 'v' && x2 == 'e')) {
                        total--;
                    }
                }
            }
            text[total++] = x;
        }
        return total;
    }
}
