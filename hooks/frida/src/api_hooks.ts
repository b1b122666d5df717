// Catalog-driven hooks: one entry of analyzer/catalog/apis.yaml = one hook, nothing hard-coded.
import Java from "frida-java-bridge";
import { errorText, fridaType, guarded, javaStack, reportError, threadName } from "./util.js";
import { listValues, objectValues, scalar } from "./values.js";

export interface KeyArg { index: number; values: Record<string, string>; match: string; }
export interface Api {
    id: string; cls: string; member: string; kind: string; pi_type: string;
    hook_class: string; // runtime_class when cls only declares the method abstractly
    overloads: string[][] | null; capture: string; key_arg: KeyArg | null;
}

export const hooked: string[] = [];
export const missing: Record<string, string> = {}; // api id -> why
const pending: Map<string, Api> = new Map();

function report(api: Api, piType: string, self: any, args: any[], ret: any, err: any, stack: string[]): void {
    let value: string | null = null;
    let values: string[] | null = null;
    let valueTypes: string[] | null = null; // PI type per element of values, when they differ
    if (err === null) {
        switch (api.capture) {
            case "return": {
                const typed = objectValues(ret);
                if (typed === null) { value = scalar(ret); break; }
                values = typed.values;
                valueTypes = typed.types;
                value = values.join(",");
                break;
            }
            case "return_list": values = listValues(ret); value = values === null ? null : values.join("\n"); break;
            case "args": value = args.map((a) => scalar(a)).filter((s) => s !== null).join(","); break;
            case "this": value = scalar(self); break;
            default: value = null;
        }
    }
    const obtained = err === null && (api.capture === "none" || (ret !== null && ret !== undefined)
        || api.capture === "args" || api.capture === "this");
    send({
        type: "api:call", api: api.id, pi_type: piType, value, values, value_types: valueTypes, obtained,
        exception: err === null ? null : errorText(err), thread: threadName(), time: Date.now(),
        stack, hooked: api.hook_class + "." + (api.kind === "constructor" ? "<init>" : api.member),
    });
}

function isAlnum(c: string): boolean { return /[A-Za-z0-9]/.test(c); }

// Same rule as privascope.catalog.KeyArg.resolve: exact key, or (match "prefix") the longest
// listed prefix ending on a boundary ("content://sms" matches "content://sms/inbox", not
// "content://smsx").
export function resolveKey(ka: KeyArg, value: string): string | null {
    if (Object.prototype.hasOwnProperty.call(ka.values, value)) return ka.values[value];
    if (ka.match !== "prefix") return null;
    const keys = Object.keys(ka.values).sort((a, b) => b.length - a.length);
    for (const k of keys) {
        if (value.startsWith(k) && (value.length === k.length || !isAlnum(k[k.length - 1]) || !isAlnum(value[k.length]))) {
            return ka.values[k];
        }
    }
    return null;
}

// Which PI the call yields; null = not a catalog key (e.g. Settings.Secure.getString for a
// harmless setting): then the call is not reported at all.
function piTypeFor(api: Api, args: any[]): string | null {
    if (api.key_arg === null) return api.pi_type;
    const k = args[api.key_arg.index];
    if (k === null || k === undefined) return null;
    const key = typeof k === "object" ? String(k.toString()) : String(k); // a Uri as its string
    return resolveKey(api.key_arg, key);
}

// Per-thread nesting depth of catalog hooks. Only the outermost catalog call is reported: a
// catalog API that calls another one internally (getImei() -> getImei(slot)) is one access, and
// the agent's own reads of returned objects (Location.getLatitude) are not the app's.
const depth: Map<number, number> = new Map();

function enter(): boolean {
    const t = Process.getCurrentThreadId();
    const d = depth.get(t) || 0;
    depth.set(t, d + 1);
    return d === 0;
}

function leave(): void {
    const t = Process.getCurrentThreadId();
    const d = (depth.get(t) || 1) - 1;
    if (d === 0) depth.delete(t); else depth.set(t, d);
}

function makeImpl(api: Api, method: any): any {
    return function (this: any, ...args: any[]) {
        const outer = enter();
        try {
            const piType = outer ? piTypeFor(api, args) : null;
            if (piType === null) return method.apply(this, args);
            let ret: any = null;
            let err: any = null;
            try {
                ret = method.apply(this, args);
            } catch (e) {
                err = e;
            }
            try {
                report(api, piType, this, args, ret, err, javaStack());
            } catch (e) {
                reportError("report " + api.id, e);
            }
            if (err !== null) throw err; // the app sees its SecurityException as without the agent
            return ret;
        } finally {
            leave();
        }
    };
}

function readField(api: Api, C: any): void {
    const f = C[api.member] !== undefined && C[api.member].value !== undefined ? C[api.member] : C["_" + api.member];
    if (f === undefined) throw new Error("no field " + api.member);
    const v = f.value;
    send({
        type: "api:call", api: api.id, pi_type: api.pi_type, value: scalar(v), values: null,
        obtained: v !== null && v !== undefined, exception: null, thread: threadName(), time: Date.now(),
        stack: [], hooked: api.hook_class + "." + api.member, field: true,
    });
}

// Returns null when hooked, else the reason it could not be (class or member absent).
function tryHook(api: Api, factory: any): string | null {
    let C: any;
    try {
        C = factory.use(api.hook_class);
    } catch (_e) {
        return "class not found";
    }
    if (api.kind === "field") {
        readField(api, C);
        return null;
    }
    const name = api.kind === "constructor" ? "$init" : api.member;
    const m = C[name];
    if (m === undefined || m.overloads === undefined) return "member not found";
    let targets: any[];
    if (api.overloads === null) {
        targets = m.overloads;
    } else {
        targets = [];
        for (const sig of api.overloads) {
            try { targets.push(m.overload(...sig.map(fridaType))); } catch (_e) { /* absent on this version */ }
        }
        if (targets.length === 0) return "no matching overload";
    }
    for (const t of targets) t.implementation = makeImpl(api, t);
    return null;
}

// Class-loader factories (Java.ClassFactory.get(loader)) work on ART; on HotSpot they crash the
// JVM (frida-java-bridge 7.0.13), so late hooking is Android-only.
export function installApiHooks(apis: Api[], isArt: boolean): void {
    for (const api of apis) {
        const why = guarded("hook " + api.id, () => tryHook(api, Java));
        if (why === null) hooked.push(api.id);
        else if (why !== undefined) { missing[api.id] = why; if (why === "class not found") pending.set(api.id, api); }
    }
    if (pending.size > 0 && isArt) guarded("other class loaders", retryInAllLoaders);
}

function retryWith(factory: any, where: string): void {
    for (const [id, api] of Array.from(pending.entries())) {
        let why: string | null | undefined;
        try { why = tryHook(api, factory); } catch (e) { why = errorText(e); }
        if (why === null) {
            pending.delete(id);
            delete missing[id];
            hooked.push(id);
            send({ type: "agent:late_hook", api: id, loader: where, time: Date.now() });
        }
    }
}

function retryInAllLoaders(): void {
    let loaders: any[] = [];
    try { loaders = Java.enumerateClassLoadersSync(); } catch (_e) { return; } // not on every VM
    for (const l of loaders) {
        if (pending.size === 0) return;
        retryWith(Java.ClassFactory.get(l), String(l.toString()));
    }
}

// Multidex, plugins and packers create class loaders after start-up: retry pending hooks with
// each new loader right after it is constructed.
export function installLoaderHooks(loaderClasses: string[]): string[] {
    const done: string[] = [];
    for (const name of loaderClasses) {
        try {
            const L = Java.use(name);
            for (const ov of L.$init.overloads) {
                ov.implementation = function (this: any, ...args: any[]) {
                    const r = ov.apply(this, args);
                    if (pending.size > 0) {
                        const self = this;
                        guarded("late hooks", () => retryWith(Java.ClassFactory.get(self), name));
                    }
                    return r;
                };
            }
            done.push(name);
        } catch (_e) { /* not on this runtime */ }
    }
    return done;
}

export function pendingIds(): string[] { return Array.from(pending.keys()); }
