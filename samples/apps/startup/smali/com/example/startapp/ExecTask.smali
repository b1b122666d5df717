.class public Lcom/example/startapp/ExecTask;
.super Ljava/lang/Object;
.implements Ljava/lang/Runnable;
.source "ExecTask.java"

# Given to an executor from StartApp.onCreate: reads the phone number.

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V
    return-void
.end method

.method public run()V
    .registers 2
    const/4 v0, 0x0
    invoke-virtual {v0}, Landroid/telephony/TelephonyManager;->getLine1Number()Ljava/lang/String;
    return-void
.end method
