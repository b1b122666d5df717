package privascope.launch;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Runs an unmodified Java program under privascope's Frida agent:
 * {@code java -cp LAUNCHER:CLASSPATH privascope.launch.Launcher MAINCLASS [ARGS...]}.
 *
 * <p>The JVM starts, this class prints {@link #WAITING} on stderr and holds the program: its main
 * class is loaded (so a wrong name fails at once) but not initialised, so not one of its static
 * initialisers has run. The agent attaches, installs its hooks and then calls {@link #release()}
 * through Frida's Java bridge; only then does the program's {@code main(String[])} run, with its
 * original arguments. Reads in the program's first static initialiser are therefore recorded.
 */
public final class Launcher {
    /** The line privascope waits for before it attaches (the JVM is up). */
    public static final String WAITING = "privascope-launcher: waiting for the agent";
    /** Printed once the agent has released the program. */
    public static final String RELEASED = "privascope-launcher: released";

    private static final CountDownLatch GO = new CountDownLatch(1);

    private Launcher() {}

    /** Called by the agent once its hooks are live. Idempotent. */
    public static void release() {
        GO.countDown();
    }

    public static void main(String[] args) throws Throwable {
        if (args.length < 1) {
            fail(2, "usage: privascope.launch.Launcher MAINCLASS [ARGS...]");
        }
        String name = args[0];
        Method main = findMain(name);
        // Generous: the agent may take long to hook on a loaded machine, but a program nobody
        // releases must not wait forever.
        long timeout = Long.getLong("privascope.launcher.timeout", 300L);
        System.err.println(WAITING + " (pid " + ProcessHandle.current().pid() + ", main " + name + ")");
        System.err.flush();
        if (!GO.await(timeout, TimeUnit.SECONDS)) {
            fail(3, "the privascope agent did not release " + name + " within " + timeout
                    + "s (no hooks installed?); the program was not started");
        }
        System.err.println(RELEASED);
        System.err.flush();
        // Frida's agent thread is attached to this JVM as a non-daemon thread, so the JVM would
        // never end by itself once main returns. Threads alive now are not the program's: end as
        // `java MAINCLASS` would, once main and the program's own non-daemon threads are done.
        Set<Thread> foreign = liveNonDaemonThreads();
        int status = 0;
        try {
            main.invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
        } catch (InvocationTargetException e) {
            // The program's own exception, reported as if it had been started directly.
            Thread t = Thread.currentThread();
            t.getUncaughtExceptionHandler().uncaughtException(t, e.getCause());
            status = 1;
        }
        awaitProgramThreads(foreign);
        System.exit(status);
    }

    private static Set<Thread> liveNonDaemonThreads() {
        Set<Thread> out = new HashSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive() && !t.isDaemon() && t != Thread.currentThread()) {
                out.add(t);
            }
        }
        return out;
    }

    private static void awaitProgramThreads(Set<Thread> foreign) throws InterruptedException {
        while (true) {
            Set<Thread> left = liveNonDaemonThreads();
            left.removeAll(foreign);
            if (left.isEmpty()) {
                return;
            }
            for (Thread t : left) {
                t.join();
            }
        }
    }

    /** Loads the main class without initialising it and finds its public static main. */
    private static Method findMain(String name) {
        Class<?> cls;
        try {
            cls = Class.forName(name, false, ClassLoader.getSystemClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            fail(2, "main class " + name + " not found on the classpath (" + e + ")");
            return null;
        }
        try {
            Method m = cls.getMethod("main", String[].class);
            if (Modifier.isStatic(m.getModifiers())) {
                m.setAccessible(true); // a public main in a non-public class
                return m;
            }
        } catch (NoSuchMethodException e) {
            // reported below
        }
        fail(2, name + " has no public static void main(String[])");
        return null;
    }

    private static void fail(int code, String message) {
        System.err.println("privascope-launcher: error: " + message);
        System.err.flush();
        System.exit(code);
    }
}
