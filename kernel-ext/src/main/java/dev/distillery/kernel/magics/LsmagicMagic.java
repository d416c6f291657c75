package dev.distillery.kernel.magics;

import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;

@Command(
        name = "%lsmagic",
        description = "List every magic with its synopsis and a one-line description.",
        footer = {"", "Example:", "  %%lsmagic"})
final class LsmagicMagic extends Magic {

    @Override
    public MagicHelp run(String body) {
        Map<String, StringBuilder> groups = new LinkedHashMap<>();
        for (MagicCatalog.Entry e : ctx.catalog().all()) {
            groups.computeIfAbsent(e.group(), g -> new StringBuilder())
                    .append("  ")
                    .append(e.synopsis())
                    .append("\n      ")
                    .append(e.description())
                    .append('\n');
        }
        StringBuilder s = new StringBuilder();
        groups.forEach((g, b) -> s.append(g).append(" magics:\n").append(b).append('\n'));
        s.append("%help MAGIC shows one magic's options and examples.");
        return new MagicHelp(s.toString());
    }
}
