package dev.vireo.runtime;

/**
 * Settings of a loaded model, shared by its sessions.
 *
 * @param scalarKernels use the plain scalar kernels instead of the Vector API ones (a reference,
 *     or a check when results look wrong)
 */
public record ModelOptions(boolean scalarKernels) {
    public static ModelOptions defaults() {
        return new ModelOptions(false);
    }

    public ModelOptions withScalarKernels(boolean v) {
        return new ModelOptions(v);
    }
}
