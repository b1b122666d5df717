.class final Landroidx/core/telephony/TelephonyManagerCompat$Api26Impl;
.super Ljava/lang/Object;
.source "TelephonyManagerCompat.java"

.method static getImei(Landroid/telephony/TelephonyManager;)Ljava/lang/String;
    .registers 2
    invoke-virtual {p0}, Landroid/telephony/TelephonyManager;->getImei()Ljava/lang/String;
    move-result-object v0
    return-object v0
.end method
