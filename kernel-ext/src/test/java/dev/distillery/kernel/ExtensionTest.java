package dev.distillery.kernel;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.ServiceLoader;
import org.dflib.jjava.jupyter.Extension;
import org.dflib.jjava.jupyter.kernel.BaseKernel;
import org.dflib.jjava.jupyter.kernel.JupyterIO;
import org.dflib.jjava.jupyter.kernel.ReplacementOptions;
import org.dflib.jjava.jupyter.kernel.comm.CommManager;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.kernel.display.Renderer;
import org.dflib.jjava.jupyter.kernel.display.mime.MIMEType;
import org.dflib.jjava.jupyter.kernel.magic.MagicsRegistry;
import org.dflib.jjava.jupyter.kernel.util.StringStyler;
import org.junit.jupiter.api.Test;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.Table;

/** A stock jjava kernel that finds this jar on its class path gets the distillation magics and renderers. */
class ExtensionTest {

    /** The smallest jjava kernel: no language of its own, extensions on, as any JJava-based kernel. */
    static final class BareKernel extends BaseKernel {
        BareKernel() {
            super(
                    "bare",
                    "1",
                    null,
                    List.of(),
                    null,
                    new JupyterIO(java.nio.charset.StandardCharsets.UTF_8),
                    new CommManager(),
                    new Renderer(),
                    null,
                    new MagicsRegistry(),
                    true,
                    new StringStyler.Builder().build());
        }

        @Override
        public Object evalRaw(String source) {
            return null;
        }

        @Override
        public DisplayData inspect(String code, int at, boolean extraDetail) {
            return null;
        }

        @Override
        public ReplacementOptions complete(String code, int at) {
            return null;
        }

        @Override
        public String isComplete(String code) {
            return IS_COMPLETE_MAYBE;
        }
    }

    @Test
    void serviceLoaderFindsTheExtensionAndItInstallsMagicsAndRenderers() throws Exception {
        assertTrue(
                ServiceLoader.load(Extension.class).stream().anyMatch(p -> p.type() == DistilleryExtension.class),
                "META-INF/services registers DistilleryExtension");
        BareKernel k = new BareKernel();
        k.onStartup();
        try {
            for (String m : List.of("teacher", "student", "distill", "runs", "plot", "help", "lsmagic")) {
                assertTrue(k.getMagicsRegistry().getLineMagicNames().contains(m), m);
            }
            assertTrue(k.getMagicsRegistry().getCellMagicNames().contains("distill"));
            Object spec = k.getMagicsRegistry().evalLineMagic(k, "student", List.of("tiny", "--spec", "mlp:64"));
            assertEquals("mlp:64", ((dev.distillery.model.ModelSpec) spec).compact());
            DisplayData table = k.getRenderer().render(Table.create("t", IntColumn.create("x", 1, 2)));
            assertTrue(((String) table.getData(MIMEType.TEXT_HTML)).contains(">x</th>"));
            // the kernel-only magics are not offered where there is no Distillery JShell
            assertFalse(k.getMagicsRegistry().getLineMagicNames().contains("maven"));
        } finally {
            k.onShutdown(false);
        }
    }
}
