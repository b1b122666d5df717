.class public Lcom/umeng/commonsdk/UMConfigure;
.super Ljava/lang/Object;
.source "UMConfigure.java"

# Stand-in for the Umeng common SDK entry point (the package prefix is Umeng's real one).

.method public static init(Landroid/content/Context;)V
    .registers 2
    invoke-static {p0}, Lcom/umeng/commonsdk/internal/DeviceInfo;->collect(Landroid/content/Context;)V
    return-void
.end method

# A settings getter whose key arrives as a parameter: the scanner cannot tell which key, so
# the site is kept with low confidence.
.method public static setting(Landroid/content/Context;Ljava/lang/String;)Ljava/lang/String;
    .registers 3
    invoke-virtual {p0}, Landroid/content/Context;->getContentResolver()Landroid/content/ContentResolver;
    move-result-object v0
    invoke-static {v0, p1}, Landroid/provider/Settings$Secure;->getString(Landroid/content/ContentResolver;Ljava/lang/String;)Ljava/lang/String;
    move-result-object v0
    return-object v0
.end method
