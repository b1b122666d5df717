package com.example.privhost;

/** Command-line options of the host app. */
final class HostOptions {
    // the package the system runs this process as (the device double sets it), as
    // Context.getPackageName() tells an app
    String packageName = System.getProperty("android.app.package", "com.example.privhost");
    boolean clean;
    // accept | reject | none | ask (read "accept"/"reject" from stdin) | wait (for a tap on the
    // dialog, as a real app waits for its user). On the device double's display the app waits,
    // as a real one does; elsewhere nobody could tap, so it accepts by itself.
    String consent = android.view.WindowManagerGlobal.hasDisplay() ? "wait" : "accept";
    int consentWaitMs = 120_000; // wait: then it goes on as "none"
    int loopCount = 5;
    int intervalMs = 1000;
    int backgroundMs = 300;
    String appUrl = "http://api.privhost.example/v1/nearby";
    String sdkUrl = "http://alog.umeng.com/app_logs";
    boolean pinCheck = true;
    String pluginDir;
    boolean consentActivity; // the privacy notice is a full-screen activity, not a dialog
    int benchCalls; // > 0: only time catalog calls (for bench/runtime_agent.py), no scenario

    static HostOptions parse(String[] args) {
        HostOptions o = new HostOptions();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--clean": o.clean = true; break;
                case "--consent": o.consent = args[++i]; break;
                case "--consent-wait-ms": o.consentWaitMs = Integer.parseInt(args[++i]); break;
                case "--loop": o.loopCount = Integer.parseInt(args[++i]); break;
                case "--interval-ms": o.intervalMs = Integer.parseInt(args[++i]); break;
                case "--background-ms": o.backgroundMs = Integer.parseInt(args[++i]); break;
                case "--app-url": o.appUrl = args[++i]; break;
                case "--sdk-url": o.sdkUrl = args[++i]; break;
                case "--proxy": com.example.privhost.net.Sender.setProxy(args[++i]); break;
                case "--package": o.packageName = args[++i]; break;
                case "--no-pin-check": o.pinCheck = false; break;
                case "--plugin": o.pluginDir = args[++i]; break;
                case "--consent-activity": o.consentActivity = true; break;
                case "--bench": o.benchCalls = Integer.parseInt(args[++i]); break;
                default: throw new IllegalArgumentException("unknown option " + a);
            }
        }
        return o;
    }
}
