package com.example.privhost;

import android.app.Activity;
import android.os.Bundle;
import android.view.View;
import android.view.ViewGroup;
import android.widget.Button;
import android.widget.TextView;

/** A full-screen privacy notice: text plus "同意并继续" / "暂不使用" buttons. */
public class PrivacyActivity extends Activity {
    final Button agree = new Button();
    final Button disagree = new Button();
    private final MainActivity main;

    public PrivacyActivity(String packageName, MainActivity main) {
        super(packageName);
        this.main = main;
    }

    @Override protected void onCreate(Bundle savedInstanceState) {
        ViewGroup layout = new ViewGroup();
        TextView notice = new TextView();
        notice.setText("欢迎使用！我们依据《隐私保护指引》收集和使用您的个人信息，请您仔细阅读。");
        agree.setText("同意并继续");
        disagree.setText("暂不使用");
        agree.setOnClickListener(new View.OnClickListener() {
            @Override public void onClick(View v) { main.decided(true); }
        });
        disagree.setOnClickListener(new View.OnClickListener() {
            @Override public void onClick(View v) { main.decided(false); }
        });
        layout.addView(notice);
        layout.addView(agree);
        layout.addView(disagree);
        setContentView(layout);
    }

    void create() { onCreate(null); }
    void resume() { onResume(); }
    void pause() { onPause(); }
    void stop() { onStop(); }
}
