package dev.distillery.kernel.magics;

import dev.distillery.model.ModelSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "%student",
        description = "Declare a student model and keep it under NAME for %%distill.",
        footer = {
            "",
            "Examples:",
            "  %%student tiny --spec mlp:64",
            "  %%student wide --spec mlp:800x800",
            "  %%student mine --spec student.yaml"
        })
final class StudentMagic extends Magic {

    @Parameters(index = "0", paramLabel = "NAME", description = "name to keep the student under")
    String name;

    @Option(
            names = "--spec",
            required = true,
            paramLabel = "SPEC",
            description = "compact spec (mlp:64, mlp:800x800, cnn:16x32) or a JSON/YAML spec file")
    String spec;

    @Override
    public ModelSpec run(String body) {
        ModelSpec s = ModelSpecs.read(spec);
        ctx.workbench().putStudent(name, s);
        return s;
    }
}
