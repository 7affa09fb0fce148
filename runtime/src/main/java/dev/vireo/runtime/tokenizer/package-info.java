/**
 * Tokenizers read from GGUF metadata, giving the ids and text llama.cpp gives.
 *
 * <p>Entry point: {@link dev.vireo.runtime.tokenizer.Tokenizer#fromMetadata}. The rest is
 * package-private, one job per class:
 * <ul>
 *   <li>{@code VocabularyLoader}: the {@code tokenizer.*} keys, llama.cpp's defaults per family and
 *       its post-load fix-ups (end-of-generation tokens found by their text and forced to CONTROL);
 *   <li>{@code Vocabulary}: texts, scores, attributes, special ids and each token's bytes, fixed at
 *       load so that decoding a token allocates nothing;
 *   <li>{@code SpecialTokenSplitter}: control/user-defined tokens cut out of the text first;
 *   <li>{@code SpmEncoder}: SentencePiece-style merges by score with byte fallback;
 *   <li>{@code BpeEncoder}, {@code BpeMerges}, {@code PreTokenizer}, {@code BpePresets},
 *       {@code ByteLevel}: byte-level BPE with the pre-tokenizer of {@code tokenizer.ggml.pre};
 *   <li>{@code TokenDecoder}, {@code Utf8Accumulator}, {@code SpaceCleaner}: text out.
 * </ul>
 *
 * <p>Decisions where llama.cpp leaves room or where Vireo departs from it on purpose:
 * <ul>
 *   <li>An unknown {@code tokenizer.ggml.pre} is an error in llama.cpp; here it falls back to the
 *       "default" regex list with a warning, so that files from newer converters still load.
 *   <li>Pre-tokenizer regexes are llama.cpp's own strings run by java.util.regex (with
 *       UNICODE_CHARACTER_CLASS), not hand-written splitters; two spellings are rewritten (see
 *       {@code PreTokenizer.toJava}). Java's Unicode tables (a newer version than llama.cpp's) decide
 *       what is a letter or a number for characters assigned recently.
 *   <li>Names that need more than regexes (chameleon, kimi-k2, gemma4's SPM-style BPE, superbpe,
 *       afmoe, deepseek-v3 whose \p{S} differs) are not in the table and use the default list.
 *   <li>llama.cpp sets RSTRIP on special tokens of models whose general.name contains "phi-3" or
 *       "phi3"; GGUF cannot store that attribute and TOKENIZERS.md (the reference here) leaves it
 *       out, so whitespace after a parsed special token is kept.
 *   <li>Two tokens with the same text: the later id is found by text (llama.cpp's older
 *       behaviour; newer versions refuse such files).
 *   <li>Invalid UTF-8 in the output becomes U+FFFD per maximal subpart, like Python's "replace"
 *       (the decoder of the golden texts); Java's own decoder differs on encoded surrogates.
 * </ul>
 */
package dev.vireo.runtime.tokenizer;
