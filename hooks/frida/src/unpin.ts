// Certificate-pinning bypass so the local proxy can read TLS traffic. Each bypass reports itself
// (unpin:bypass) so the run's record says the app's own checks were switched off.
import Java from "frida-java-bridge";
import { threadName } from "./util.js";

function note(target: string, host: string | null): void {
    send({ type: "unpin:bypass", target, host, thread: threadName(), time: Date.now() });
}

function okhttp(): boolean {
    const P = Java.use("okhttp3.CertificatePinner");
    let n = 0;
    for (const name of ["check", "check$okhttp"]) {
        if (P[name] === undefined) continue;
        for (const ov of P[name].overloads) {
            ov.implementation = function (this: any, ...args: any[]) {
                note("okhttp3.CertificatePinner." + name, args.length > 0 && args[0] !== null ? String(args[0]) : null);
                return; // all overloads return void: accepting means not throwing
            };
            n++;
        }
    }
    return n > 0;
}

function conscrypt(): boolean {
    const T = Java.use("com.android.org.conscrypt.TrustManagerImpl");
    let n = 0;
    if (T.verifyChain !== undefined) {
        for (const ov of T.verifyChain.overloads) {
            ov.implementation = function (this: any, ...args: any[]) {
                note("TrustManagerImpl.verifyChain", args.length > 2 && args[2] !== null ? String(args[2]) : null);
                return args[0]; // the untrusted chain, as if it had been verified
            };
            n++;
        }
    }
    if (T.checkTrustedRecursive !== undefined) {
        const ArrayList = Java.use("java.util.ArrayList");
        for (const ov of T.checkTrustedRecursive.overloads) {
            ov.implementation = function (this: any, ..._args: any[]) {
                note("TrustManagerImpl.checkTrustedRecursive", null);
                return ArrayList.$new();
            };
            n++;
        }
    }
    return n > 0;
}

// Apps with their own X509TrustManager pass it to SSLContext.init: swap in one that trusts all.
function sslContext(): boolean {
    const X509 = Java.use("javax.net.ssl.X509TrustManager");
    const Permissive = Java.registerClass({
        name: "re.privascope.PermissiveTrustManager",
        implements: [X509],
        methods: {
            checkClientTrusted(_chain: any, _auth: any) { /* trust */ },
            checkServerTrusted(_chain: any, _auth: any) { /* trust */ },
            getAcceptedIssuers() { return []; },
        },
    });
    const managers = Java.array("javax.net.ssl.TrustManager", [Permissive.$new()]);
    const init = Java.use("javax.net.ssl.SSLContext").init.overload(
        "[Ljavax.net.ssl.KeyManager;", "[Ljavax.net.ssl.TrustManager;", "java.security.SecureRandom");
    init.implementation = function (this: any, km: any, _tm: any, rnd: any) {
        note("javax.net.ssl.SSLContext.init", null);
        return init.call(this, km, managers, rnd);
    };
    return true;
}

function webView(): boolean {
    const C = Java.use("android.webkit.WebViewClient");
    const m = C.onReceivedSslError.overload("android.webkit.WebView", "android.webkit.SslErrorHandler", "android.net.http.SslError");
    m.implementation = function (this: any, _view: any, handler: any, _error: any) {
        note("android.webkit.WebViewClient.onReceivedSslError", null);
        handler.proceed();
    };
    return true;
}

export function installUnpinning(): { applied: string[]; unavailable: Record<string, string> } {
    const applied: string[] = [];
    const unavailable: Record<string, string> = {};
    const steps: [string, () => boolean][] = [
        ["okhttp3", okhttp], ["conscrypt", conscrypt], ["sslcontext", sslContext], ["webview", webView],
    ];
    for (const [name, fn] of steps) {
        try {
            if (fn()) applied.push(name); else unavailable[name] = "nothing to hook";
        } catch (e: any) {
            unavailable[name] = String(e && e.message ? e.message : e);
        }
    }
    return { applied, unavailable };
}
