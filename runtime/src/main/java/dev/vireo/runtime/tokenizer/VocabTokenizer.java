package dev.vireo.runtime.tokenizer;

import java.util.Arrays;

/**
 * The {@link Tokenizer} of a GGUF vocabulary: special-token partition, then SPM or byte-level BPE
 * on each raw fragment, BOS/EOS as the file asks; and llama.cpp's detokenize on the way back.
 */
final class VocabTokenizer implements Tokenizer {
    private final Vocabulary vocab;
    private final SpecialTokenSplitter splitter;
    // SPM
    private final int[] byteTokens;
    // BPE
    private final BpeMerges merges;
    private final PreTokenizer preTokenizer;
    private final boolean ignoreMerges;
    private final int[] asciiTokens;

    /** An SPM tokenizer. */
    VocabTokenizer(Vocabulary vocab) {
        this.vocab = vocab;
        this.splitter = new SpecialTokenSplitter(vocab);
        this.byteTokens = SpmEncoder.byteTokens(vocab);
        this.merges = null;
        this.preTokenizer = null;
        this.ignoreMerges = false;
        this.asciiTokens = null;
    }

    /** A byte-level BPE tokenizer. */
    VocabTokenizer(Vocabulary vocab, BpeMerges merges, PreTokenizer preTokenizer, boolean ignoreMerges) {
        this.vocab = vocab;
        this.splitter = new SpecialTokenSplitter(vocab);
        this.byteTokens = null;
        this.merges = merges;
        this.preTokenizer = preTokenizer;
        this.ignoreMerges = ignoreMerges;
        this.asciiTokens = BpeEncoder.asciiTokens(vocab);
    }

    @Override
    public int vocabSize() {
        return vocab.size();
    }

    @Override
    public int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
        IntList fragments = new IntList(16);
        splitter.split(text, parseSpecial, fragments);
        IntList out = new IntList(Math.max(16, text.length() / 3));
        if (addSpecial && vocab.addBos) {
            out.add(vocab.bos);
        }
        if (vocab.kind == Vocabulary.Kind.SPM) {
            encodeSpm(text, fragments, out);
        } else {
            BpeEncoder bpe = new BpeEncoder(vocab, merges, preTokenizer, ignoreMerges, asciiTokens);
            for (int f = 0; f < fragments.size(); f += 3) {
                int token = fragments.get(f + 2);
                if (token >= 0) {
                    out.add(token);
                } else {
                    bpe.encode(text, fragments.get(f), fragments.get(f + 1), out);
                }
            }
        }
        if (addSpecial && vocab.addEos) {
            out.add(vocab.eos);
        }
        return out.toArray();
    }

    private void encodeSpm(String text, IntList fragments, IntList out) {
        SpmEncoder spm = new SpmEncoder(vocab, byteTokens);
        StringBuilder piece = new StringBuilder();
        boolean afterSpecial = true; // the start of the text counts as "after a special token"
        for (int f = 0; f < fragments.size(); f += 3) {
            int token = fragments.get(f + 2);
            if (token >= 0) {
                out.add(token);
                afterSpecial = true;
                continue;
            }
            piece.setLength(0);
            if (vocab.addSpacePrefix && afterSpecial) {
                piece.append(' ');
            }
            piece.append(text, fragments.get(f), fragments.get(f + 1));
            for (int i = 0; i < piece.length(); i++) {
                if (piece.charAt(i) == ' ') {
                    piece.setCharAt(i, '\u2581');
                }
            }
            spm.encode(piece.toString(), out);
            afterSpecial = false;
        }
    }

    @Override
    public byte[] tokenBytes(int id) {
        return vocab.piece(id, false).clone();
    }

    @Override
    public byte[] tokenBytes(int id, boolean renderSpecial) {
        return vocab.piece(id, renderSpecial).clone();
    }

    @Override
    public String decode(int[] ids) {
        byte[] text = new byte[64];
        int length = 0;
        boolean removeSpace = vocab.addSpacePrefix;
        for (int id : ids) {
            byte[] p = vocab.piece(id, false); // control tokens: empty, and they still spend the removal
            int skip = removeSpace && p.length > 0 && p[0] == ' ' ? 1 : 0;
            removeSpace = false;
            if (length + p.length > text.length) {
                text = Arrays.copyOf(text, Math.max(text.length * 2, length + p.length));
            }
            System.arraycopy(p, skip, text, length, p.length - skip);
            length += p.length - skip;
        }
        if (vocab.cleanSpaces) {
            length = SpaceCleaner.clean(text, length);
        }
        // the same UTF-8 decoding as the streaming decoder (and as Python's "replace")
        Utf8Accumulator utf8 = new Utf8Accumulator();
        StringBuilder out = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            utf8.accept(text[i], out);
        }
        utf8.finish(out);
        return out.toString();
    }

    @Override
    public TokenDecoder newDecoder() {
        return new TokenDecoder(vocab);
    }

    @Override
    public int bosId() {
        return vocab.bos;
    }

    @Override
    public int eosId() {
        return vocab.eos;
    }

    @Override
    public boolean isEndOfGeneration(int id) {
        return vocab.isEndOfGeneration(id);
    }

    @Override
    public String tokenText(int id) {
        vocab.checkId(id);
        return vocab.texts[id];
    }

    @Override
    public String toString() {
        return (vocab.kind == Vocabulary.Kind.SPM ? "SPM" : "BPE") + " tokenizer, " + vocab.size() + " tokens";
    }
}
