package dev.distillery.kernel.magics;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine.Command;

@Command(
        name = "%tb",
        description = "The full stack trace of the last error (errors show only their message).",
        footer = {"", "Example:", "  %%tb"})
final class TracebackMagic extends Magic {

    @Override
    public MagicHelp run(String body) {
        Throwable t = ctx.requireCode("%tb").lastError();
        if (t == null) {
            return new MagicHelp("no error yet in this kernel");
        }
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        return new MagicHelp(w.toString());
    }
}
