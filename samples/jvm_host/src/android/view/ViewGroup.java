package android.view;

import java.util.ArrayList;
import java.util.List;

/** Stub ViewGroup; lays its children out like a LinearLayout (vertical unless set otherwise). */
public class ViewGroup extends View {
    public static final int HORIZONTAL = 0; // LinearLayout's values
    public static final int VERTICAL = 1;
    private final List<View> children = new ArrayList<>();
    private int orientation = VERTICAL;
    private int padLeft, padTop, padRight, padBottom;

    public void addView(View child) { children.add(child); }
    public int getChildCount() { return children.size(); }
    public View getChildAt(int index) { return children.get(index); }

    public void setOrientation(int orientation) { this.orientation = orientation; }
    public void setPadding(int left, int top, int right, int bottom) {
        padLeft = left;
        padTop = top;
        padRight = right;
        padBottom = bottom;
    }

    @Override public CharSequence getAccessibilityClassName() { return ViewGroup.class.getName(); }

    @Override protected int measureHeight(int width) {
        int inner = width - padLeft - padRight;
        int h = 0;
        for (View c : children) {
            int ch = c.measureHeight(orientation == VERTICAL ? inner : inner / Math.max(1, children.size()));
            h = orientation == VERTICAL ? h + ch : Math.max(h, ch);
        }
        return h + padTop + padBottom;
    }

    /** Children one below the other (vertical) or side by side in equal shares (horizontal). */
    @Override public void layout(int l, int t, int r, int b) {
        super.layout(l, t, r, b);
        int x = l + padLeft, y = t + padTop, inner = r - l - padLeft - padRight;
        int share = inner / Math.max(1, children.size());
        for (View c : children) {
            if (orientation == VERTICAL) {
                int ch = c.measureHeight(inner);
                c.layout(x, y, x + inner, y + ch);
                y += ch;
            } else {
                c.layout(x, y, x + share, y + c.measureHeight(share));
                x += share;
            }
        }
    }
}
