package dev.distillery.kernel.display;

import org.dflib.jjava.jupyter.kernel.BaseKernel;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;

/**
 * Where display data goes: Jupyter's {@code display_data} and {@code update_display_data}
 * messages of the running cell. A test kit swaps in a recorder to check outputs without Jupyter.
 */
public interface DisplaySink {

    void display(DisplayData data);

    void update(String displayId, DisplayData data);

    /** Clears the running cell's output: at once, or ({@code wait}) when its next output arrives. */
    void clearOutput(boolean wait);

    /**
     * The kernel's IOPub channel; only publishes while a cell runs. JJava's public API has no way to
     * clear a cell from outside its kernel class, so inside another JJava kernel clearing does nothing.
     */
    static DisplaySink of(BaseKernel kernel) {
        return new DisplaySink() {
            @Override
            public void display(DisplayData data) {
                kernel.display(data);
            }

            @Override
            public void update(String displayId, DisplayData data) {
                kernel.getIO().display.updateDisplay(displayId, data);
            }

            @Override
            public void clearOutput(boolean wait) {
                // not reachable through JJava's public API from outside the kernel class
            }
        };
    }
}
