package com.example.privhost;

import android.Manifest;
import android.app.Activity;
import android.app.AlertDialog;
import android.content.ComponentName;
import android.content.Context;
import android.content.DialogInterface;
import android.content.Intent;
import android.location.Location;
import android.location.LocationManager;
import android.os.Bundle;
import com.example.privhost.net.Sender;
import com.umeng.commonsdk.UMConfigure;

/** The app's own code. In the default (violating) variant it lets the SDK collect at start-up,
 *  before the consent dialog; the clean variant waits for consent. */
public class MainActivity extends Activity {
    private final HostOptions opts;
    private volatile Boolean accepted;

    public MainActivity(HostOptions opts) {
        super(opts.packageName);
        this.opts = opts;
    }

    @Override protected void onCreate(Bundle savedInstanceState) {
        UMConfigure.setReportUrl(opts.sdkUrl);
        if (!opts.clean) {
            UMConfigure.init(this);
            requestPermissions(new String[] {Manifest.permission.ACCESS_FINE_LOCATION,
                    Manifest.permission.READ_PHONE_STATE}, 1);
            simulatePermissionAnswer(1, Manifest.permission.ACCESS_FINE_LOCATION);
        }
    }

    @Override public void onRequestPermissionsResult(int requestCode, String[] permissions, int[] grantResults) {
        System.out.println("privhost: permission result for request " + requestCode);
    }

    /** Shows the consent dialog and clicks the button the scenario asks for (or none). With
     *  "ask" the dialog is shown first and the choice is read afterwards (a tester at the keyboard). */
    public Boolean askConsent(String choice, java.util.function.Supplier<String> ask) {
        if (opts.consentActivity) {
            return askConsentInActivity(choice, ask);
        }
        AlertDialog dialog = new AlertDialog.Builder(this)
                .setTitle("用户协议与隐私政策")
                .setMessage("请阅读并同意《隐私政策》和《用户协议》，我们将据此收集和使用您的设备信息与位置信息。")
                .setPositiveButton("同意", new DialogInterface.OnClickListener() {
                    @Override public void onClick(DialogInterface d, int which) { accepted = Boolean.TRUE; }
                })
                .setNegativeButton("不同意", new DialogInterface.OnClickListener() {
                    @Override public void onClick(DialogInterface d, int which) { accepted = Boolean.FALSE; }
                })
                .setCancelable(false) // as consent dialogs are: no way around it but a button
                .create();
        dialog.setOnDismissListener(new DialogInterface.OnDismissListener() {
            @Override public void onDismiss(DialogInterface d) { wake(); }
        });
        dialog.show();
        if ("ask".equals(choice)) {
            choice = ask.get();
        } else if ("wait".equals(choice)) {
            awaitUser(dialog::isShowing);
        }
        if ("accept".equals(choice)) {
            dialog.getButton(DialogInterface.BUTTON_POSITIVE).performClick();
        } else if ("reject".equals(choice)) {
            dialog.getButton(DialogInterface.BUTTON_NEGATIVE).performClick();
        }
        return accepted;
    }

    /** The privacy notice as its own activity (many apps' splash screen), with its own buttons. */
    private Boolean askConsentInActivity(String choice, java.util.function.Supplier<String> ask) {
        PrivacyActivity privacy = new PrivacyActivity(opts.packageName, this);
        privacy.create();
        privacy.resume();
        if ("ask".equals(choice)) {
            choice = ask.get();
        } else if ("wait".equals(choice)) {
            awaitUser(() -> true);
        }
        if ("accept".equals(choice)) {
            privacy.agree.performClick();
        } else if ("reject".equals(choice)) {
            privacy.disagree.performClick();
        }
        privacy.pause();
        privacy.stop(); // after this activity resumed again: the app stays in the foreground
        return accepted;
    }

    void decided(boolean yes) {
        accepted = yes;
        wake();
    }

    private synchronized void wake() { notifyAll(); }

    /** Waits (bounded by --consent-wait-ms) for the user's tap: until a button answered or the
     *  notice went away; without an answer the run goes on as "none". */
    private synchronized void awaitUser(java.util.function.BooleanSupplier open) {
        long deadline = System.nanoTime() + opts.consentWaitMs * 1_000_000L;
        System.out.println("privhost: waiting for the user");
        System.out.flush();
        try {
            while (accepted == null && open.getAsBoolean()) {
                long left = (deadline - System.nanoTime()) / 1_000_000L;
                if (left <= 0) {
                    System.out.println("privhost: no answer within " + opts.consentWaitMs + " ms");
                    return;
                }
                wait(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public void afterAccept() {
        if (opts.clean) {
            UMConfigure.initAfterConsent(this);
            requestPermissions(new String[] {Manifest.permission.ACCESS_FINE_LOCATION}, 2);
            simulatePermissionAnswer(2, Manifest.permission.ACCESS_FINE_LOCATION);
        }
        LocationManager lm = (LocationManager) getSystemService(Context.LOCATION_SERVICE);
        Location loc = lm.getLastKnownLocation(LocationManager.GPS_PROVIDER);
        double lat = loc.getLatitude();
        double lng = loc.getLongitude();
        Sender.post(opts.appUrl + "?lat=" + lat + "&lng=" + lng, "q=nearby");
        if (!opts.clean) {
            // Starts another vendor's app (关联启动).
            startActivity(new Intent().setComponent(new ComponentName("com.tencent.mm", "com.tencent.mm.ui.LauncherUI")));
        }
    }

    public void afterReject() {
        if (!opts.clean) {
            UMConfigure.heartbeatAndSend(this); // keeps collecting after the refusal
        }
    }

    /** Called while the activity is stopped. */
    public void whileInBackground() {
        if (!opts.clean) {
            UMConfigure.heartbeat(this);
        }
    }

    public void tick() {
        if (!opts.clean) {
            UMConfigure.heartbeat(this);
        }
    }

    // Framework-style entry points the host's main() calls (they are protected on Activity).
    void create() { onCreate(null); }
    void start() { onStart(); }
    void resume() { onResume(); }
    void pause() { onPause(); }
    void stop() { onStop(); }
}
