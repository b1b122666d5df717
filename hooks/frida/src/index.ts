// privascope Frida agent. Python sends the configuration (catalog APIs, consent keywords,
// switches) through rpc.exports.init; the agent installs every hook and answers with
// agent:ready. Every message is a plain object passed to send(): no JSON string inside.
//
// Hooks before code (issue 11): Java.perform is queued when this script loads, not when init
// arrives, and the app runs only once the hooks are in:
// - Desktop JVM (the testable path): the program is held by privascope's launcher
//   (hooks/jvm_launcher). Java.perform runs at once here; init installs the hooks, and once they
//   are live the agent itself calls privascope.launch.Launcher.release(), then reports ready.
// - Android, spawned app: Python loads this script and calls init while the process is still
//   suspended, and resumes it only after init returns. frida-java-bridge 7.0.13, index.js
//   `perform()` / `_performPendingVmOpsWhenReady()`: in an app process whose class loader is not
//   known yet, a queued Java.perform runs from its hook on ActivityThread.getPackageInfo (or
//   LoadedApk.makeApplication under instrumentation), i.e. on the main thread inside
//   handleBindApplication, before the Application class, its ContentProviders and
//   Application.onCreate run. The callback below finds the config already there and installs
//   every hook synchronously at that point.
// - Android, attached to a running app: Java.perform runs at once; init installs the hooks.
import Java from "frida-java-bridge";
import { hooked, installApiHooks, installLoaderHooks, missing, pendingIds, Api } from "./api_hooks.js";
import { ConsentConfig, installConsentHooks } from "./consent.js";
import { installLifecycleHooks } from "./lifecycle.js";
import { installNetHooks } from "./net.js";
import { installUnpinning } from "./unpin.js";
import { errorText, initJavaHelpers, Limits, reportError, setLimits } from "./util.js";
import { setValueConfig, ValueConfig } from "./values.js";

const LAUNCHER = "privascope.launch.Launcher";

interface AgentConfig {
    apis: Api[];
    consent: ConsentConfig;
    loader_classes: string[];
    unpin: boolean;
    limits: Limits;
    values: ValueConfig;
}

let config: AgentConfig | null = null;
let vmReady = false; // the queued Java.perform has run: classes can be used
let installed = false;

function isArt(): boolean {
    return Process.findModuleByName("libart.so") !== null; // Java.androidVersion throws off Android
}

function install(cfg: AgentConfig): object {
    setLimits(cfg.limits);
    setValueConfig(cfg.values);
    initJavaHelpers();
    // UI/lifecycle hooks first: they are few, and the catalog hooks may take a while.
    const consent = installConsentHooks(cfg.consent);
    const lifecycle = installLifecycleHooks();
    const art = isArt();
    installApiHooks(cfg.apis, art);
    const loaders = art ? installLoaderHooks(cfg.loader_classes) : [];
    const unpin = cfg.unpin ? installUnpinning() : { applied: [], unavailable: {} };
    const net = installNetHooks(art); // the process's own connections (whose traffic is it)
    const ready = {
        type: "agent:ready", time: Date.now(), pid: Process.id, platform: Process.platform, arch: Process.arch,
        runtime: art ? "art" : "jvm",
        hooked: hooked.slice(), missing: Object.assign({}, missing), pending: pendingIds(),
        consent_hooks: consent, lifecycle_hooks: lifecycle, loader_hooks: loaders, unpin, net_hooks: net,
    };
    return ready;
}

// Lets a program held by privascope's launcher run. "absent": this JVM was not started through
// the launcher (nothing to release); "none" on Android (the app is resumed by Python).
function releaseLauncher(): string {
    if (isArt()) return "none";
    let result = "absent";
    Java.perform(() => {
        let L: any;
        try { L = Java.use(LAUNCHER); } catch (_e) { return; }
        try { L.release(); result = "released"; } catch (e) { result = "error: " + errorText(e); }
    });
    return result;
}

// frida-java-bridge applies method replacements on the JVM in a Script.nextTick callback
// (doManglers), not when `.implementation` is assigned. Releasing the program and announcing
// readiness in a later tick guarantees the hooks are live before any code under test runs;
// announcing it in the same tick lost every hook in about one run out of three.
function announceWhenLive(ready: object): void {
    Script.nextTick(() => {
        setTimeout(() => {
            let launcher: string;
            try { launcher = releaseLauncher(); } catch (e) { launcher = "error: " + errorText(e); }
            send(Object.assign({}, ready, { launcher }));
        }, 0);
    });
}

// Runs inside Java.perform, once both the VM and the config are there (whichever came last).
function installNow(): void {
    if (installed || config === null || !vmReady) return;
    installed = true;
    announceWhenLive(install(config));
}

if (Java.available) {
    Java.perform(() => {
        vmReady = true;
        try {
            installNow();
        } catch (e) {
            reportError("init", e); // Python sees agent:error instead of agent:ready
        }
    });
}

rpc.exports = {
    // Returns at once on a spawned Android app (the hooks go in when it binds, after resume);
    // otherwise after installing the hooks (they are live, and the launcher released, when
    // agent:ready is sent).
    init(cfg: AgentConfig): object {
        if (config !== null) throw new Error("agent already initialised");
        if (!Java.available) {
            send({ type: "agent:error", where: "init", message: "no Java VM in this process", time: Date.now() });
            throw new Error("no Java VM in this process");
        }
        config = cfg;
        if (!vmReady && !isArt()) {
            // On a JVM the queued Java.perform runs at load; only a spawned app waits for it.
            throw new Error("Java.perform did not run when the agent loaded");
        }
        if (vmReady) {
            let failure: any = null;
            Java.perform(() => {
                try { installNow(); } catch (e) { failure = e; reportError("init", e); }
            });
            if (failure !== null) throw failure;
        }
        return { vm_ready: vmReady, installed };
    },
    // The reply travels the same ordered channel as send(): once Python has it, every message
    // the agent sent before it has arrived (Session.flush).
    ping(): number {
        return Date.now();
    },
};
