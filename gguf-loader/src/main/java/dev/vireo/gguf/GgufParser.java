package dev.vireo.gguf;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses and validates the GGUF header, metadata and tensor infos of a mapped file (GGUF.md
 * sections 2 and 3). Every count and length is checked against the bytes that are left before
 * anything is allocated for it, so the memory used is bounded by a small multiple of the file size
 * whatever the file claims.
 */
final class GgufParser {
    /** Smallest possible tensor info: name length 8, empty name, n_dims 4 (0 dims), type 4, offset 8. */
    static final int MIN_TENSOR_INFO_BYTES = 24;
    /** Smallest possible key/value pair: key length 8, 1-byte key, type 4, 1-byte value. */
    static final int MIN_KV_BYTES = 14;

    private final Path path;
    private final MemorySegment mapping;
    private final GgufReader r;

    private GgufParser(Path path, MemorySegment mapping) {
        this.path = path;
        this.mapping = mapping;
        this.r = new GgufReader(path, mapping);
    }

    /** What the parse found; {@link GgufFile} wraps it together with the mapping's lifetime. */
    record Parsed(int version, GgufMetadata metadata, List<GgufTensor> tensors, int alignment, long dataOffset) {}

    static Parsed parse(Path path, MemorySegment mapping) {
        return new GgufParser(path, mapping).parse();
    }

    private Parsed parse() {
        if (mapping.byteSize() < 24) {
            checkMagicIfPresent();
            throw r.errorAt(0, "file is too short to be GGUF (" + mapping.byteSize() + " bytes, the header alone takes 24)");
        }
        checkMagicIfPresent();
        r.i32("magic");
        int version = readVersion();
        long nTensorsPos = r.position();
        long nTensors = r.i64("tensor count");
        long nKvPos = r.position();
        long nKv = r.i64("metadata count");
        long left = r.remaining();
        if (nTensors < 0 || nTensors > left / MIN_TENSOR_INFO_BYTES) {
            throw r.errorAt(nTensorsPos, "tensor count " + Long.toUnsignedString(nTensors)
                    + " is impossible for a file of " + mapping.byteSize() + " bytes");
        }
        if (nKv < 0 || nKv > left / MIN_KV_BYTES
                || nKv * MIN_KV_BYTES > left - nTensors * MIN_TENSOR_INFO_BYTES) {
            throw r.errorAt(nKvPos, "metadata count " + Long.toUnsignedString(nKv)
                    + " is impossible for a file of " + mapping.byteSize() + " bytes with " + nTensors + " tensors");
        }

        Map<String, Long> keyPositions = new HashMap<>();
        Map<String, GgufValue> kv = new LinkedHashMap<>();
        for (long i = 0; i < nKv; i++) {
            long keyPos = r.position();
            String key = r.string("metadata key");
            if (key.isEmpty()) {
                throw r.errorAt(keyPos, "empty metadata key");
            }
            if (kv.containsKey(key)) {
                throw r.errorAt(keyPos, "duplicate metadata key '" + GgufReader.shorten(key) + "'");
            }
            kv.put(key, GgufValues.read(r, key));
            keyPositions.put(key, keyPos);
        }
        int alignment = alignment(kv, keyPositions);

        List<TensorInfo> infos = new ArrayList<>((int) Math.min(nTensors, 4096));
        Set<String> names = new HashSet<>();
        for (long i = 0; i < nTensors; i++) {
            TensorInfo ti = readTensorInfo();
            if (!names.add(ti.name)) {
                throw r.errorAt(ti.pos, "duplicate tensor name '" + ti.name + "'");
            }
            infos.add(ti);
        }

        long fileSize = mapping.byteSize();
        long dataOffset = nTensors == 0 ? r.position() : GgufFile.alignUp(r.position(), alignment);
        if (dataOffset > fileSize) {
            throw r.errorAt(r.position(), "file ends before the data section (it starts at byte " + dataOffset
                    + ", the file has " + fileSize + " bytes): truncated after the tensor infos?");
        }
        long dataSize = fileSize - dataOffset;
        List<GgufTensor> tensors = new ArrayList<>(infos.size());
        for (TensorInfo ti : infos) {
            if (ti.offset < 0 || ti.offset > dataSize || ti.bytes > dataSize - ti.offset) {
                throw r.errorAt(ti.offsetPos, "tensor '" + ti.name + "' data [" + Long.toUnsignedString(ti.offset)
                        + ", +" + ti.bytes + ") lies outside the data section of " + dataSize
                        + " bytes (file truncated?)");
            }
            if (ti.offset % alignment != 0) {
                throw r.errorAt(ti.offsetPos, "tensor '" + ti.name + "' offset " + ti.offset
                        + " is not a multiple of the alignment " + alignment);
            }
            long abs = dataOffset + ti.offset;
            tensors.add(new GgufTensor(ti.name, ti.type, ti.shape, abs, mapping.asSlice(abs, ti.bytes)));
        }
        checkNoOverlap(infos);
        return new Parsed(version, new GgufMetadata(kv), tensors, alignment, dataOffset);
    }

    private void checkMagicIfPresent() {
        long n = Math.min(4, mapping.byteSize());
        byte[] magic = mapping.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        byte[] expected = {'G', 'G', 'U', 'F'};
        if (!Arrays.equals(magic, Arrays.copyOf(expected, (int) n))) {
            throw r.errorAt(0, "not a GGUF file (starts with " + hex(magic) + ", expected 47 47 55 46 = 'GGUF')");
        }
    }

    private static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) {
            sb.append(sb.isEmpty() ? "" : " ").append(String.format("%02x", x));
        }
        return b.length == 0 ? "nothing" : sb.toString();
    }

    private int readVersion() {
        long pos = r.position();
        int version = r.i32("version");
        if ((version & 0xFFFF) == 0 && version != 0) {
            throw r.errorAt(pos, "version " + Integer.toUnsignedString(version)
                    + " looks byte-swapped: big-endian GGUF files are not supported");
        }
        if (version == 1) {
            throw r.errorAt(pos, "GGUF v1 is no longer supported (re-convert the model)");
        }
        if (version != 2 && version != 3) {
            throw r.errorAt(pos, "unsupported GGUF version " + Integer.toUnsignedString(version) + " (2 and 3 are)");
        }
        return version;
    }

    private int alignment(Map<String, GgufValue> kv, Map<String, Long> keyPositions) {
        GgufValue a = kv.get(GgufFile.ALIGNMENT_KEY);
        if (a == null) {
            return GgufFile.DEFAULT_ALIGNMENT;
        }
        long pos = keyPositions.get(GgufFile.ALIGNMENT_KEY);
        if (a.type() != GgufValueType.UINT32) {
            throw r.errorAt(pos, GgufFile.ALIGNMENT_KEY + " must be UINT32, not " + a.type());
        }
        int al = (Integer) a.value();
        if (al <= 0 || Integer.bitCount(al) != 1) {
            throw r.errorAt(pos, GgufFile.ALIGNMENT_KEY + " " + Integer.toUnsignedString(al)
                    + " is not a power of two (below 2^31)");
        }
        return al;
    }

    private record TensorInfo(String name, GgmlType type, long[] shape, long bytes, long offset, long pos, long offsetPos) {}

    private TensorInfo readTensorInfo() {
        long pos = r.position();
        String name = r.string("tensor name", GgufFile.MAX_NAME_BYTES - 1);
        long dimsPos = r.position();
        int nDims = r.i32("dimension count of tensor '" + name + "'");
        if (nDims < 0 || nDims > GgufFile.MAX_DIMS) {
            throw r.errorAt(dimsPos, "tensor '" + name + "' has " + Integer.toUnsignedString(nDims)
                    + " dimensions (at most " + GgufFile.MAX_DIMS + ")");
        }
        // n_dims 0 is read as a scalar [1], the way ggml treats missing dimensions.
        long[] shape = new long[Math.max(1, nDims)];
        Arrays.fill(shape, 1);
        long elements = 1;
        for (int d = 0; d < nDims; d++) {
            long dPos = r.position();
            long ne = r.i64("dimension " + d + " of tensor '" + name + "'");
            if (ne <= 0) {
                throw r.errorAt(dPos, "tensor '" + name + "' dimension " + d + " is " + ne + " (must be positive)");
            }
            shape[d] = ne;
            try {
                elements = Math.multiplyExact(elements, ne);
            } catch (ArithmeticException e) {
                throw r.errorAt(dPos, "tensor '" + name + "' element count overflows 64 bits");
            }
        }
        long typePos = r.position();
        int typeId = r.i32("type of tensor '" + name + "'");
        GgmlType type = GgmlType.byIdOrNull(typeId);
        if (type == null) {
            throw r.errorAt(typePos, "tensor '" + name + "' has unknown or removed ggml type id " + typeId);
        }
        if (shape[0] % type.blockSize() != 0) {
            throw r.errorAt(dimsPos, "tensor '" + name + "' row length " + shape[0] + " is not a multiple of the "
                    + type + " block size " + type.blockSize());
        }
        long bytes;
        try {
            bytes = type.bytesFor(elements);
        } catch (ArithmeticException e) {
            throw r.errorAt(dimsPos, "tensor '" + name + "' byte size overflows 64 bits");
        }
        long offsetPos = r.position();
        long offset = r.i64("data offset of tensor '" + name + "'");
        return new TensorInfo(name, type, shape, bytes, offset, pos, offsetPos);
    }

    private void checkNoOverlap(List<TensorInfo> infos) {
        TensorInfo[] sorted = infos.toArray(new TensorInfo[0]);
        Arrays.sort(sorted, Comparator.comparingLong(TensorInfo::offset));
        for (int i = 1; i < sorted.length; i++) {
            TensorInfo prev = sorted[i - 1];
            TensorInfo cur = sorted[i];
            // Both lie inside the data section (checked before), so the sum cannot overflow.
            if (cur.offset < prev.offset + prev.bytes) {
                throw r.errorAt(cur.offsetPos, "tensor '" + cur.name + "' at data offset " + cur.offset
                        + " overlaps tensor '" + prev.name + "' [" + prev.offset + ", " + (prev.offset + prev.bytes) + ")");
            }
        }
    }
}
