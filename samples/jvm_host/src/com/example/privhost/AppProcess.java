package com.example.privhost;

/** What the variants share: the host app's run, then the process stays, as an Android app
 *  process does after its work until the system stops it (force-stop, kill). Its stdin is not
 *  a control channel there, so HostMain's final read returns at once. */
final class AppProcess {
    private AppProcess() {}

    static void run(String[] args) throws Exception {
        HostMain.main(args);
        Object forever = new Object();
        synchronized (forever) {
            while (true) {
                forever.wait();
            }
        }
    }
}
