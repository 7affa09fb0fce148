package dev.vireo.jmh;

/** A matrix shape written as JMH parameters spell it: "rows x cols", e.g. "8192x2048". */
record Shape(int rows, int cols) {

    static Shape parse(String text) {
        String[] parts = text.split("x");
        if (parts.length != 2) {
            throw new IllegalArgumentException("shape '" + text + "' must look like 2048x8192 (rows x cols)");
        }
        return new Shape(Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()));
    }
}
