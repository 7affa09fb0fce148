package dev.vireo.runtime.tokenizer;

import dev.vireo.gguf.GgufMetadata;

/**
 * Text to token ids and back, with the vocabulary of a GGUF file, giving the same ids and text as
 * llama.cpp ({@code llama_tokenize}, {@code llama_token_to_piece}, {@code llama_detokenize}).
 *
 * <p>Two families are supported: SentencePiece-style ({@code tokenizer.ggml.model = "llama"}:
 * score-ordered merges, byte fallback, leading space) and byte-level BPE ({@code "gpt2"}:
 * pre-tokenizer regexes chosen by {@code tokenizer.ggml.pre}, merge ranks). Instances are
 * immutable and thread-safe; {@link #newDecoder()} gives a per-stream object.
 */
public interface Tokenizer {

    /**
     * Builds the tokenizer described by the {@code tokenizer.*} keys of a GGUF file.
     *
     * @throws IllegalArgumentException naming the key, when {@code tokenizer.ggml.model} is not
     *     "llama" or "gpt2", or a tokenizer key is missing or inconsistent
     */
    static Tokenizer fromMetadata(GgufMetadata m) {
        return VocabularyLoader.load(m);
    }

    /** Number of tokens (length of {@code tokenizer.ggml.tokens}). */
    int vocabSize();

    /**
     * Tokenizes text.
     *
     * @param addSpecial add BOS / EOS as the file's {@code add_bos_token} / {@code add_eos_token}
     *     say (llama.cpp's defaults when absent: SPM adds BOS, BPE adds nothing)
     * @param parseSpecial recognise control tokens such as {@code <|im_start|>} written in the text;
     *     user-defined tokens are always recognised, as in llama.cpp
     */
    int[] encode(String text, boolean addSpecial, boolean parseSpecial);

    /**
     * The raw bytes a token stands for: byte-fallback tokens resolved, SPM "▁" turned into a space,
     * the BPE byte map undone; control and unknown tokens give no bytes. A fresh copy.
     */
    byte[] tokenBytes(int id);

    /**
     * The bytes of a token as llama.cpp's {@code token_to_piece} gives them; with {@code
     * renderSpecial} control and unknown tokens give their text (e.g. {@code "<s>"}).
     */
    byte[] tokenBytes(int id, boolean renderSpecial);

    /**
     * The text of a whole sequence, as llama.cpp's {@code llama_detokenize(remove_special=false,
     * unparse_special=false)}: control tokens vanish; for SPM vocabularies the leading space of the
     * first token is dropped (the space the encoder added), unless the first token is a control
     * token such as BOS; BPE vocabularies with {@code clean_spaces} (gpt-2, llama3, ...) remove the
     * space before {@code ? ! . ,} and in front of some contractions. Invalid UTF-8 becomes U+FFFD.
     */
    String decode(int[] ids);

    /**
     * A streaming decoder for generated tokens: it returns only complete UTF-8 characters and keeps
     * an unfinished one until the next token. It neither drops a leading space nor cleans spaces:
     * it is the concatenation of the tokens' bytes, what llama.cpp prints while generating.
     */
    TokenDecoder newDecoder();

    /** The BOS token id, or -1. */
    int bosId();

    /** The EOS token id, or -1. */
    int eosId();

    /** Whether generation should stop at this token: eos, eot, eom and llama.cpp's end-of-generation set. */
    boolean isEndOfGeneration(int id);

    /** The token's string as stored in the vocabulary (e.g. {@code "▁Hello"}, {@code "ĠHello"}, {@code "<0x0A>"}). */
    String tokenText(int id);
}
