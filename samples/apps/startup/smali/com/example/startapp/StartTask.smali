.class public Lcom/example/startapp/StartTask;
.super Ljava/lang/Object;
.implements Ljava/lang/Runnable;
.source "StartTask.java"

# Run by Thread.start from StartApp.onCreate: reads the IMSI.

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V
    return-void
.end method

.method public run()V
    .registers 2
    const/4 v0, 0x0
    invoke-virtual {v0}, Landroid/telephony/TelephonyManager;->getSubscriberId()Ljava/lang/String;
    return-void
.end method
