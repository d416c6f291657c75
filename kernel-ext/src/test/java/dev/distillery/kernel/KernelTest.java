package dev.distillery.kernel;

import static org.junit.jupiter.api.Assertions.*;

import dev.distillery.model.MlpSpec;
import dev.distillery.model.ModelSpec;
import java.util.Base64;
import java.util.List;
import org.dflib.jjava.jupyter.kernel.ReplacementOptions;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.kernel.display.mime.MIMEType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Java evaluation, completion, inspection and error reporting in an in-process kernel. */
class KernelTest {

    static KernelHarness h;

    @BeforeAll
    static void start() {
        h = new KernelHarness();
    }

    @AfterAll
    static void stop() {
        h.close();
    }

    @Test
    void evaluatesJavaKeepingStateBetweenCells() {
        assertNull(h.exec("int base = 40;"));
        h.exec("int twice(int x) { return 2 * x; }");
        assertEquals("42", KernelHarness.text(h.exec("base + 2")));
        assertEquals("84", KernelHarness.text(h.exec("int y = twice(base + 2);\ny")));
        assertNull(h.exec("var list = new ArrayList<String>();"), "a declaration shows nothing");
        // the library and ND4J are imported by default
        assertEquals("6.0", KernelHarness.text(h.exec("Nd4j.ones(2, 3).sumNumber().doubleValue()")));
        assertEquals("mlp:800x800", KernelHarness.text(h.exec("ModelSpec.parse(\"mlp:800x800\").compact()")));
    }

    @Test
    void cellValueIsTheObjectItselfNotItsString() {
        h.exec("record Pair(int a, int b) {}");
        Object v = h.kernel.evalRaw("new Pair(1, 2)");
        assertEquals("Pair", v.getClass().getSimpleName());
        assertEquals("Pair[a=1, b=2]", v.toString());
    }

    @Test
    void lineMagicValueIsTypedAndShownAsAStatement() {
        // used as a value: typed as the magic declares, so its methods are callable
        assertEquals(
                "[64]", KernelHarness.text(h.exec("var s = %student small --spec mlp:64\n((MlpSpec) s).hidden()")));
        // used as a statement: the value is displayed (the stock transpiler would drop it)
        DisplayData shown = h.exec("%student small --spec mlp:64");
        assertNotNull(shown, "a magic on its own line must produce the cell's value");
        assertTrue(KernelHarness.text(shown).contains("50,890 parameters"), KernelHarness.text(shown));
        // {expr} inserts a Java value; a trailing semicolon is tolerated
        h.exec("int width = 24;");
        ModelSpec wide = (ModelSpec) h.kernel.evalRaw("%student w --spec mlp:{width}x{width * 2};");
        assertEquals(List.of(24, 48), ((MlpSpec) wide).hidden());
        assertSame(wide, h.kernel.evalRaw("student(\"w\")"));
    }

    @Test
    void compileErrorsAndExceptionsStartWithWhatWentWrong() {
        List<String> compile = h.error("int z = \"text\";");
        assertTrue(compile.get(0).startsWith("compile error: incompatible types"), compile.toString());
        assertTrue(compile.stream().anyMatch(l -> l.contains("int z = \"text\";")), compile.toString());

        List<String> thrown = h.error("throw new IllegalStateException(\"the teacher is missing\");");
        assertEquals("IllegalStateException: the teacher is missing", thrown.get(0));
        assertFalse(
                thrown.stream().anyMatch(l -> l.trim().startsWith("at ")), "no stack trace unless asked: " + thrown);
        String tb = KernelHarness.text(h.exec("%tb"));
        assertTrue(tb.contains("IllegalStateException: the teacher is missing") && tb.contains("\tat "), tb);

        List<String> checked = h.error("throw new java.io.IOException(\"disk full\");");
        assertEquals("IOException: disk full", checked.get(0));

        List<String> open = h.error("for (int i = 0; i < 3; i++) {");
        assertTrue(open.get(0).startsWith("compile error: the code is not finished"), open.toString());

        assertEquals(
                "unknown line magic '%nosuch'; %lsmagic lists the magics",
                h.error("%nosuch 1 2").get(0));
        // still usable after all of that
        assertEquals("2", KernelHarness.text(h.exec("1 + 1")));
    }

    @Test
    void completesJavaMagicNamesAndMagicOptions() {
        ReplacementOptions java = h.kernel.complete("Distill.fr", 10);
        assertTrue(
                java.getReplacements().contains("from("), java.getReplacements().toString());
        assertEquals(8, java.getSourceStart());

        ReplacementOptions names = h.kernel.complete("%dis", 4);
        assertEquals(List.of("%distill"), names.getReplacements());
        assertEquals(0, names.getSourceStart());

        ReplacementOptions options = h.kernel.complete("%distill tiny --fro", 19);
        assertEquals(List.of("--from"), options.getReplacements());
        assertEquals(14, options.getSourceStart());
        assertEquals(
                List.of("--fresh", "--from"),
                h.kernel.complete("%distill tiny --fr", 18).getReplacements());

        ReplacementOptions kinds = h.kernel.complete("%plot tr", 8);
        assertEquals(List.of("tradeoff"), kinds.getReplacements());
    }

    @Test
    void inspectsJavaAndMagics() {
        DisplayData doc = h.kernel.inspect("Distill.from(", 13, false);
        assertNotNull(doc);
        assertTrue(KernelHarness.text(doc).contains("Distill.from(Teacher teacher)"), KernelHarness.text(doc));
        String max = KernelHarness.text(h.kernel.inspect("Math.max", 8, false));
        assertTrue(max.contains("int Math.max(int a, int b)"), "a method named without parentheses: " + max);
        assertTrue(
                max.contains("Returns the greater of two int values."),
                "with the JDK's Javadoc as plain text (Debian's openjdk-17-source): " + max);
        h.exec("var answer = 6 * 7;");
        String variable = KernelHarness.text(h.kernel.inspect("answer", 6, false));
        assertTrue(variable.contains("answer:int"), variable);
        String list = KernelHarness.text(h.kernel.inspect("java.util.List", 14, true));
        assertTrue(list.contains("java.util.List<E>") && list.contains("An ordered collection"), list);
        String from = KernelHarness.text(h.kernel.inspect("Distill.from", 12, true));
        assertTrue(from.contains("Distill.from(Teacher teacher)"), from);
        assertTrue(from.contains("Distils from teacher."), "Distillery's own Javadoc, read from its sources: " + from);
        assertTrue(
                from.contains("Distill Distill.from(Ensemble ensemble)\n\nDistils from several teachers"),
                "each overload with its own comment: " + from);
        String student = KernelHarness.text(h.kernel.inspect("Student", 7, true));
        assertTrue(student.contains("Composes a student from modules in code"), student);
        DisplayData magic = h.kernel.inspect("%distill tiny --from cnn", 3, false);
        assertTrue(KernelHarness.text(magic).contains("Usage: %distill"), KernelHarness.text(magic));
    }

    @Test
    void isCompleteAnswersLikeJShell() {
        assertEquals("complete", h.kernel.isComplete("int a = 1;"));
        assertEquals("    ", h.kernel.isComplete("for (int i = 0; i < 3; i++) {"));
        assertEquals("complete", h.kernel.isComplete("%runs --summary"));
    }

    @Test
    void helpListsEveryMagicWithItsUsage() {
        String ls = KernelHarness.text(h.exec("%lsmagic"));
        for (String m : List.of(
                "%teacher",
                "%student",
                "%distill",
                "%%distill",
                "%sweep",
                "%runs",
                "%dataset",
                "%plot",
                "%classpath",
                "%jars",
                "%maven",
                "%load",
                "%help",
                "%lsmagic",
                "%tb")) {
            assertTrue(
                    ls.contains("  " + m + " ") || ls.contains("  " + m + "\n"), m + " missing from %lsmagic:\n" + ls);
        }
        String help = KernelHarness.text(h.exec("%help distill"));
        assertTrue(help.startsWith("Usage: %distill"), help);
        assertTrue(help.contains("--from=TEACHER") && help.contains("Examples:"), help);
        assertTrue(KernelHarness.text(h.exec("%help %%distill")).startsWith("Usage: %%distill"));
        // the same declaration gives the HTML form
        assertTrue(((String) h.exec("%help runs").getData(MIMEType.TEXT_HTML)).startsWith("<pre>Usage: %runs"));
    }

    @Test
    void aRegisteredFeatureLossAppearsInHelpAndInTheUnknownNameError() {
        dev.distillery.loss.FeatureTerms.register(
                "twice-mse",
                "twice the mean squared error",
                (s, t) ->
                        dev.distillery.loss.FeatureTerms.get("mse").define(s, t).mul(2));
        String help = KernelHarness.text(h.exec("%help distill"));
        assertTrue(help.contains("twice-mse") && help.contains("twice the mean squared error"), help);
        assertTrue(
                help.contains("Feature losses")
                        && help.contains("hinton(T, alpha)")
                        && help.contains("fashion-mnist")
                        && help.contains("bge-small-en-v1.5"),
                help);
        assertTrue(KernelHarness.text(h.exec("%help sweep")).contains("twice-mse"));
        String unknown = String.join("\n", h.error("FeatureTerms.get(\"twice-mae\");"));
        assertTrue(unknown.contains("unknown feature loss 'twice-mae'") && unknown.contains("twice-mse"), unknown);
    }

    @Test
    void badMagicLinesPrintTheUsage() {
        List<String> missing = h.error("%distill");
        assertEquals("%distill: Missing required parameter: 'STUDENT'", missing.get(0));
        assertTrue(
                missing.contains("Usage: %distill [--batch-size=N] [--data=DATA] [--epochs=N] [--from=TEACHER]")
                        || missing.stream().anyMatch(l -> l.startsWith("Usage: %distill")),
                missing.toString());

        List<String> badNumber = h.error("%distill tiny --epochs many");
        assertTrue(
                badNumber.get(0).startsWith("%distill: Invalid value for option '--epochs': 'many' is not an int"),
                badNumber.get(0));

        List<String> unknown = h.error("%student s --spec mlp:64 --colour red");
        assertTrue(unknown.get(0).startsWith("%student: Unknown options: '--colour', 'red'"), unknown.get(0));

        List<String> neither = h.error("%teacher t");
        assertEquals(
                "%teacher: give --spec SPEC to train, --load FILE to load, --pretrained MODEL or --onnx FILE",
                neither.get(0));

        List<String> noTeacher = h.error("%distill mlp:64 --loss hinton:T=4,alpha=0.5");
        assertTrue(noTeacher.get(0).contains("learns from a teacher: add --from TEACHER"), noTeacher.get(0));

        List<String> badSpec = h.error("%student s --spec mlp:64xbig");
        assertTrue(badSpec.get(0).contains("size 'big' is not a whole number"), badSpec.get(0));

        List<String> noFile = h.error("%teacher t --load /nonexistent/teacher.dtm");
        assertTrue(noFile.get(0).contains("/nonexistent/teacher.dtm"), noFile.get(0));
    }

    /** Each names the flag or field, the value, and the fix; none reaches the compiler or a parser's internals. */
    @Test
    void smallMistakesAreNamedWithTheirFix() {
        List<String> empty = h.error("%%distill");
        assertTrue(empty.get(0).startsWith("%%distill: the cell has no experiment spec"), empty.toString());
        List<String> blank = h.error("%%distill\n\n");
        assertTrue(blank.get(0).startsWith("%%distill: the cell has no experiment spec"), blank.toString());

        List<String> yaml = h.error("%%distill\nname: x\ndata: {labels: 100}}\n");
        assertTrue(yaml.get(0).contains("is not valid YAML (line 2)"), yaml.get(0));
        List<String> flow = h.error("%%distill\n{name: x, data: {labels: 100}\n");
        assertTrue(flow.get(0).contains("is not valid YAML"), flow.get(0));
        for (String line : List.of(yaml.get(0), flow.get(0))) {
            assertFalse(line.contains("JSON") || line.contains("Source") || line.contains("'reader'"), line);
        }

        List<String> unknownData = h.error("%%distill\nname: x\ndata: no-such-set\n"
                + "students: [{name: s, model: {type: mlp, hidden: [8]}}]\nrecipes: [{loss: {type: scratch}}]\n");
        assertTrue(
                unknownData.get(0).contains("unknown dataset 'no-such-set'; known: fashion-mnist"), unknownData.get(0));

        List<String> strayX = h.error("%student s --spec mlp:800x800x");
        assertTrue(strayX.get(0).contains("a size is missing in '800x800x'"), strayX.get(0));

        List<String> assistants = h.error("%chain s --from t --assistants -1");
        assertTrue(assistants.get(0).startsWith("%chain: --assistants must be at least 1, got -1"), assistants.get(0));

        List<String> depths = h.error("%sweep --from t --depths 0 --widths 16");
        assertTrue(depths.get(0).startsWith("%sweep: --depths values must each be at least 1, got 0"), depths.get(0));

        List<String> last = h.error("%runs --last -1");
        assertTrue(last.get(0).startsWith("%runs: --last must be at least 1, got -1"), last.get(0));
    }

    @Test
    void errorInNotebookCodeLeavesEarlierStateIntact() {
        h.exec("var kept = new ArrayList<Integer>(List.of(1, 2, 3));");
        h.error("kept.get(10)");
        assertEquals("3", KernelHarness.text(h.exec("kept.size()")));
    }

    static byte[] png(DisplayData d) {
        return Base64.getDecoder().decode((String) d.getData(MIMEType.IMAGE_PNG));
    }
}
