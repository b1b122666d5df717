// Activity lifecycle (foreground/background), runtime permission requests and their results,
// and starts of other packages' components (关联启动).
import Java from "frida-java-bridge";
import { scanForConsentScreen } from "./consent.js";
import { guarded, javaStack, threadName } from "./util.js";

const STATES: Record<string, string> = { onResume: "foreground", onPause: "paused", onStop: "background" };
const requested: Map<number, string[]> = new Map();

function hookLifecycle(Activity: any, done: string[]): void {
    const System = Java.use("java.lang.System");
    for (const name of Object.keys(STATES)) {
        guarded("lifecycle " + name, () => {
            const m = Activity[name].overload();
            m.implementation = function (this: any) {
                // Subclasses must call super.onResume() etc. (Android enforces it), so the base
                // method sees every activity. The instance id lets Python tell "activity A
                // stopped after B resumed" (still foreground) from "the last one stopped".
                guarded("app:state", () => send({ type: "app:state", state: STATES[name], callback: name,
                    activity: String(this.getClass().getName()), instance: System.identityHashCode(this),
                    time: Date.now() }));
                const r = m.call(this);
                // A privacy screen that is an activity, not a dialog: its views exist by onResume.
                if (name === "onResume") guarded("consent screen", () => scanForConsentScreen(this));
                return r;
            };
            done.push("android.app.Activity." + name);
        });
    }
}

function hookPermissions(Activity: any, done: string[]): void {
    guarded("requestPermissions", () => {
        const m = Activity.requestPermissions.overload("[Ljava.lang.String;", "int");
        m.implementation = function (this: any, perms: any, code: number) {
            guarded("permission:request", () => {
                const list: string[] = [];
                for (let i = 0; perms !== null && i < perms.length; i++) list.push(String(perms[i]));
                requested.set(code, list);
                send({ type: "permission:request", permissions: list, request_code: code, thread: threadName(),
                       time: Date.now(), stack: javaStack() });
            });
            return m.call(this, perms, code);
        };
        done.push("android.app.Activity.requestPermissions");
    });
    guarded("dispatchRequestPermissionsResult", () => {
        const m = Activity.dispatchRequestPermissionsResult.overload("int", "android.content.Intent");
        m.implementation = function (this: any, code: number, data: any) {
            const r = m.call(this, code, data);
            guarded("permission:result", () => {
                // Asking the system afterwards gives the answer without parsing the result Intent.
                const perms = requested.get(code) || [];
                const granted = perms.filter((p) => this.checkSelfPermission(p) === 0);
                send({ type: "permission:result", request_code: code, permissions: perms, granted, time: Date.now() });
            });
            return r;
        };
        done.push("android.app.Activity.dispatchRequestPermissionsResult");
    });
}

function foreignTarget(ctx: any, intent: any): [string, string] | null {
    if (intent === null) return null;
    let pkg: string | null = null;
    let target = "";
    const cn = intent.getComponent();
    if (cn !== null) { pkg = String(cn.getPackageName()); target = String(cn.getClassName()); }
    else if (intent.getPackage() !== null) { pkg = String(intent.getPackage()); target = String(intent.getAction()); }
    if (pkg === null) return null;
    const own = String(ctx.getPackageName());
    return pkg === own ? null : [pkg, target];
}

function hookLaunches(done: string[]): void {
    const points: [string, string, string[], string][] = [
        ["android.app.Activity", "startActivityForResult", ["android.content.Intent", "int", "android.os.Bundle"], "activity"],
        ["android.content.ContextWrapper", "startActivity", ["android.content.Intent"], "activity"],
        ["android.content.ContextWrapper", "startService", ["android.content.Intent"], "service"],
        ["android.content.ContextWrapper", "sendBroadcast", ["android.content.Intent"], "broadcast"],
    ];
    for (const [cls, name, sig, kind] of points) {
        guarded("launch " + cls + "." + name, () => {
            const m = Java.use(cls)[name].overload(...sig);
            m.implementation = function (this: any, ...args: any[]) {
                guarded("component:launch", () => {
                    const t = foreignTarget(this, args[0]);
                    if (t !== null) send({ type: "component:launch", kind, target_package: t[0], target: t[1],
                        thread: threadName(), time: Date.now(), stack: javaStack() });
                });
                return m.apply(this, args);
            };
            done.push(cls + "." + name);
        });
    }
}

export function installLifecycleHooks(): string[] {
    const done: string[] = [];
    let Activity: any;
    try { Activity = Java.use("android.app.Activity"); } catch (_e) { return done; }
    hookLifecycle(Activity, done);
    hookPermissions(Activity, done);
    hookLaunches(done);
    return done;
}
