package com.example.early;

import android.telephony.TelephonyManager;

/** An ordinary Java program, with no privascope handshake at all: the very first code it runs, the
 *  static initialiser of its main class, reads the device ID, as an Application.onCreate or a
 *  ContentProvider does before any consent dialog. Traced through privascope's launcher, that read
 *  must be recorded, before consent. Prints its arguments so a test sees them passed unchanged. */
public final class EarlyMain {
    static final String DEVICE_ID = new TelephonyManager().getDeviceId();

    private EarlyMain() {}

    public static void main(String[] args) {
        System.out.println("early: read " + DEVICE_ID.length() + " chars; args=" + String.join("|", args));
        System.out.flush();
    }
}
