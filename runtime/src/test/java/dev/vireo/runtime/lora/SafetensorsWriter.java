package dev.vireo.runtime.lora;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes small F32 safetensors files (LORA.md section 4) for refusal tests; values are 0.01 * index. */
final class SafetensorsWriter {
    private SafetensorsWriter() {}

    static void write(Path path, String name1, long[] shape1, String name2, long[] shape2) throws IOException {
        long n1 = count(shape1);
        long n2 = count(shape2);
        String header = "{\"__metadata__\":{\"format\":\"pt\"},"
                + entry(name1, shape1, 0, n1 * 4) + "," + entry(name2, shape2, n1 * 4, (n1 + n2) * 4) + "}";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        int padded = (h.length + 8 + 7) / 8 * 8 - 8;
        ByteBuffer b = ByteBuffer.allocate(8 + padded + (int) (n1 + n2) * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(padded);
        b.put(h);
        for (int i = h.length; i < padded; i++) {
            b.put((byte) ' ');
        }
        for (long i = 0; i < n1 + n2; i++) {
            b.putFloat(0.01f * i);
        }
        Files.write(path, b.array());
    }

    private static String entry(String name, long[] shape, long begin, long end) {
        StringBuilder s = new StringBuilder("\"" + name + "\":{\"dtype\":\"F32\",\"shape\":[");
        for (int i = 0; i < shape.length; i++) {
            s.append(i == 0 ? "" : ",").append(shape[i]);
        }
        return s.append("],\"data_offsets\":[").append(begin).append(',').append(end).append("]}").toString();
    }

    private static long count(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }
}
