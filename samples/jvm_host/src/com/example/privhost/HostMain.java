package com.example.privhost;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.util.Collections;

/** Plays the part of Android's ActivityThread for the host app. An ordinary Java program: under
 *  privascope it is started through the launcher, which holds it until the agent's hooks are in. */
public final class HostMain {
    private HostMain() {}

    public static void main(String[] args) throws Exception {
        HostOptions opts;
        try {
            opts = HostOptions.parse(args);
        } catch (RuntimeException e) {
            System.err.println("privhost: " + e.getMessage());
            System.exit(2);
            return;
        }
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        System.out.println("privhost: start pid=" + ProcessHandle.current().pid() + (opts.clean ? " clean" : ""));
        System.out.flush();
        if (opts.benchCalls > 0) {
            bench(opts);
        } else {
            run(opts, in);
        }
        System.out.println("privhost: done");
        System.out.flush();
        String line;
        while ((line = in.readLine()) != null && !line.trim().equals("quit")) {
            // stay alive until killed so late messages reach the session
        }
    }

    static void run(HostOptions opts, BufferedReader in) throws Exception {
        MainActivity activity = new MainActivity(opts);
        phase("launch");
        activity.create();
        activity.start();
        activity.resume();
        if (opts.pluginDir != null) {
            loadPlugin(opts.pluginDir);
        }

        phase("consent");
        Boolean accepted = activity.askConsent(opts.consent, () -> {
            System.out.println("privhost: type accept or reject");
            System.out.flush();
            try {
                String l = in.readLine();
                return l == null ? "none" : l.trim();
            } catch (java.io.IOException e) {
                return "none";
            }
        });
        if (Boolean.TRUE.equals(accepted)) {
            phase("accepted");
            activity.afterAccept();
        } else if (Boolean.FALSE.equals(accepted)) {
            phase("rejected");
            activity.afterReject();
        }

        phase("background");
        activity.pause();
        activity.stop();
        activity.whileInBackground();
        Thread.sleep(opts.backgroundMs);
        activity.start();
        activity.resume();

        phase("loop");
        for (int i = 0; i < opts.loopCount; i++) {
            activity.tick();
            Thread.sleep(opts.intervalMs);
        }
        if (opts.pinCheck) {
            pinCheck();
        }
    }

    /** A pinned TLS stack refusing the proxy's certificate; the agent's unpinning makes it pass. */
    static void pinCheck() {
        try {
            new okhttp3.CertificatePinner().check("alog.umeng.com", Collections.<Certificate>emptyList());
            System.out.println("privhost: pinning check passed");
        } catch (Exception e) {
            System.out.println("privhost: pinning check failed: " + e.getClass().getName());
        }
        System.out.flush();
    }

    /** Times N reads of ANDROID_ID (a reported catalog call) and N reads of a harmless setting
     *  through the same hooked method (filtered out by the key check, not reported). */
    static void bench(HostOptions opts) {
        android.content.ContentResolver cr = new android.content.ContentResolver();
        long t0 = System.nanoTime();
        for (int i = 0; i < opts.benchCalls; i++) {
            android.provider.Settings.Secure.getString(cr, "android_id");
        }
        long t1 = System.nanoTime();
        for (int i = 0; i < opts.benchCalls; i++) {
            android.provider.Settings.Secure.getString(cr, "default_input_method");
        }
        long t2 = System.nanoTime();
        System.out.println("privhost: bench reported_ns=" + (t1 - t0) + " filtered_ns=" + (t2 - t1) + " calls=" + opts.benchCalls);
    }

    /** Loads a class that is not on the classpath through a new class loader and calls it. */
    static void loadPlugin(String dir) {
        try {
            java.net.URLClassLoader loader = new java.net.URLClassLoader(
                    new java.net.URL[] {new java.io.File(dir).toURI().toURL()}, HostMain.class.getClassLoader());
            Class<?> k = loader.loadClass("com.example.plugin.DeviceIdProvider");
            Object provider = k.getDeclaredConstructor().newInstance();
            Object oaid = k.getMethod("getOaid").invoke(provider);
            System.out.println("privhost: plugin loaded (" + String.valueOf(oaid).length() + " chars)");
        } catch (Exception e) {
            System.out.println("privhost: plugin failed: " + e);
        }
    }

    private static void phase(String name) {
        System.out.println("privhost: phase " + name);
        System.out.flush();
    }
}
