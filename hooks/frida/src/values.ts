// Turning hooked return values / arguments into strings. Raw values go only to the local Python
// session inside the message; it masks them at once and never writes them anywhere.
import Java from "frida-java-bridge";
import { castToRuntimeClass, getLimits, truncate } from "./util.js";

export interface ValueConfig { value_getters: Record<string, Record<string, string>>; element_fields: string[]; }
export interface TypedValues { values: string[]; types: string[]; }

let cfg: ValueConfig = { value_getters: {}, element_fields: [] };
export function setValueConfig(c: ValueConfig): void { cfg = c; }

function isJavaArray(v: any): boolean {
    return v !== null && typeof v === "object" && typeof v.length === "number" && v.$className === undefined;
}

export function scalar(v: any): string | null {
    if (v === null || v === undefined) return null;
    const t = typeof v;
    if (t === "string") return truncate(v, getLimits().max_value_len);
    if (t === "number" || t === "boolean") return String(v);
    if (isJavaArray(v)) {
        const parts: string[] = [];
        for (let i = 0; i < v.length; i++) parts.push(String(v[i]));
        return truncate(parts.join(","), getLimits().max_value_len);
    }
    try { return truncate(String(v.toString()), getLimits().max_value_len); } catch (_e) { return null; }
}

// An object whose personal values sit behind getters (Location -> latitude, longitude):
// those values with their PI types, else null (then the caller falls back to toString()).
export function objectValues(v: any): TypedValues | null {
    if (v === null || v === undefined || typeof v !== "object" || isJavaArray(v)) return null;
    let name: string;
    try { name = String(v.getClass().getName()); } catch (_e) { return null; }
    const getters = cfg.value_getters[name];
    if (getters === undefined) return null;
    const out: TypedValues = { values: [], types: [] };
    try {
        const c = castToRuntimeClass(v);
        for (const g of Object.keys(getters)) {
            const s = scalar(c[g]());
            if (s !== null && s !== "") { out.values.push(s); out.types.push(getters[g]); }
        }
    } catch (_e) { return null; }
    return out;
}

function element(o: any): string | null {
    if (o === null || o === undefined) return null;
    if (typeof o !== "object") return String(o);
    try {
        const c = castToRuntimeClass(o);
        for (const f of cfg.element_fields) {
            const field = c[f] !== undefined && c[f].value !== undefined ? c[f] : c["_" + f];
            if (field !== undefined && field.value !== undefined && field.value !== null) {
                return String(field.value);
            }
        }
    } catch (_e) { /* fall back to toString */ }
    return scalar(o);
}

// A java.util.List / Collection / array -> its elements as strings (bounded).
export function listValues(v: any, maxItems: number = 500): string[] | null {
    if (v === null || v === undefined) return null;
    const out: string[] = [];
    if (isJavaArray(v)) {
        for (let i = 0; i < v.length && i < maxItems; i++) { const s = element(v[i]); if (s !== null) out.push(s); }
        return out;
    }
    try {
        const list = Java.cast(v, Java.use("java.util.List"));
        const n = list.size();
        for (let i = 0; i < n && i < maxItems; i++) { const s = element(list.get(i)); if (s !== null) out.push(s); }
        return out;
    } catch (_e) {
        const s = scalar(v);
        return s === null ? null : [s];
    }
}
