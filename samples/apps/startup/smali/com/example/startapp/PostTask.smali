.class public Lcom/example/startapp/PostTask;
.super Ljava/lang/Object;
.implements Ljava/lang/Runnable;
.source "PostTask.java"

# Posted to a Handler from StartApp.onCreate: reads the Wi-Fi MAC address.

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V
    return-void
.end method

.method public run()V
    .registers 2
    const/4 v0, 0x0
    invoke-virtual {v0}, Landroid/net/wifi/WifiInfo;->getMacAddress()Ljava/lang/String;
    return-void
.end method
