package dev.distillery.kernel;

import dev.distillery.kernel.magics.MagicCatalog;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.stream.Collectors;
import org.dflib.jjava.jupyter.kernel.magic.MagicTranspiler;
import org.dflib.jjava.jupyter.kernel.magic.ParsedCellMagic;
import org.dflib.jjava.jupyter.kernel.magic.ParsedLineMagic;

/**
 * Turns magics into Java that keeps their value: {@code var r = %distill ...} gets the result
 * typed as the magic declares, and a magic on its own line is an expression whose value the cell
 * shows (the stock transpiler appends {@code ;{};}, which throws the value away). A {@code {expr}}
 * inside a line magic's arguments becomes the Java value of {@code expr}; {@code {{} is a literal brace.
 */
final class ValueTranspiler extends MagicTranspiler {

    private final MagicCatalog catalog;

    ValueTranspiler(MagicCatalog catalog) {
        this.catalog = catalog;
    }

    @Override
    public String transpileLine(ParsedLineMagic magic) {
        if (insideString(magic.linePrefix)) {
            return magic.raw;
        }
        List<String> args = rejoinBraces(magic.magicCall.args);
        if (!args.isEmpty() && args.get(args.size() - 1).endsWith(";")) {
            String lastArg = args.get(args.size() - 1);
            args = new java.util.ArrayList<>(args);
            if (lastArg.equals(";")) {
                args.remove(args.size() - 1);
            } else {
                args.set(args.size() - 1, lastArg.substring(0, lastArg.length() - 1));
            }
        }
        MagicCatalog.Entry e = catalog.line(magic.magicCall.name);
        String call = Notebook.class.getName() + ".line(" + literal(magic.magicCall.name) + ", java.util.List.of("
                + args.stream().map(ValueTranspiler::interpolated).collect(Collectors.joining(", ")) + "))";
        return cast(e, call) + ";";
    }

    @Override
    public String transpileCell(ParsedCellMagic magic) {
        MagicCatalog.Entry e = catalog.cell(magic.magicCall.name);
        String call = Notebook.class.getName() + ".cell(" + literal(magic.magicCall.name) + ", java.util.List.of("
                + rejoinBraces(magic.magicCall.args).stream()
                        .map(ValueTranspiler::interpolated)
                        .collect(Collectors.joining(", "))
                + "), " + literal(magic.magicCall.body) + ")";
        return cast(e, call) + ";";
    }

    /** The parser splits on spaces; {@code {width * 2}} is one argument again. */
    static List<String> rejoinBraces(List<String> args) {
        List<String> out = new java.util.ArrayList<>();
        StringBuilder open = null;
        int depth = 0;
        for (String a : args) {
            if (open != null) {
                open.append(' ').append(a);
            } else if (a.indexOf('{') >= 0) {
                open = new StringBuilder(a);
            } else {
                out.add(a);
                continue;
            }
            depth = 0;
            String t = open.toString().replace("{{", "").replace("}}", "");
            for (char c : t.toCharArray()) {
                if (c == '{') depth++;
                if (c == '}') depth--;
            }
            if (depth <= 0) {
                out.add(open.toString());
                open = null;
            }
        }
        if (open != null) {
            out.add(open.toString());
        }
        return out;
    }

    private static String cast(MagicCatalog.Entry e, String call) {
        if (e == null
                || e.resultType() == Object.class
                || e.resultType().isPrimitive()
                || !Modifier.isPublic(e.resultType().getModifiers())) {
            return call;
        }
        return "((" + e.resultType().getCanonicalName() + ") " + call + ")";
    }

    private static boolean insideString(String prefix) {
        boolean in = false;
        for (int i = 0; i < prefix.length(); i++) {
            if (prefix.charAt(i) == '"' && (i == 0 || prefix.charAt(i - 1) != '\\')) {
                in = !in;
            }
        }
        return in;
    }

    /** An argument as a Java String expression: literal text, with each {@code {expr}} as String.valueOf(expr). */
    static String interpolated(String arg) {
        if (!arg.contains("{")) {
            return literal(arg);
        }
        StringBuilder out = new StringBuilder("(\"\"");
        StringBuilder text = new StringBuilder();
        int i = 0;
        while (i < arg.length()) {
            char c = arg.charAt(i);
            if (c == '{' && i + 1 < arg.length() && arg.charAt(i + 1) == '{') {
                text.append('{');
                i += 2;
            } else if (c == '}' && i + 1 < arg.length() && arg.charAt(i + 1) == '}') {
                text.append('}');
                i += 2;
            } else if (c == '{') {
                int depth = 1;
                int j = i + 1;
                while (j < arg.length() && depth > 0) {
                    char d = arg.charAt(j);
                    if (d == '{') depth++;
                    if (d == '}') depth--;
                    j++;
                }
                if (depth != 0) {
                    text.append(arg, i, arg.length());
                    break;
                }
                out.append(" + ").append(literal(text.toString()));
                text.setLength(0);
                out.append(" + String.valueOf(").append(arg, i + 1, j - 1).append(")");
                i = j;
            } else {
                text.append(c);
                i++;
            }
        }
        out.append(" + ").append(literal(text.toString())).append(")");
        return out.toString();
    }

    static String literal(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c > 0x7e) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
