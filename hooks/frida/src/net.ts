// The app process's own outgoing connections (issue 11 items 3 and 11): which hosts this
// process asked for, and whether through a proxy. Python matches them to the proxy's flows
// (flows no process of the app asked for are device traffic, not the app's) and lists the
// connections that bypassed the proxy (their content was never seen).
//
// One message type, net:connect {kind, host, ip, port, transport, via_proxy, scheme, error,
// thread, stack, module, time}. `via_proxy` is what the HTTP stack itself says (null where the
// hook cannot know: socket-level connects, WebView, Cronet); Python decides the rest from the
// endpoint (a connect to loopback is not a connect to the internet).
//
// Levels, each hook guarded (a class that is not there is simply not hooked):
// - HTTP stacks give the host the app asked for, also when the socket goes to the proxy:
//   HttpURLConnection (Android: com.android.okhttp.internal.huc.HttpURLConnectionImpl, AOSP
//   external/okhttp android-14.0.0_r1: connect() and getResponse() both run the private
//   execute(boolean), and usingProxy() reads the route's proxy; HotSpot 17:
//   sun.net.www.protocol.http.HttpURLConnection.connect(), and for https the override in
//   sun.net.www.protocol.https.AbstractDelegateHttpsURLConnection), OkHttp 3/4 (RealCall
//   execute/enqueue: the request's URL; RealConnection.connect: the route's proxy), WebView
//   (loadUrl: the page, not its sub-resources), Cronet (CronetEngineBase.newUrlRequestBuilder).
// - java.net.Socket.connect(SocketAddress, int) (every Java TCP connect: the 1-argument form
//   calls it) and sun.nio.ch.SocketChannelImpl.connect: the host string as given, no lookup.
// - libc connect(): everything else in the process (Flutter/Dart, Cronet's QUIC over connected
//   UDP sockets, NDK code): only the address and port. A connect made inside a hooked Java
//   connect on the same thread is that one, not reported twice.
import Java from "frida-java-bridge";
import { errorText, guarded, javaStack, threadName } from "./util.js";

const MAX_FRAMES = 48; // enough to pass the HTTP library and reach the caller; cheap
const inJavaConnect: Set<number> = new Set(); // threads inside a hooked Java connect
// Threads inside a hooked HTTP-stack call: a socket they open is that request's (in_http), so
// Python can tell proxy connects a hooked stack explains from those of a stack it does not
// know (an obfuscated or unhooked client), whose flows it then cannot attribute.
const inHttp: Map<number, number> = new Map();

function httpEnter(): number {
    const t = Process.getCurrentThreadId();
    inHttp.set(t, (inHttp.get(t) || 0) + 1);
    return t;
}

function httpLeave(t: number): void {
    const d = (inHttp.get(t) || 1) - 1;
    if (d === 0) inHttp.delete(t); else inHttp.set(t, d);
}

function stack(): string[] {
    const s = javaStack();
    return s.length > MAX_FRAMES ? s.slice(0, MAX_FRAMES) : s;
}

interface Connect {
    kind: string; host: string | null; ip?: string | null; port: number; transport?: string;
    via_proxy?: boolean | null; scheme?: string | null; error?: string | null; module?: string | null;
    java?: boolean;
}

function emit(c: Connect): void {
    const java = c.java !== false;
    send({
        type: "net:connect", kind: c.kind, host: c.host, ip: c.ip === undefined ? null : c.ip,
        port: c.port, transport: c.transport || "tcp",
        via_proxy: c.via_proxy === undefined ? null : c.via_proxy,
        scheme: c.scheme === undefined ? null : c.scheme, error: c.error === undefined ? null : c.error,
        module: c.module === undefined ? null : c.module,
        in_http: inHttp.has(Process.getCurrentThreadId()),
        thread: java ? threadName() : "native", stack: java ? stack() : [], time: Date.now(),
    });
}

// "https://h:8443/p" -> [scheme, host, port]; null when it is no URL with a host.
export function urlParts(url: string): [string, string, number] | null {
    const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/(?:[^@/?#]*@)?(\[[^\]]+\]|[^:/?#]*)(?::(\d+))?/.exec(url);
    if (m === null || m[2] === "") return null;
    const scheme = m[1].toLowerCase();
    const defaults: Record<string, number> = { http: 80, ws: 80, https: 443, wss: 443 };
    const port = m[3] !== undefined ? parseInt(m[3], 10) : (defaults[scheme] || -1);
    return [scheme, m[2].replace(/^\[|\]$/g, "").toLowerCase(), port];
}

// ------------------------------------------------------------------ HttpURLConnection

// An HttpURLConnection connects from several calls (connect, getOutputStream, getInputStream)
// and once more per redirect: one record per (object, URL).
const seenUrlConnections: Map<string, number> = new Map();
let System: any = null; // java.lang.System, looked up once (Java.use is slow)

function firstTimeFor(self: any, url: string): boolean {
    const key = String(System.identityHashCode(self)) + " " + url;
    if (seenUrlConnections.has(key)) return false;
    if (seenUrlConnections.size > 2048) seenUrlConnections.clear(); // bounded; a repeat costs one line
    seenUrlConnections.set(key, 1);
    return true;
}

function hookUrlConnection(cls: string, method: string, sig: string[], done: string[]): void {
    let C: any;
    try { C = Java.use(cls); } catch (_e) { return; }
    guarded("net " + cls + "." + method, () => {
        const m = C[method].overload(...sig);
        m.implementation = function (this: any, ...args: any[]) {
            let error: any = null;
            const t = httpEnter();
            try {
                return m.apply(this, args);
            } catch (e) {
                error = e;
                throw e;
            } finally {
                httpLeave(t);
                guarded("net:connect http", () => {
                    const url = String(this.getURL().toString());
                    if (!firstTimeFor(this, url)) return;
                    const parts = urlParts(url);
                    if (parts === null) return;
                    let via: boolean | null = null;
                    try { via = !!this.usingProxy(); } catch (_e) { via = null; }
                    emit({ kind: "http", host: parts[1], port: parts[2], scheme: parts[0], via_proxy: via,
                           error: error === null ? null : errorText(error) });
                });
            }
        };
        done.push(cls + "." + method);
    });
}

// ------------------------------------------------------------------ OkHttp 3/4 (bundled in apps)

function hookOkHttp(done: string[]): void {
    for (const cls of ["okhttp3.internal.connection.RealCall", "okhttp3.RealCall"]) {
        let C: any;
        try { C = Java.use(cls); } catch (_e) { continue; }
        for (const name of ["execute", "enqueue"]) {
            guarded("net " + cls + "." + name, () => {
                for (const m of C[name].overloads) {
                    m.implementation = function (this: any, ...args: any[]) {
                        guarded("net:connect okhttp", () => {
                            const url = this.request().url();
                            emit({ kind: "okhttp", host: String(url.host()).toLowerCase(), port: url.port(),
                                   scheme: String(url.scheme()) });
                        });
                        const t = httpEnter(); // execute() connects on this thread
                        try { return m.apply(this, args); } finally { httpLeave(t); }
                    };
                }
                done.push(cls + "." + name);
            });
        }
    }
    // The connection, not the call, knows its proxy (a pooled connection serves many calls).
    let RC: any;
    try { RC = Java.use("okhttp3.internal.connection.RealConnection"); } catch (_e) { return; }
    guarded("net okhttp3 RealConnection.connect", () => {
        for (const m of RC.connect.overloads) {
            m.implementation = function (this: any, ...args: any[]) {
                guarded("net:connect okhttp route", () => {
                    const route = this.route();
                    const url = route.address().url();
                    const type = String(route.proxy().type().toString());
                    emit({ kind: "okhttp", host: String(url.host()).toLowerCase(), port: url.port(),
                           scheme: String(url.scheme()), via_proxy: type !== "DIRECT" });
                });
                const t = httpEnter();
                try { return m.apply(this, args); } finally { httpLeave(t); }
            };
        }
        done.push("okhttp3.internal.connection.RealConnection.connect");
    });
}

// ------------------------------------------------------------------ WebView, Cronet

function hookUrlTaker(kind: string, cls: string, method: string, sigs: string[][], done: string[]): void {
    let C: any;
    try { C = Java.use(cls); } catch (_e) { return; }
    for (const sig of sigs) {
        guarded("net " + cls + "." + method, () => {
            const m = C[method].overload(...sig);
            m.implementation = function (this: any, ...args: any[]) {
                guarded("net:connect " + kind, () => {
                    const parts = args[0] === null ? null : urlParts(String(args[0]));
                    if (parts !== null && parts[0] !== "file" && parts[0] !== "data")
                        emit({ kind, host: parts[1], port: parts[2], scheme: parts[0] });
                });
                return m.apply(this, args);
            };
            done.push(cls + "." + method + "(" + sig.join(",") + ")");
        });
    }
}

// ------------------------------------------------------------------ sockets

let InetSocketAddress: any = null;

// [host string as given (no lookup), address or null when unresolved, port]; null for an
// address that is not an internet one (a unix-domain SocketChannel).
function socketAddress(a: any): [string | null, string | null, number] | null {
    if (a === null || !InetSocketAddress.class.isInstance(a)) return null;
    const isa = Java.cast(a, InetSocketAddress);
    const addr = isa.getAddress();
    return [String(isa.getHostString()), addr === null ? null : String(addr.getHostAddress()), isa.getPort()];
}

function hookSocket(cls: string, sig: string[], kind: string, done: string[]): void {
    let C: any;
    try { C = Java.use(cls); } catch (_e) { return; }
    guarded("net " + cls + ".connect", () => {
        const m = C.connect.overload(...sig);
        m.implementation = function (this: any, ...args: any[]) {
            const tid = Process.getCurrentThreadId();
            const outer = !inJavaConnect.has(tid);
            let error: any = null;
            if (outer) inJavaConnect.add(tid);
            try {
                return m.apply(this, args);
            } catch (e) {
                error = e;
                throw e;
            } finally {
                if (outer) {
                    inJavaConnect.delete(tid);
                    guarded("net:connect socket", () => {
                        const a = socketAddress(args[0]);
                        if (a !== null) emit({ kind, host: a[0], ip: a[1], port: a[2],
                                               error: error === null ? null : errorText(error) });
                    });
                }
            }
        };
        done.push(cls + ".connect");
    });
}

// ------------------------------------------------------------------ libc connect()

const AF_INET = 2;
const AF_INET6 = 10; // Linux and Android (bionic) alike
const SOL_SOCKET = 1;
const SO_TYPE = 3;
const SOCK_DGRAM = 2;

function ipv6(p: NativePointer): string {
    let mapped = true; // ::ffff:a.b.c.d, an IPv4 peer on a dual-stack socket: written as IPv4
    for (let i = 0; i < 12; i++) if (p.add(i).readU8() !== (i < 10 ? 0 : 0xff)) { mapped = false; break; }
    if (mapped) return [12, 13, 14, 15].map((i) => p.add(i).readU8()).join(".");
    const parts: string[] = [];
    for (let i = 0; i < 16; i += 2) parts.push(((p.add(i).readU8() << 8) | p.add(i + 1).readU8()).toString(16));
    const s = parts.join(":");
    return s.replace(/(^|:)0(:0)+(:|$)/, "::"); // the first run of zero groups, shortened
}

function hookLibcConnect(done: string[]): void {
    const connect = Module.findGlobalExportByName("connect");
    const gso = Module.findGlobalExportByName("getsockopt");
    if (connect === null) return;
    const getsockopt = gso === null ? null
        : new NativeFunction(gso, "int", ["int", "int", "int", "pointer", "pointer"]);
    Interceptor.attach(connect, {
        onEnter(args) {
            if (inJavaConnect.has(Process.getCurrentThreadId())) return; // reported by the Java hook
            const sa = args[1];
            if (sa.isNull()) return;
            const family = sa.readU16();
            if (family !== AF_INET && family !== AF_INET6) return; // unix sockets: not the network
            const port = (sa.add(2).readU8() << 8) | sa.add(3).readU8();
            const ip = family === AF_INET
                ? [4, 5, 6, 7].map((i) => sa.add(i).readU8()).join(".") : ipv6(sa.add(8));
            let transport = "tcp";
            if (getsockopt !== null) {
                const val = Memory.alloc(4);
                const len = Memory.alloc(4);
                len.writeU32(4);
                if (getsockopt(args[0].toInt32(), SOL_SOCKET, SO_TYPE, val, len) === 0 && val.readS32() === SOCK_DGRAM)
                    transport = "udp";
            }
            const mod = Process.findModuleByAddress(this.returnAddress);
            emit({ kind: "native", host: null, ip, port, transport, module: mod === null ? null : mod.name,
                   java: false });
        },
    });
    done.push("libc connect");
}

export function installNetHooks(art: boolean): string[] {
    const done: string[] = [];
    System = Java.use("java.lang.System");
    InetSocketAddress = Java.use("java.net.InetSocketAddress");
    if (art) {
        // AOSP external/okhttp (android-14.0.0_r1) HttpURLConnectionImpl: execute(boolean) is
        // where connect() and getResponse() meet; older builds without it: connect().
        const cls = "com.android.okhttp.internal.huc.HttpURLConnectionImpl";
        const before = done.length;
        hookUrlConnection(cls, "execute", ["boolean"], done);
        if (done.length === before) hookUrlConnection(cls, "connect", [], done);
        hookUrlTaker("webview", "android.webkit.WebView", "loadUrl",
            [["java.lang.String"], ["java.lang.String", "java.util.Map"]], done);
    } else {
        hookUrlConnection("sun.net.www.protocol.http.HttpURLConnection", "connect", [], done);
        hookUrlConnection("sun.net.www.protocol.https.AbstractDelegateHttpsURLConnection", "connect", [], done);
    }
    hookOkHttp(done);
    hookUrlTaker("cronet", "org.chromium.net.impl.CronetEngineBase", "newUrlRequestBuilder",
        [["java.lang.String", "org.chromium.net.UrlRequest$Callback", "java.util.concurrent.Executor"]], done);
    hookSocket("java.net.Socket", ["java.net.SocketAddress", "int"], "socket", done);
    hookSocket("sun.nio.ch.SocketChannelImpl", ["java.net.SocketAddress"], "channel", done);
    guarded("net libc connect", () => hookLibcConnect(done));
    return done;
}
