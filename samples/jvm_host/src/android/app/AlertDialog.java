package android.app;

import android.content.Context;
import android.content.DialogInterface;
import android.view.View;
import android.view.ViewGroup;
import android.widget.Button;
import android.widget.TextView;

public class AlertDialog extends Dialog {
    private CharSequence title;
    private CharSequence message;
    private final Button positive = new Button();
    private final Button negative = new Button();

    protected AlertDialog(Context context) { super(context); }

    @Override protected void onCreate() {
        ViewGroup decor = (ViewGroup) getWindow().getDecorView();
        if (decor.getChildCount() > 0) {
            return;
        }
        TextView t = new TextView();
        t.setText(title);
        TextView m = new TextView();
        m.setText(message);
        // as the Material layout: title, message, then the buttons side by side in a bar
        ViewGroup buttonBar = new ViewGroup();
        buttonBar.setOrientation(ViewGroup.HORIZONTAL);
        buttonBar.addView(negative);
        buttonBar.addView(positive);
        decor.addView(t);
        decor.addView(m);
        decor.addView(buttonBar);
    }

    public Button getButton(int which) {
        return which == DialogInterface.BUTTON_POSITIVE ? positive : negative;
    }

    private void bind(Button b, CharSequence text, final DialogInterface.OnClickListener l, final int which) {
        b.setText(text);
        b.setOnClickListener(new View.OnClickListener() {
            @Override public void onClick(View v) {
                l.onClick(AlertDialog.this, which);
                dismiss();
            }
        });
    }

    public static class Builder {
        private final Context context;
        private CharSequence title;
        private CharSequence message;
        private CharSequence posText, negText;
        private DialogInterface.OnClickListener posListener, negListener;
        private boolean cancelable = true;

        public Builder(Context context) { this.context = context; }
        public Builder setTitle(CharSequence title) { this.title = title; return this; }
        public Builder setMessage(CharSequence message) { this.message = message; return this; }
        public Builder setPositiveButton(CharSequence text, DialogInterface.OnClickListener l) { posText = text; posListener = l; return this; }
        public Builder setNegativeButton(CharSequence text, DialogInterface.OnClickListener l) { negText = text; negListener = l; return this; }
        public Builder setCancelable(boolean cancelable) { this.cancelable = cancelable; return this; }

        public AlertDialog create() {
            AlertDialog d = new AlertDialog(context);
            d.title = title;
            d.message = message;
            d.bind(d.positive, posText, posListener, DialogInterface.BUTTON_POSITIVE);
            d.bind(d.negative, negText, negListener, DialogInterface.BUTTON_NEGATIVE);
            d.setCancelable(cancelable);
            return d;
        }
    }
}
