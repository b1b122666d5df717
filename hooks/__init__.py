"""Code that runs inside other processes: the Frida agent (frida/) and the mitmproxy addon."""
