"""The JVM host app: a Java 17 program with stub `android.*` classes that behaves like an app with
an embedded SDK, so the Frida agent can be tested on this machine's HotSpot JVM."""
