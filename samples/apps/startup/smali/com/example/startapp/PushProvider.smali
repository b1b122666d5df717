.class public Lcom/example/startapp/PushProvider;
.super Landroid/content/ContentProvider;
.source "PushProvider.java"

# A provider of the ":push" process: created when that process starts. Reads the SIM serial.

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Landroid/content/ContentProvider;-><init>()V
    return-void
.end method

.method public onCreate()Z
    .registers 2
    const/4 v0, 0x0
    invoke-virtual {v0}, Landroid/telephony/TelephonyManager;->getSimSerialNumber()Ljava/lang/String;
    const/4 v0, 0x1
    return v0
.end method
