package dev.distillery.kernel.magics;

import dev.distillery.kernel.display.Html;
import java.util.Set;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.kernel.display.DisplayDataRenderable;
import org.dflib.jjava.jupyter.kernel.display.RenderContext;
import org.dflib.jjava.jupyter.kernel.display.mime.MIMEType;

/** Help text for one magic or all of them, shown preformatted. */
public record MagicHelp(String text) implements DisplayDataRenderable {

    @Override
    public Set<MIMEType> getPreferredRenderTypes() {
        return Set.of(MIMEType.TEXT_PLAIN, MIMEType.TEXT_HTML);
    }

    @Override
    public void render(RenderContext context) {
        DisplayData out = context.getOutputContainer();
        out.putText(text);
        out.putHTML("<pre>" + Html.escape(text) + "</pre>");
    }

    @Override
    public String toString() {
        return text;
    }
}
