.class public Lcom/umeng/commonsdk/UMConfigure;
.super Ljava/lang/Object;
.source "UMConfigure.java"

# Stand-in for the Umeng common SDK entry point (the package prefix is Umeng's real one).

.method public static init(Landroid/content/Context;)V
    .registers 1
    invoke-static {p0}, Lcom/umeng/commonsdk/internal/DeviceInfo;->imei(Landroid/content/Context;)Ljava/lang/String;
    return-void
.end method
