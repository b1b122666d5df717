.class public Lcn/jpush/android/api/JPushInterface;
.super Ljava/lang/Object;
.source "JPushInterface.java"

# Stand-in for JPush's entry point (JPush's real package name); reads the IMEI when initialised.

.method public static init(Landroid/content/Context;)V
    .registers 2
    const/4 v0, 0x0
    invoke-virtual {v0}, Landroid/telephony/TelephonyManager;->getImei()Ljava/lang/String;
    return-void
.end method
