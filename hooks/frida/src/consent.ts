// Consent dialogs: a shown Dialog whose text mentions the privacy policy, then a click on one of
// its buttons. Keyword lists come from analyzer/catalog/consent.yaml via the config.
import Java from "frida-java-bridge";
import { guarded, javaStack, threadName, truncate } from "./util.js";

export interface ConsentConfig { policy_keywords: string[]; accept_keywords: string[]; reject_keywords: string[]; }

let cfg: ConsentConfig;
let dialogSeen = false;
let TextView: any = null;
let ViewGroup: any = null;

function norm(s: string): string { return s.trim().toLowerCase(); }
function mentions(text: string, words: string[]): boolean {
    const t = norm(text);
    return words.some((w) => t.indexOf(norm(w)) >= 0);
}

export function classifyButton(text: string): "accept" | "reject" | null {
    // Reject first: "不同意" contains "同意", "disagree" contains "agree".
    if (mentions(text, cfg.reject_keywords)) return "reject";
    if (mentions(text, cfg.accept_keywords)) return "accept";
    return null;
}

function collectText(view: any, out: string[], depth: number): void {
    if (view === null || depth > 30 || out.length > 200) return;
    if (TextView.class.isInstance(view)) {
        const t = Java.cast(view, TextView).getText();
        if (t !== null) out.push(String(t.toString()));
        return;
    }
    if (ViewGroup.class.isInstance(view)) {
        const g = Java.cast(view, ViewGroup);
        const n = g.getChildCount();
        for (let i = 0; i < n; i++) collectText(g.getChildAt(i), out, depth + 1);
    }
}

// A Dialog or an Activity (both have getWindow()) whose visible text mentions the policy.
function windowShown(owner: any): void {
    if (cfg === undefined || TextView === null) return;
    const texts: string[] = [];
    const window = owner.getWindow();
    if (window === null) return;
    collectText(window.getDecorView(), texts, 0);
    const text = texts.join("\n");
    if (!mentions(text, cfg.policy_keywords)) return;
    dialogSeen = true;
    send({ type: "consent:dialog_shown", text: truncate(text, 500), cls: String(owner.getClass().getName()),
           thread: threadName(), time: Date.now() });
}

export function scanForConsentScreen(activity: any): void { windowShown(activity); }

function clicked(view: any): void {
    if (!dialogSeen || !TextView.class.isInstance(view)) return;
    const t = Java.cast(view, TextView).getText();
    if (t === null) return;
    const text = String(t.toString());
    const kind = classifyButton(text);
    if (kind === null) return;
    send({ type: "consent:" + kind, text: truncate(text, 100), thread: threadName(), time: Date.now(),
           stack: javaStack() });
}

export function installConsentHooks(config: ConsentConfig): string[] {
    cfg = config;
    const done: string[] = [];
    try {
        TextView = Java.use("android.widget.TextView");
        ViewGroup = Java.use("android.view.ViewGroup");
    } catch (_e) {
        return done; // no UI classes on this target
    }
    guarded("consent Dialog.show", () => {
        const Dialog = Java.use("android.app.Dialog");
        const show = Dialog.show.overload();
        show.implementation = function (this: any) {
            show.call(this); // views exist only once the dialog is shown
            guarded("dialog text", () => windowShown(this));
        };
        done.push("android.app.Dialog.show");
    });
    guarded("consent View.performClick", () => {
        const View = Java.use("android.view.View");
        const pc = View.performClick.overload();
        pc.implementation = function (this: any) {
            guarded("click text", () => clicked(this)); // before: the click may close the app
            return pc.call(this);
        };
        done.push("android.view.View.performClick");
    });
    return done;
}
