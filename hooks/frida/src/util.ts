// Shared helpers: message sending, Java stack/thread, safe wrappers.
import Java from "frida-java-bridge";

export interface Limits { max_value_len: number; max_stack: number; }

let throwableClass: any = null;
let threadClass: any = null;

let limits: Limits = { max_value_len: 4096, max_stack: 256 };

export function setLimits(l: Limits): void { limits = l; }
export function getLimits(): Limits { return limits; }

// Looked up once, inside Java.perform: Java.use is slow and must not run per call.
export function initJavaHelpers(): void {
    throwableClass = Java.use("java.lang.Throwable");
    threadClass = Java.use("java.lang.Thread");

}

// The whole Java stack, innermost first. (Measured: printing it through a PrintWriter in one
// string was no faster on the host app's short stacks, so frames are read one by one.)
export function javaStack(): string[] {
    const frames = throwableClass.$new().getStackTrace();
    const out: string[] = [];
    const n = Math.min(frames.length, limits.max_stack);
    for (let i = 0; i < n; i++) out.push(frames[i].toString());
    return out;
}

export function threadName(): string {
    try { return threadClass.currentThread().getName(); } catch (_e) { return "?"; }
}

export function errorText(e: any): string {
    if (e === null || e === undefined) return "unknown error";
    return String(e.message !== undefined ? e.message : e);
}

// Reports a failure inside the agent without ever breaking the app's call.
export function reportError(where: string, e: any): void {
    send({ type: "agent:error", where, message: errorText(e), time: Date.now() });
}

export function guarded<T>(where: string, fn: () => T): T | undefined {
    try { return fn(); } catch (e) { reportError(where, e); return undefined; }
}

export function truncate(s: string, n: number): string {
    return s.length > n ? s.substring(0, n) : s;
}

// Catalog overloads are Java source types ("java.lang.String", "int[]"); Frida wants JNI-style
// array names ("[I", "[Ljava.lang.String;").
const PRIMS: Record<string, string> = {
    boolean: "Z", byte: "B", char: "C", short: "S", int: "I", long: "J", float: "F", double: "D",
};
export function fridaType(t: string): string {
    let dims = 0;
    let base = t.trim();
    while (base.endsWith("[]")) { dims++; base = base.substring(0, base.length - 2); }
    if (dims === 0) return base;
    const elem = PRIMS[base] !== undefined ? PRIMS[base] : "L" + base + ";";
    return "[".repeat(dims) + elem;
}

// Casts a java.lang.Object wrapper to its runtime class (to read fields), using the object's own
// class loader so app classes resolve on Android too.
export function castToRuntimeClass(o: any): any {
    const k = o.getClass();
    const loader = k.getClassLoader();
    const factory = loader === null ? Java.ClassFactory.get(null as any) : Java.ClassFactory.get(loader);
    return Java.cast(o, factory.use(k.getName()));
}
