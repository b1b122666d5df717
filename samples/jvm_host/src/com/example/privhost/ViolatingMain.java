package com.example.privhost;

/** The violating host app as a package's program on the device double: run with no arguments,
 *  as an app process is (the device double runs a package's main class unmodified). */
public final class ViolatingMain {
    private ViolatingMain() {}

    public static void main(String[] args) throws Exception {
        AppProcess.run(new String[0]);
    }
}
