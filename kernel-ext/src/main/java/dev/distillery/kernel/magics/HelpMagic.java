package dev.distillery.kernel.magics;

import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(
        name = "%help",
        description = "Every magic with its usage, or one magic's full help.",
        footer = {"", "Examples:", "  %%help", "  %%help distill", "  %%help %%%%distill"})
final class HelpMagic extends Magic {

    @Parameters(index = "0", arity = "0..1", paramLabel = "MAGIC", description = "a magic name, with or without %%")
    String magic;

    @Override
    public MagicHelp run(String body) {
        MagicCatalog c = ctx.catalog();
        if (magic == null) {
            return new MagicHelp(c.all().stream().map(e -> e.usage()).collect(Collectors.joining("\n\n"))
                    + "\n\nJava code runs as in JShell; {expr} in a line magic's arguments inserts a Java value.");
        }
        boolean cell = magic.startsWith("%%");
        String name = magic.replaceFirst("^%+", "");
        MagicCatalog.Entry e = cell ? c.cell(name) : c.line(name) != null ? c.line(name) : c.cell(name);
        if (e == null) {
            throw new IllegalArgumentException("no magic named '" + magic + "'; %lsmagic lists them");
        }
        return new MagicHelp(e.usage());
    }
}
