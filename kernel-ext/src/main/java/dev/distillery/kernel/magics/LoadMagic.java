package dev.distillery.kernel.magics;

import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(
        name = "%load",
        description = "Run a file of Java code (magics allowed) in the kernel, as if it were a cell.",
        footer = {"", "Examples:", "  %%load helpers.jsh", "  var x = %%load setup.java"})
final class LoadMagic extends Magic {

    @Parameters(index = "0", paramLabel = "FILE", description = "a .java or .jsh file")
    Path file;

    @Override
    public Object run(String body) throws Exception {
        MagicContext.Code code = ctx.requireCode("%load");
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("%load: " + file.toAbsolutePath() + " does not exist or is not a file");
        }
        return code.eval(Files.readString(file));
    }
}
