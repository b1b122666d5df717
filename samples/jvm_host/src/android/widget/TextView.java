package android.widget;

import android.view.View;

public class TextView extends View {
    static final int PADDING = 33; // 12dp at 2.75 px/dp (a 1080x2400 phone)
    static final int LINE = 60; // 16sp text, 1.2 line spacing
    private CharSequence text = "";

    public void setText(CharSequence text) { this.text = text; }
    public CharSequence getText() { return text; }

    @Override public CharSequence getAccessibilityClassName() { return TextView.class.getName(); }

    /** Lines from the text's width: CJK and full-width characters one em (44 px), others half. */
    @Override protected int measureHeight(int width) {
        if (text == null || text.length() == 0) {
            return 0;
        }
        int em = 0;
        for (int i = 0; i < text.length(); i++) {
            em += text.charAt(i) >= 0x2E80 ? 44 : 24;
        }
        int inner = Math.max(44, width - 2 * PADDING);
        return ((em + inner - 1) / inner) * LINE + 2 * PADDING;
    }
}
