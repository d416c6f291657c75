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
            "  %%student mine --spec student.yaml",
            "  %%student composed --spec {Student.input(784).linear(128).gelu().layerNorm().classifier(10)}",
            "",
            "A student built in a cell from modules (Student.input(N) or Student.image(C, H, W), then",
            "linear, conv, maxPool, layerNorm, dropout and activations, then classifier(K)) is a spec like",
            "any other: %%distill {student} --from TEACHER distils it, and its record keeps the steps."
        })
final class StudentMagic extends Magic {

    @Parameters(index = "0", paramLabel = "NAME", description = "name to keep the student under")
    String name;

    @Option(
            names = "--spec",
            required = true,
            paramLabel = "SPEC",
            description =
                    "compact spec (mlp:64, mlp:800x800, cnn:16x32, stack:linear:64>relu) or a JSON/YAML spec file")
    String spec;

    @Override
    public ModelSpec run(String body) {
        ModelSpec s = ModelSpecs.read(spec);
        ctx.workbench().putStudent(name, s);
        return s;
    }
}
