// privascope Frida agent. Python sends the configuration (catalog APIs, consent keywords,
// switches) through rpc.exports.init; the agent then installs every hook and answers with
// agent:ready. Every message is a plain object passed to send(): no JSON string inside.
import Java from "frida-java-bridge";
import { hooked, installApiHooks, installLoaderHooks, missing, pendingIds, Api } from "./api_hooks.js";
import { ConsentConfig, installConsentHooks } from "./consent.js";
import { installLifecycleHooks } from "./lifecycle.js";
import { installUnpinning } from "./unpin.js";
import { initJavaHelpers, Limits, reportError, setLimits } from "./util.js";
import { setValueConfig, ValueConfig } from "./values.js";

interface AgentConfig {
    apis: Api[];
    consent: ConsentConfig;
    loader_classes: string[];
    unpin: boolean;
    limits: Limits;
    values: ValueConfig;
}

let started = false;

function install(cfg: AgentConfig): object {
    setLimits(cfg.limits);
    setValueConfig(cfg.values);
    initJavaHelpers();
    // UI/lifecycle hooks first: they are few, and the catalog hooks may take a while.
    const consent = installConsentHooks(cfg.consent);
    const lifecycle = installLifecycleHooks();
    const isArt = Process.findModuleByName("libart.so") !== null; // Java.androidVersion throws off Android
    installApiHooks(cfg.apis, isArt);
    const loaders = isArt ? installLoaderHooks(cfg.loader_classes) : [];
    const unpin = cfg.unpin ? installUnpinning() : { applied: [], unavailable: {} };
    const ready = {
        type: "agent:ready", time: Date.now(), pid: Process.id, platform: Process.platform, arch: Process.arch,
        runtime: isArt ? "art" : "jvm",
        hooked: hooked.slice(), missing: Object.assign({}, missing), pending: pendingIds(),
        consent_hooks: consent, lifecycle_hooks: lifecycle, loader_hooks: loaders, unpin,
    };
    return ready;
}

// frida-java-bridge applies method replacements on the JVM in a Script.nextTick callback
// (doManglers), not when `.implementation` is assigned. Announcing readiness in a later tick
// guarantees the hooks are live before Python lets the app run; announcing it in the same tick
// lost every hook in about one run out of three.
function announceWhenLive(ready: object, resolve: (v: object) => void): void {
    Script.nextTick(() => {
        setTimeout(() => {
            send(ready);
            resolve(ready);
        }, 0);
    });
}

rpc.exports = {
    init(cfg: AgentConfig): Promise<object> {
        if (started) return Promise.reject(new Error("agent already initialised"));
        started = true;
        if (!Java.available) {
            send({ type: "agent:error", where: "init", message: "no Java VM in this process", time: Date.now() });
            return Promise.reject(new Error("no Java VM in this process"));
        }
        return new Promise((resolve, reject) => {
            Java.perform(() => {
                try {
                    announceWhenLive(install(cfg), resolve);
                } catch (e) {
                    reportError("init", e);
                    reject(e);
                }
            });
        });
    },
};
