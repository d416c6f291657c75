package dev.distillery.kernel;

import dev.distillery.kernel.display.DisplaySink;
import dev.distillery.kernel.display.Renderers;
import dev.distillery.kernel.magics.MagicCatalog;
import dev.distillery.kernel.magics.MagicContext;
import org.dflib.jjava.jupyter.Extension;
import org.dflib.jjava.jupyter.kernel.BaseKernel;

/**
 * Brings Distillery into a stock JJava kernel: put this jar (and distill-lib) on the kernel's
 * class path and the distillation magics, {@code %help} and the renderers are registered.
 * Distillery's own kernel installs the same pieces itself, with its JShell-backed magics too.
 */
public final class DistilleryExtension implements Extension {

    private MagicContext context;

    @Override
    public void install(BaseKernel kernel) {
        if (kernel instanceof DistilleryKernel) {
            return;
        }
        MagicCatalog catalog = MagicCatalog.distillation();
        context = new MagicContext(kernel, DisplaySink.of(kernel), Workbench.fromEnvironment(), catalog, null);
        catalog.registerWith(kernel.getMagicsRegistry(), context);
        Renderers.registerAll(kernel.getRenderer());
        Notebook.install(context);
    }

    @Override
    public void uninstall(BaseKernel kernel) {
        if (context != null) {
            Notebook.uninstall(context);
        }
    }
}
