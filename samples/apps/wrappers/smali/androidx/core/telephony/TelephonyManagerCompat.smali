.class public final Landroidx/core/telephony/TelephonyManagerCompat;
.super Ljava/lang/Object;
.source "TelephonyManagerCompat.java"

# Stand-in for the AndroidX compat wrapper (written for this sample): forwards to the API-level
# implementation class.

.method public static getImei(Landroid/telephony/TelephonyManager;)Ljava/lang/String;
    .registers 2
    invoke-static {p0}, Landroidx/core/telephony/TelephonyManagerCompat$Api26Impl;->getImei(Landroid/telephony/TelephonyManager;)Ljava/lang/String;
    move-result-object v0
    return-object v0
.end method
