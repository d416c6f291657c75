package dev.distillery.nn;

/** A module that only holds other modules, added by name: e.g. the weights a loss owns. */
public final class Modules extends Module {

    /** Adds {@code module} under {@code name}; returns it. */
    public <M extends Module> M add(String name, M module) {
        return child(name, module);
    }

    public boolean isEmpty() {
        return children().isEmpty() && ownParameters().isEmpty();
    }
}
