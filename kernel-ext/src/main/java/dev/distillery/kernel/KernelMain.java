package dev.distillery.kernel;

import java.nio.file.Files;
import java.nio.file.Path;
import org.dflib.jjava.jupyter.channels.JupyterConnection;
import org.dflib.jjava.jupyter.kernel.KernelConnectionProperties;

/** Started by Jupyter through the installed kernelspec: {@code KernelMain CONNECTION_FILE}. */
public final class KernelMain {

    private KernelMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: KernelMain CONNECTION_FILE  (Jupyter starts the kernel this way; to install it "
                    + "run ./distillery kernel install)");
            System.exit(2);
        }
        Path file = Path.of(args[0]);
        if (!Files.isRegularFile(file)) {
            System.err.println("distillery kernel: connection file " + file.toAbsolutePath() + " does not exist");
            System.exit(2);
        }
        ExitGuard.install();
        KernelConnectionProperties props = KernelConnectionProperties.parse(Files.readString(file));
        JupyterConnection connection = new JupyterConnection(props);
        DistilleryKernel kernel = DistilleryKernel.builder().build();
        kernel.onStartup();
        kernel.becomeHandlerForConnection(connection);
        connection.connect();
        connection.waitUntilClose();
        // ND4J keeps non-daemon threads; the kernel is done once Jupyter closed the connection
        ExitGuard.allowExit();
        System.exit(0);
    }
}
