package android.os;

/** Stub of android.os.Bundle: only what the host app needs. */
public class Bundle {
}
