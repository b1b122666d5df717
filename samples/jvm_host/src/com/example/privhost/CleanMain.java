package com.example.privhost;

/** The clean host app (`--clean`) as a package's program on the device double: run with no
 *  arguments, as an app process is. */
public final class CleanMain {
    private CleanMain() {}

    public static void main(String[] args) throws Exception {
        AppProcess.run(new String[] {"--clean"});
    }
}
