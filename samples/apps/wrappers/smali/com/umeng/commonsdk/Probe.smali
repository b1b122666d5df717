.class public Lcom/umeng/commonsdk/Probe;
.super Ljava/lang/Object;
.source "Probe.java"

# Stand-in SDK code (written for this sample) that reads the IMEI through the compat wrapper.

.method public static imei()V
    .registers 1
    const/4 v0, 0x0
    invoke-static {v0}, Landroidx/core/telephony/TelephonyManagerCompat;->getImei(Landroid/telephony/TelephonyManager;)Ljava/lang/String;
    return-void
.end method
