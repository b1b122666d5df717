package android.view;

public class View {
    private OnClickListener listener;

    public interface OnClickListener {
        void onClick(View v);
    }

    public void setOnClickListener(OnClickListener l) { this.listener = l; }

    /** As on Android, a tap ends here: the agent watches it to see consent clicks. */
    public boolean performClick() {
        if (listener == null) {
            return false;
        }
        listener.onClick(this);
        return true;
    }
}
