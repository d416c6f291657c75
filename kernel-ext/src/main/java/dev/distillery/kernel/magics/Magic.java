package dev.distillery.kernel.magics;

/**
 * One magic. Its picocli annotations ({@code @Command}, {@code @Option}, {@code @Parameters}) are
 * its only declaration: they give {@code %help}, completion and usage errors. {@link #run}'s
 * declared return type is the type a notebook gets from {@code var x = %magic ...}.
 */
public abstract class Magic {

    protected MagicContext ctx;

    final Magic in(MagicContext context) {
        this.ctx = context;
        return this;
    }

    /**
     * Lines {@code %help} adds after the magic's options: the names it accepts, from the registries
     * (e.g. the losses), so that a newly registered one shows up. None by default.
     */
    public java.util.List<String> knownNames() {
        return java.util.List.of();
    }

    /** Runs the magic; {@code body} is the cell body of a cell magic, null for a line magic. */
    public abstract Object run(String body) throws Exception;
}
