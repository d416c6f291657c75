package dev.distillery.nn;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** Modules of one kind in order, named by their index ({@code blocks.0}, {@code blocks.1}, …). */
public final class ModuleList<M extends Module> extends Module implements Iterable<M> {

    private final List<M> items = new ArrayList<>();

    public ModuleList<M> add(M module) {
        child(Integer.toString(items.size()), module);
        items.add(module);
        return this;
    }

    public M get(int i) {
        return items.get(i);
    }

    public int size() {
        return items.size();
    }

    @Override
    public Iterator<M> iterator() {
        return List.copyOf(items).iterator();
    }

    @Override
    public java.util.Map<String, Object> settings() {
        return java.util.Map.of("size", items.size());
    }
}
