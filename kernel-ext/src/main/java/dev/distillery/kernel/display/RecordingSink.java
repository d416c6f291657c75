package dev.distillery.kernel.display;

import java.util.ArrayList;
import java.util.List;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;

/** Keeps every display and update in order: a test kit for magics and renderers without Jupyter. */
public final class RecordingSink implements DisplaySink {

    /**
     * One output message: a new display (update false) or an update of display {@code id}; a clear
     * of the cell's output has no data.
     */
    public record Event(boolean update, String id, DisplayData data) {

        /** Whether this event cleared the cell's output. */
        public boolean cleared() {
            return data == null;
        }
    }

    private final List<Event> events = new ArrayList<>();

    @Override
    public synchronized void display(DisplayData data) {
        events.add(new Event(false, data.getDisplayId(), new DisplayData(data)));
    }

    @Override
    public synchronized void update(String displayId, DisplayData data) {
        events.add(new Event(true, displayId, new DisplayData(data)));
    }

    @Override
    public synchronized void clearOutput(boolean wait) {
        events.add(new Event(false, wait ? "wait" : "now", null));
    }

    public synchronized List<Event> events() {
        return List.copyOf(events);
    }

    public synchronized void clear() {
        events.clear();
    }
}
