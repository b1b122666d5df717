package android.view;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The stub framework's window manager and input channel: what WindowManagerGlobal (windows added
 * to the system) and ViewRootImpl's input receiver are in an Android app process. It acts only
 * when the device double gives the process a display: the system property
 * {@value #DISPLAY_PROPERTY} names a host directory the double owns for this package. Then
 * <ul>
 * <li>every window shown (an activity's decor, a dialog) is published in z-order, laid out on a
 * 1080x2400 screen, as {@code windows.json} there (class, text, clickable, enabled, bounds per
 * view, the window's package) - the double's {@code uiautomator dump} reads it;</li>
 * <li>a daemon thread serves the unix socket {@code input} there: one line per connection
 * ({@code tap X Y}, {@code key CODE}, {@code background}, {@code foreground}), answered with one
 * line once handled, as {@code input} injects with INJECT_INPUT_EVENT_MODE_WAIT_FOR_FINISH. A tap
 * ends in {@link View#performClick()} of the clickable view under the point, as a real tap does
 * (the agent's consent hook is there). It runs on the input thread, not on a main looper: the
 * host app's main thread is a plain Java thread.</li>
 * </ul>
 * Without the property nothing here runs: the JVM target is unchanged.
 */
public final class WindowManagerGlobal {
    public static final String DISPLAY_PROPERTY = "android.double.display";
    public static final int WIDTH = 1080;
    public static final int HEIGHT = 2400;
    public static final int TYPE_BASE_APPLICATION = 1; // WindowManager.LayoutParams: an activity
    public static final int TYPE_APPLICATION = 2; // a dialog over its activity
    static final int STATUS_BAR = 66, NAVIGATION_BAR = 132, DIALOG_MARGIN = 66; // 24dp, 48dp

    /** What a window does with the keys and touches that reach it but no view takes. */
    public interface WindowCallbacks {
        void onBackPressed();
        void onTouchOutside();
    }

    /** The app's side of the activity lifecycle the system drives (HOME, back to front). */
    public interface AppLifecycle {
        void toBackground();
        void toForeground();
    }

    private static final class Entry {
        final View root;
        final int type;
        final String packageName;
        final String title;
        final WindowCallbacks callbacks;
        boolean visible = true;

        Entry(View root, int type, String packageName, String title, WindowCallbacks callbacks) {
            this.root = root;
            this.type = type;
            this.packageName = packageName;
            this.title = title;
            this.callbacks = callbacks;
        }
    }

    private static WindowManagerGlobal instance;
    private final Path dir;
    private final List<Entry> windows = new ArrayList<>();
    private AppLifecycle lifecycle;
    private boolean listening;

    private WindowManagerGlobal(Path dir) { this.dir = dir; }

    /** True when the process runs on the device double's display. */
    public static boolean hasDisplay() { return System.getProperty(DISPLAY_PROPERTY) != null; }

    /** The window manager, or null without a display. */
    public static synchronized WindowManagerGlobal getInstance() {
        if (instance == null && hasDisplay()) {
            instance = new WindowManagerGlobal(Paths.get(System.getProperty(DISPLAY_PROPERTY)));
        }
        return instance;
    }

    public synchronized void setAppLifecycle(AppLifecycle l) { lifecycle = l; }

    public synchronized void addView(View root, int type, String packageName, String title,
                                     WindowCallbacks callbacks) {
        for (Entry e : windows) {
            if (e.root == root) {
                e.visible = true;
                publish();
                return;
            }
        }
        windows.add(new Entry(root, type, packageName, title, callbacks));
        listen();
        publish();
    }

    public synchronized void removeView(View root) {
        windows.removeIf(e -> e.root == root);
        publish();
    }

    /** A stopped activity's window stays in its place in the z-order, hidden. */
    public synchronized void setVisible(View root, boolean visible) {
        for (Entry e : windows) {
            if (e.root == root) {
                e.visible = visible;
            }
        }
        publish();
    }

    // ------------------------------------------------------------------ windows.json

    private static void layout(Entry e) {
        if (e.type == TYPE_BASE_APPLICATION) {
            // the decor fills the screen; content sits between the status and navigation bars
            if (e.root instanceof ViewGroup) {
                ((ViewGroup) e.root).setPadding(0, STATUS_BAR, 0, NAVIGATION_BAR);
            }
            e.root.layout(0, 0, WIDTH, HEIGHT);
            return;
        }
        int w = WIDTH - 2 * DIALOG_MARGIN;
        int h = Math.min(e.root.measureHeight(w), HEIGHT - STATUS_BAR - NAVIGATION_BAR);
        int top = (HEIGHT - h) / 2; // a dialog is centred on the screen
        e.root.layout(DIALOG_MARGIN, top, DIALOG_MARGIN + w, top + h);
    }

    private void publish() {
        StringBuilder sb = new StringBuilder("{\"windows\": [");
        boolean first = true;
        for (Entry e : windows) {
            layout(e);
            sb.append(first ? "" : ", ").append("{\"type\": ").append(e.type)
              .append(", \"package\": ").append(quote(e.packageName))
              .append(", \"title\": ").append(quote(e.title))
              .append(", \"visible\": ").append(e.visible)
              .append(", \"root\": ");
            node(e.root, sb);
            sb.append('}');
            first = false;
        }
        sb.append("]}\n");
        try {
            Path tmp = dir.resolve("windows.json.tmp");
            Files.write(tmp, sb.toString().getBytes(StandardCharsets.UTF_8));
            // the double never reads half a file
            Files.move(tmp, dir.resolve("windows.json"), StandardCopyOption.REPLACE_EXISTING,
                       StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException ex) {
            System.err.println("WindowManager: cannot publish windows: " + ex);
        }
    }

    private static void node(View v, StringBuilder sb) {
        CharSequence text = v instanceof android.widget.TextView ? ((android.widget.TextView) v).getText() : null;
        sb.append("{\"class\": ").append(quote(String.valueOf(v.getAccessibilityClassName())))
          .append(", \"text\": ").append(quote(text == null ? "" : text.toString()))
          .append(", \"clickable\": ").append(v.isClickable())
          .append(", \"enabled\": ").append(v.isEnabled())
          .append(", \"bounds\": [").append(v.getLeft()).append(", ").append(v.getTop()).append(", ")
          .append(v.getRight()).append(", ").append(v.getBottom()).append("], \"children\": [");
        if (v instanceof ViewGroup) {
            ViewGroup g = (ViewGroup) v;
            for (int i = 0; i < g.getChildCount(); i++) {
                if (i > 0) {
                    sb.append(", ");
                }
                node(g.getChildAt(i), sb);
            }
        }
        sb.append("]}");
    }

    private static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }

    // ------------------------------------------------------------------ input channel

    /** Bound here, before the first window is published: whoever sees a window can tap it. */
    private void listen() {
        if (listening) {
            return;
        }
        listening = true;
        Path sock = dir.resolve("input");
        final ServerSocketChannel server;
        try {
            Files.deleteIfExists(sock);
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(sock));
        } catch (IOException ex) {
            System.err.println("WindowManager: no input channel: " + ex);
            return;
        }
        Thread t = new Thread(() -> serve(server), "WindowManager-input");
        t.setDaemon(true);
        t.start();
    }

    private void serve(ServerSocketChannel channel) {
        try (ServerSocketChannel server = channel) {
            while (server.isOpen()) {
                try (SocketChannel conn = server.accept()) {
                    BufferedReader in = new BufferedReader(new InputStreamReader(
                            Channels.newInputStream(conn), StandardCharsets.UTF_8));
                    String line = in.readLine();
                    String reply = line == null ? "none" : handle(line.trim().split("\\s+"));
                    OutputStream out = Channels.newOutputStream(conn);
                    out.write((reply + "\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                } catch (IOException | RuntimeException ex) {
                    System.err.println("WindowManager: input event failed: " + ex);
                }
            }
        } catch (IOException ex) {
            System.err.println("WindowManager: no input channel: " + ex);
        }
    }

    private String handle(String[] cmd) {
        switch (cmd[0]) {
            case "tap": return tap(Float.parseFloat(cmd[1]), Float.parseFloat(cmd[2]));
            case "key": return key(Integer.parseInt(cmd[1]));
            case "background":
            case "foreground": {
                AppLifecycle l;
                synchronized (this) {
                    l = lifecycle;
                }
                if (l == null) {
                    return "none";
                }
                if (cmd[0].equals("background")) {
                    l.toBackground();
                } else {
                    l.toForeground();
                }
                return "ok";
            }
            default: return "unknown";
        }
    }

    private synchronized Entry top() {
        for (int i = windows.size() - 1; i >= 0; i--) {
            if (windows.get(i).visible) {
                return windows.get(i);
            }
        }
        return null;
    }

    /** The focused (top) window takes the touch; a point outside a dialog is an outside touch
     *  (the dialog is modal). Inside, the deepest view under the point gets it and a view that
     *  is not clickable passes it to its parent, as View.dispatchTouchEvent does. */
    private String tap(float x, float y) {
        Entry e = top();
        if (e == null) {
            return "none";
        }
        View target;
        synchronized (this) {
            if (!contains(e.root, x, y)) {
                target = null;
            } else {
                target = clickableAt(e.root, x, y);
            }
        }
        if (target == null) {
            if (!contains(e.root, x, y) && e.callbacks != null) {
                e.callbacks.onTouchOutside();
                return "outside";
            }
            return "none";
        }
        target.performClick(); // outside the lock: the click may dismiss its window
        return "click";
    }

    private static boolean contains(View v, float x, float y) {
        return x >= v.getLeft() && x < v.getRight() && y >= v.getTop() && y < v.getBottom();
    }

    private static View clickableAt(View v, float x, float y) {
        if (!contains(v, x, y)) {
            return null;
        }
        if (v instanceof ViewGroup) {
            ViewGroup g = (ViewGroup) v;
            for (int i = g.getChildCount() - 1; i >= 0; i--) { // the topmost child first
                View hit = clickableAt(g.getChildAt(i), x, y);
                if (hit != null) {
                    return hit;
                }
            }
        }
        return v.isClickable() && v.isEnabled() ? v : null;
    }

    private String key(int code) {
        Entry e = top();
        if (code == 4 && e != null && e.callbacks != null) { // KEYCODE_BACK
            e.callbacks.onBackPressed();
            return "back";
        }
        return "none";
    }
}
