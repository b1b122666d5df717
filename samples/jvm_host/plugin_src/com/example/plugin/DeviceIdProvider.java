package com.example.plugin;

/** Code the host app loads at run time through its own class loader (as apps load SDK plugins
 *  or as packers load the real app): the agent can only hook it once that loader exists. */
public class DeviceIdProvider {
    public String getOaid() {
        return "f3c2a1b0-oaid-0000-privhost";
    }
}
