package android.content;

public class Intent {
    private ComponentName component;
    private String pkg;
    private String action;

    public Intent() {}
    public Intent(String action) { this.action = action; }

    public Intent setComponent(ComponentName component) { this.component = component; return this; }
    public ComponentName getComponent() { return component; }
    public Intent setPackage(String pkg) { this.pkg = pkg; return this; }
    public String getPackage() { return pkg; }
    public Intent setAction(String action) { this.action = action; return this; }
    public String getAction() { return action; }
    @Override public String toString() { return "Intent { act=" + action + " cmp=" + component + " pkg=" + pkg + " }"; }
}
